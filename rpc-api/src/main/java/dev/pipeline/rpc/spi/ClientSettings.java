package dev.pipeline.rpc.spi;

import java.util.Objects;

/**
 * What the core tells a client transport.
 *
 * @param clientId the client instance id ({@link WireHeaders#CLIENT}); unique per client instance
 */
public record ClientSettings(String clientId) {
    /** @param clientId the client instance id; not blank */
    public ClientSettings {
        Objects.requireNonNull(clientId, "clientId");
        if (clientId.isBlank()) {
            throw new IllegalArgumentException("clientId must not be blank");
        }
    }
}
