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
     * Handles one message, possibly on the calling thread: the core may run the work right here when its handler
     * threads are all idle, saving a thread hand-off (a wake-up, tens to hundreds of µs) on a sequential call. A
     * transport calls this only from a thread that can afford to be held up and that can hand its own duties to
     * another thread: if the work is still running after a few milliseconds (a handler that blocks or computes
     * long), the core calls {@code onStall} once, from another thread, and the transport must then carry on without
     * the calling thread (the Kafka transport moves its poll loop to a new thread). {@code onStall} may race with
     * the return of this method; the transport settles that race itself.
     *
     * <p>The default just calls {@link #handle}.
     *
     * @param request the message and its metadata
     * @param onStall called at most once if the work holds the calling thread up
     * @return the outcome to carry out before acknowledging the message
     */
    default CompletionStage<HandlerOutcome> handleInline(IncomingRequest request, Runnable onStall) {
        return handle(request);
    }

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
