package dev.pipeline.rpc.tck;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;

/**
 * A message as it sits on the broker: its body bytes and its metadata fields.
 *
 * @param body    the bytes
 * @param headers the metadata (Kafka record headers, Redis stream entry fields other than the body)
 */
public record RawMessage(byte[] body, Map<String, String> headers) {
    /**
     * Copies the headers.
     *
     * @param body    the bytes
     * @param headers the metadata
     */
    public RawMessage {
        Objects.requireNonNull(body, "body");
        headers = Map.copyOf(headers);
    }

    /** @return the body decoded as UTF-8. */
    public String text() {
        return new String(body, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "RawMessage[" + text() + ", " + headers + "]";
    }
}
