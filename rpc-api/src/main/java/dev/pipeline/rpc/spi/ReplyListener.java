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
}
