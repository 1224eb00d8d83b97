package dev.pipeline.rpc.spi;

import java.util.Objects;

/**
 * A message a server transport received for a service, with the metadata of the wire contract.
 *
 * @param body                the raw message bytes, as they were on the broker (may be invalid JSON)
 * @param correlationId       {@link WireHeaders#RPC_ID}, or {@code null}
 * @param replyTo             {@link WireHeaders#REPLY_TO}, or {@code null} when no reply is to be sent
 * @param deadlineEpochMillis {@link WireHeaders#DEADLINE} as {@link #parseDeadline} reads it: 0 when absent,
 *                            {@link #INVALID_DEADLINE} when present but not a valid deadline
 * @param clientId            {@link WireHeaders#CLIENT}, or {@code null}
 * @param traceparent         {@link WireHeaders#TRACEPARENT}, or {@code null}
 * @param tracestate          {@link WireHeaders#TRACESTATE}, or {@code null}
 */
public record IncomingRequest(byte[] body, String correlationId, String replyTo, long deadlineEpochMillis,
                              String clientId, String traceparent, String tracestate) {
    /** {@link #deadlineEpochMillis} of a request whose {@link WireHeaders#DEADLINE} is present but invalid. */
    public static final long INVALID_DEADLINE = -1;
    /**
     * How far ahead of the server's clock a deadline may lie: one day. Clients send their call's timeout as the
     * deadline, and leave it out for a timeout longer than this; a deadline further ahead is refused.
     */
    public static final long MAX_DEADLINE_AHEAD_MILLIS = 24L * 60 * 60 * 1000;
    /** The reason a request with an invalid deadline is dead-lettered with. */
    public static final String INVALID_DEADLINE_REASON = "invalid rpc-deadline";

    /**
     * Reads a {@link WireHeaders#DEADLINE} value, as every transport must: absent ({@code null}) is 0, no deadline;
     * 1 to 18 ASCII digits with a value above 0 is that epoch millisecond; anything else (empty, a sign, spaces, a
     * fraction, letters, 0, more digits) is {@link #INVALID_DEADLINE}, which the core refuses: it answers
     * -32600 Invalid Request "invalid rpc-deadline" and dead-letters the message. Whether the deadline is too
     * far ahead ({@link #MAX_DEADLINE_AHEAD_MILLIS}) is checked by the core against its clock.
     *
     * @param value the header's raw bytes, or {@code null} when the message has none
     * @return the deadline in epoch milliseconds, 0 for none, or {@link #INVALID_DEADLINE}
     */
    public static long parseDeadline(byte[] value) {
        if (value == null) {
            return 0;
        }
        if (value.length == 0 || value.length > 18) {
            return INVALID_DEADLINE;
        }
        long n = 0;
        for (byte b : value) {
            if (b < '0' || b > '9') {
                return INVALID_DEADLINE;
            }
            n = n * 10 + (b - '0');
        }
        return n == 0 ? INVALID_DEADLINE : n;
    }

    /**
     * As {@link #parseDeadline(byte[])}, for a header a transport already holds as text.
     *
     * @param value the header's text, or {@code null} when the message has none
     * @return the deadline in epoch milliseconds, 0 for none, or {@link #INVALID_DEADLINE}
     */
    public static long parseDeadline(String value) {
        return value == null ? 0 : parseDeadline(value.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /**
     * Checks the deadline against the server's clock.
     *
     * @param nowEpochMillis the server's wall clock
     * @return whether the deadline is invalid at {@code nowEpochMillis}: {@link #INVALID_DEADLINE} (or any negative
     * value), or more than {@link #MAX_DEADLINE_AHEAD_MILLIS} ahead
     */
    public boolean invalidDeadline(long nowEpochMillis) {
        return deadlineEpochMillis < 0 || deadlineEpochMillis - nowEpochMillis > MAX_DEADLINE_AHEAD_MILLIS;
    }

    /**
     * Checks that there is a body.
     *
     * @param body the message bytes as received
     * @param correlationId the {@link WireHeaders#RPC_ID}, or {@code null}
     * @param replyTo the {@link WireHeaders#REPLY_TO}, or {@code null}
     * @param deadlineEpochMillis as {@link #parseDeadline(byte[])} reads it
     * @param clientId the {@link WireHeaders#CLIENT}, or {@code null}
     * @param traceparent W3C trace context, or {@code null}
     * @param tracestate W3C {@link WireHeaders#TRACESTATE}, or {@code null}
     */
    public IncomingRequest {
        Objects.requireNonNull(body, "body");
    }

    /**
     * A request without a {@code tracestate}.
     *
     * @param body the message bytes as received
     * @param correlationId the {@link WireHeaders#RPC_ID}, or {@code null}
     * @param replyTo the {@link WireHeaders#REPLY_TO}, or {@code null}
     * @param deadlineEpochMillis as {@link #parseDeadline(byte[])} reads it
     * @param clientId the {@link WireHeaders#CLIENT}, or {@code null}
     * @param traceparent W3C trace context, or {@code null}
     */
    public IncomingRequest(byte[] body, String correlationId, String replyTo, long deadlineEpochMillis,
                           String clientId, String traceparent) {
        this(body, correlationId, replyTo, deadlineEpochMillis, clientId, traceparent, null);
    }

    /**
     * Checks whether the work may still start.
     *
     * @param nowEpochMillis the server's wall clock
     * @return whether the deadline is set and has passed at {@code nowEpochMillis}. The deadline's own millisecond
     * counts as passed: the client computes the deadline from its clock before sending and starts its timeout
     * only after the broker accepted the request, so by the time it gives up, the wall clock reads at least the
     * deadline; a strict comparison left a window of up to a millisecond in which work the caller had already
     * timed out could still start.
     */
    public boolean expired(long nowEpochMillis) {
        return expired(deadlineEpochMillis, nowEpochMillis);
    }

    /**
     * Checks whether a deadline has passed.
     *
     * @param deadlineEpochMillis the deadline, 0 for none
     * @param nowEpochMillis the wall clock
     * @return whether {@code deadlineEpochMillis} is set and has passed at {@code nowEpochMillis}
     */
    public static boolean expired(long deadlineEpochMillis, long nowEpochMillis) {
        return deadlineEpochMillis > 0 && nowEpochMillis >= deadlineEpochMillis;
    }
}
