package dev.pipeline.rpc.spi;

import java.util.concurrent.CompletionStage;

/**
 * The core's side of a server channel: turns one inbound message into an outcome.
 * Implemented by the core, called by transports.
 */
@FunctionalInterface
public interface RequestHandler {
    /**
     * Handles one message. May be called concurrently from several threads. Returns quickly (the work runs on the
     * core's executor); the stage never completes exceptionally.
     *
     * @param request the message and its metadata
     * @return the outcome to carry out before acknowledging the message
     */
    CompletionStage<HandlerOutcome> handle(IncomingRequest request);
}
