package dev.pipeline.rpc;

/**
 * Where the client and server report what they do. The default records nothing; {@link MicrometerRpcMetrics}
 * records to a Micrometer {@code MeterRegistry} (Micrometer is then needed at runtime). Implementations must be
 * thread-safe and fast: they run on the call path.
 */
public interface RpcMetrics {
    /** Outcome tag values. */
    String OK = "ok", ERROR = "error", TIMEOUT = "timeout", CLOSED = "closed";

    /** A client call completed ({@code outcome}: ok, error, timeout, closed) after {@code nanos}. */
    default void clientCall(String service, String method, String transport, String outcome, long nanos) {
    }

    /** A server handled one request ({@code outcome}: ok, error) in {@code nanos}. */
    default void serverRequest(String service, String method, String transport, String outcome, long nanos) {
    }

    /** A call timed out. */
    default void timeout(String service, String transport) {
    }

    /**
     * A client dropped a reply whose correlation id matches no pending call: the call timed out or was cancelled,
     * the reply is a duplicate, or it was forged (ids are random, so a guessed one matches nothing).
     */
    default void lateReply(String transport) {
    }

    /**
     * The client sent a hedge: a call to an {@link Idempotent} method again, because no reply came within the hedge
     * delay ({@link HedgePolicy}). Its reply or the first attempt's is then dropped as late ({@link #lateReply}).
     */
    default void hedgeSent(String service, String method, String transport) {
    }

    /** A hedged call was completed by the reply to one of its hedges rather than to its first attempt. */
    default void hedgeWon(String service, String method, String transport) {
    }

    /** A call was due a hedge, but the client's hedge budget ({@link HedgePolicy#budget()}) was spent. */
    default void hedgeDenied(String service, String method, String transport) {
    }

    /**
     * The caller cancelled a call to {@code service}.{@code method} before its reply, and the client sent the
     * server its {@code rpc.cancel}.
     */
    default void cancelSent(String service, String method, String transport) {
    }

    /**
     * The server received an {@code rpc.cancel} notification for {@code service} (whether or not it matched a call
     * it holds).
     */
    default void cancelReceived(String service, String transport) {
    }

    /**
     * The server rejected input ({@code reason}: parse, invalid, too-large, too-deep, expired, invalid-deadline,
     * cancelled: a call whose {@code rpc.cancel} arrived before a handler thread took it up).
     */
    default void rejectedInput(String service, String transport, String reason) {
    }

    /**
     * The server's transport refused a request's reply address and dead-lettered the request ("invalid reply
     * address"): the sender named a destination outside the reply namespace, a malformed one, or one that does not
     * exist. The address is not given: it is chosen by whoever sent the request.
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
