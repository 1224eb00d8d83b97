package dev.pipeline.rpc;

/**
 * Where the client and server report what they do. The default records nothing; {@link MicrometerRpcMetrics}
 * records to a Micrometer {@code MeterRegistry} (Micrometer is then needed at runtime). Implementations must be
 * thread-safe and fast: they run on the call path.
 */
public interface RpcMetrics {
    /** Outcome tag values. */
    String OK = "ok", ERROR = "error", TIMEOUT = "timeout", CLOSED = "closed";

    /**
     * A client call completed.
     *
     * @param service the service's name
     * @param method the method's name
     * @param transport the transport's name ({@code kafka}, {@code redis}, {@code inproc})
     * @param outcome {@link #OK}, {@link #ERROR}, {@link #TIMEOUT} or {@link #CLOSED}
     * @param nanos the time from sending the call to its completion
     */
    default void clientCall(String service, String method, String transport, String outcome, long nanos) {
    }

    /**
     * A server handled one request.
     *
     * @param service the service's name
     * @param method the method's name
     * @param transport the transport's name ({@code kafka}, {@code redis}, {@code inproc})
     * @param outcome {@link #OK} or {@link #ERROR}
     * @param nanos the time the handler took
     */
    default void serverRequest(String service, String method, String transport, String outcome, long nanos) {
    }

    /**
     * A call timed out.
     *
     * @param service the service's name
     * @param transport the transport's name ({@code kafka}, {@code redis}, {@code inproc})
     */
    default void timeout(String service, String transport) {
    }

    /**
     * A client dropped a reply whose correlation id matches no pending call: the call timed out or was cancelled,
     * the reply is a duplicate, or it was forged (ids are random, so a guessed one matches nothing).
     *
     * @param transport the transport's name ({@code kafka}, {@code redis}, {@code inproc})
     */
    default void lateReply(String transport) {
    }

    /**
     * The client sent a hedge: a call to an {@link Idempotent} method again, because no reply came within the hedge
     * delay ({@link HedgePolicy}). Its reply or the first attempt's is then dropped as late ({@link #lateReply}).
     *
     * @param service the service's name
     * @param method the method's name
     * @param transport the transport's name ({@code kafka}, {@code redis}, {@code inproc})
     */
    default void hedgeSent(String service, String method, String transport) {
    }

    /**
     * A hedged call was completed by the reply to one of its hedges rather than to its first attempt.
     *
     * @param service the service's name
     * @param method the method's name
     * @param transport the transport's name ({@code kafka}, {@code redis}, {@code inproc})
     */
    default void hedgeWon(String service, String method, String transport) {
    }

    /**
     * A call was due a hedge, but the client's hedge budget ({@link HedgePolicy#budget()}) was spent.
     *
     * @param service the service's name
     * @param method the method's name
     * @param transport the transport's name ({@code kafka}, {@code redis}, {@code inproc})
     */
    default void hedgeDenied(String service, String method, String transport) {
    }

    /**
     * The caller cancelled a call to {@code service}.{@code method} before its reply, and the client sent the
     * server its {@code rpc.cancel}.
     *
     * @param service   the service
     * @param method    the method
     * @param transport the transport's scheme
     */
    default void cancelSent(String service, String method, String transport) {
    }

    /**
     * The server received an {@code rpc.cancel} notification for {@code service} (whether or not it matched a call
     * it holds).
     *
     * @param service   the service
     * @param transport the transport's scheme
     */
    default void cancelReceived(String service, String transport) {
    }

    /**
     * The server rejected input.
     *
     * @param service the service's name
     * @param transport the transport's name ({@code kafka}, {@code redis}, {@code inproc})
     * @param reason {@code parse}, {@code invalid}, {@code too-large}, {@code too-deep}, {@code expired},
     *     {@code invalid-deadline} or {@code cancelled} (a call whose {@code rpc.cancel} arrived before a handler
     *     thread took it up)
     */
    default void rejectedInput(String service, String transport, String reason) {
    }

    /**
     * A request to an idempotent method answered from the server's dedup window, without running the method
     * ({@link ServerConfig#dedupWindow()}).
     *
     * @param service   the service
     * @param method    the method
     * @param transport the transport's scheme
     */
    default void deduplicated(String service, String method, String transport) {
    }

    /**
     * The server's transport refused a request's reply address and dead-lettered the request ("invalid reply
     * address"): the sender named a destination outside the reply namespace, a malformed one, or one that does not
     * exist. The address is not given: it is chosen by whoever sent the request.
     *
     * @param service the service's name
     * @param transport the transport's name ({@code kafka}, {@code redis}, {@code inproc})
     */
    default void refusedReplyAddress(String service, String transport) {
    }

    /** @return metrics that record nothing. */
    static RpcMetrics noop() {
        return NoopMetrics.INSTANCE;
    }
}

final class NoopMetrics implements RpcMetrics {
    static final NoopMetrics INSTANCE = new NoopMetrics();
}
