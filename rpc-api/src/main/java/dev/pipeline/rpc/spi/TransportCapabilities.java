package dev.pipeline.rpc.spi;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * What a transport declares about itself.
 *
 * @param features        the capabilities it offers
 * @param maxMessageBytes the largest message body it can carry
 */
public record TransportCapabilities(Set<Capability> features, int maxMessageBytes) {
    /**
     * Copies the features.
     *
     * @param features        the capabilities it offers
     * @param maxMessageBytes the largest message body it can carry: at least 1
     */
    public TransportCapabilities {
        Objects.requireNonNull(features, "features");
        features = features.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(features));
        if (maxMessageBytes < 1) {
            throw new IllegalArgumentException("maxMessageBytes must be >= 1");
        }
    }

    /**
     * Asks about one capability.
     *
     * @param capability the capability
     * @return whether the transport offers it
     */
    public boolean has(Capability capability) {
        return features.contains(capability);
    }
}
