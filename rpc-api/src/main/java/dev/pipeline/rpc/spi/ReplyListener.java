package dev.pipeline.rpc.spi;

/** Receives replies addressed to a client. Implemented by the core, called by transports. */
@FunctionalInterface
public interface ReplyListener {
    /**
     * A reply arrived. Must not block; may be called from the transport's I/O thread.
     *
     * @param correlationId the {@link WireHeaders#RPC_ID} of the reply (the one its request was sent with)
     * @param body          the JSON-RPC response or batch response bytes
     */
    void onReply(String correlationId, byte[] body);

    /**
     * Replies that arrived together, for example one poll of the broker. The core reads them all first and then
     * completes their callers one after another, so the work those completions start (often the next calls) also
     * comes in a burst, which the transport's producer can batch. Must not block; same threads as
     * {@link #onReply}. The default hands them to {@link #onReply} one by one.
     *
     * @param replies the replies, in arrival order
     */
    default void onReplies(java.util.List<Reply> replies) {
        for (Reply r : replies) {
            onReply(r.correlationId(), r.body());
        }
    }
}
