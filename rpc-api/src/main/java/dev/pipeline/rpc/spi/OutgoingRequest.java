package dev.pipeline.rpc.spi;

import java.util.Objects;

/**
 * A JSON-RPC request, notification or batch that a client hands to its transport.
 *
 * @param body                the JSON-RPC message, UTF-8, sent byte for byte
 * @param correlationId       the transport correlation id ({@link WireHeaders#RPC_ID}); {@code null} when no reply
 *                            is expected (a notification or a batch of notifications)
 * @param deadlineEpochMillis epoch millis after which the server must not start the work, or 0 for none
 * @param traceparent         W3C trace context, or {@code null}
 */
public record OutgoingRequest(byte[] body, String correlationId, long deadlineEpochMillis, String traceparent) {
    public OutgoingRequest {
        Objects.requireNonNull(body, "body");
        if (deadlineEpochMillis < 0) {
            throw new IllegalArgumentException("deadlineEpochMillis must be >= 0");
        }
    }

    /** @return whether a reply is expected (a correlation id is set). */
    public boolean expectsReply() {
        return correlationId != null;
    }
}
