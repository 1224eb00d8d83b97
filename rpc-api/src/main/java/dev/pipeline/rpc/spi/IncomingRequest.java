package dev.pipeline.rpc.spi;

import java.util.Objects;

/**
 * A message a server transport received for a service, with the metadata of the wire contract.
 *
 * @param body                the raw message bytes, as they were on the broker (may be invalid JSON)
 * @param correlationId       {@link WireHeaders#RPC_ID}, or {@code null}
 * @param replyTo             {@link WireHeaders#REPLY_TO}, or {@code null} when no reply is to be sent
 * @param deadlineEpochMillis {@link WireHeaders#DEADLINE}, or 0 when absent
 * @param clientId            {@link WireHeaders#CLIENT}, or {@code null}
 * @param traceparent         {@link WireHeaders#TRACEPARENT}, or {@code null}
 */
public record IncomingRequest(byte[] body, String correlationId, String replyTo, long deadlineEpochMillis,
                              String clientId, String traceparent) {
    public IncomingRequest {
        Objects.requireNonNull(body, "body");
    }

    /**
     * @return whether the deadline is set and has passed at {@code nowEpochMillis}. The deadline's own millisecond
     * counts as passed: the client computes the deadline from its clock before sending and starts its timeout
     * only after the broker accepted the request, so by the time it gives up, the wall clock reads at least the
     * deadline; a strict comparison left a window of up to a millisecond in which work the caller had already
     * timed out could still start.
     */
    public boolean expired(long nowEpochMillis) {
        return expired(deadlineEpochMillis, nowEpochMillis);
    }

    /** @return whether {@code deadlineEpochMillis} (0: none) has passed at {@code nowEpochMillis}. */
    public static boolean expired(long deadlineEpochMillis, long nowEpochMillis) {
        return deadlineEpochMillis > 0 && nowEpochMillis >= deadlineEpochMillis;
    }
}
