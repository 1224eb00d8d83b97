package dev.pipeline.rpc.spi;

import java.util.Objects;

/**
 * One reply handed to {@link ReplyListener#onReplies}.
 *
 * @param correlationId the {@link WireHeaders#RPC_ID} of the reply
 * @param body          the JSON-RPC response or batch response bytes
 */
public record Reply(String correlationId, byte[] body) {
    /**
     * Checks that both are present.
     *
     * @param correlationId the {@link WireHeaders#RPC_ID} of the reply
     * @param body          the response bytes
     */
    public Reply {
        Objects.requireNonNull(correlationId, "correlationId");
        Objects.requireNonNull(body, "body");
    }
}
