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

    /**
     * Reports that the transport refused a request's reply address ({@link IncomingRequest#replyTo()}) and
     * dead-lettered the request as "invalid reply address": the address is malformed, outside the transport's reply
     * namespace, or names a destination that does not exist or is not a reply destination. The core counts it
     * ({@link dev.pipeline.rpc.RpcMetrics#refusedReplyAddress}). The address itself is not passed on: any sender
     * chooses it. Called once per refused request, from any thread; returns quickly and never throws.
     *
     * <p>The default does nothing.
     */
    default void replyAddressRefused() {
    }
}
