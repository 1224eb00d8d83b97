package dev.pipeline.rpc.spi;

import java.util.Objects;

/**
 * A JSON-RPC request, notification or batch that a client hands to its transport.
 *
 * @param body                the JSON-RPC message, UTF-8, sent byte for byte
 * @param correlationId       the transport correlation id ({@link WireHeaders#RPC_ID}); {@code null} when no reply
 *                            is expected (a notification or a batch of notifications)
 * @param deadlineEpochMillis epoch millis after which the server must not start the work, or 0 for none
 * @param traceparent         W3C trace context ({@link WireHeaders#TRACEPARENT}), or {@code null}
 * @param tracestate          W3C {@link WireHeaders#TRACESTATE}, or {@code null}; sent only with a traceparent
 * @param attempt             0 for a request's first send; n &gt; 0 for its n-th hedge: the same call sent again
 *                            under the same correlation id because no reply came in time. A transport that chooses
 *                            where a request goes (a partition, a queue) sends an attempt &gt; 0 somewhere other than
 *                            where the earlier attempts with this correlation id went, preferably somewhere that
 *                            answered recently; a transport whose destination is shared by every live server (a
 *                            stream read by a consumer group) needs to do nothing
 */
public record OutgoingRequest(byte[] body, String correlationId, long deadlineEpochMillis, String traceparent,
                              String tracestate, int attempt) {
    /**
     * Checks the values.
     *
     * @param body                the JSON-RPC message
     * @param correlationId       the correlation id, or {@code null} when no reply is expected
     * @param deadlineEpochMillis the deadline, or 0 for none
     * @param traceparent         W3C trace context, or {@code null}
     * @param tracestate          W3C trace state, or {@code null}
     * @param attempt             0 for the first send, n for the n-th hedge
     * @throws IllegalArgumentException for a negative deadline or attempt, or a hedge without a correlation id
     */
    public OutgoingRequest {
        Objects.requireNonNull(body, "body");
        if (deadlineEpochMillis < 0) {
            throw new IllegalArgumentException("deadlineEpochMillis must be >= 0");
        }
        if (attempt < 0) {
            throw new IllegalArgumentException("attempt must be >= 0, was " + attempt);
        }
        if (attempt > 0 && correlationId == null) {
            throw new IllegalArgumentException("only a request that expects a reply is sent again");
        }
    }

    /**
     * A request without a {@code tracestate}.
     *
     * @param body                the JSON-RPC message
     * @param correlationId       the correlation id, or {@code null} when no reply is expected
     * @param deadlineEpochMillis the deadline, or 0 for none
     * @param traceparent         W3C trace context, or {@code null}
     * @param attempt             0 for the first send, n for the n-th hedge
     */
    public OutgoingRequest(byte[] body, String correlationId, long deadlineEpochMillis, String traceparent,
                           int attempt) {
        this(body, correlationId, deadlineEpochMillis, traceparent, null, attempt);
    }

    /**
     * A first attempt ({@code attempt} 0), without a {@code tracestate}.
     *
     * @param body                the JSON-RPC message
     * @param correlationId       the correlation id, or {@code null} when no reply is expected
     * @param deadlineEpochMillis the deadline, or 0 for none
     * @param traceparent         W3C trace context, or {@code null}
     */
    public OutgoingRequest(byte[] body, String correlationId, long deadlineEpochMillis, String traceparent) {
        this(body, correlationId, deadlineEpochMillis, traceparent, null, 0);
    }

    /** @return whether a reply is expected (a correlation id is set). */
    public boolean expectsReply() {
        return correlationId != null;
    }

    /** @return whether this is a hedge: a call sent again ({@link #attempt()} &gt; 0). */
    public boolean isHedge() {
        return attempt > 0;
    }
}
