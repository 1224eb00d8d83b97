package dev.pipeline.rpc.spi;

/**
 * What the core decided about one {@link IncomingRequest}; the transport carries it out, then acknowledges.
 *
 * @param reply            bytes to write to the request's reply address, or {@code null} for none
 * @param deadLetterReason when non-null, the original message is copied to the service's dead-letter destination
 *                         with this reason ({@link WireHeaders#DLQ_REASON})
 */
public record HandlerOutcome(byte[] reply, String deadLetterReason) {
    private static final HandlerOutcome NONE = new HandlerOutcome(null, null);

    /** @return an outcome with nothing to send: acknowledge only. */
    public static HandlerOutcome none() {
        return NONE;
    }

    /**
     * An outcome that answers and acknowledges.
     *
     * @param reply the response bytes, or {@code null} for none (a notification)
     * @return an outcome that sends {@code reply} and then acknowledges
     */
    public static HandlerOutcome reply(byte[] reply) {
        return reply == null ? NONE : new HandlerOutcome(reply, null);
    }
}
