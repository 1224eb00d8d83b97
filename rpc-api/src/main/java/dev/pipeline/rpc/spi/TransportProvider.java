package dev.pipeline.rpc.spi;

import java.net.URI;

/**
 * Entry point of a transport module, registered in
 * {@code META-INF/services/dev.pipeline.rpc.spi.TransportProvider}. Must have a public no-argument constructor.
 */
public interface TransportProvider {
    /** @return the URI scheme this provider handles, e.g. {@code kafka}; lower case. */
    String scheme();

    /** @return the address used when the user names none (e.g. {@code kafka://localhost:9092}). */
    URI defaultUri();

    /**
     * Opens a transport. Must not block for long: a broker that is not up yet must not prevent creating the
     * transport (calls fail or wait, bounded, instead).
     *
     * @param uri        the address; its scheme is {@link #scheme()}. Query parameters carry transport options.
     * @param properties extra options (for Kafka: any client property such as {@code security.protocol})
     * @return the transport, not necessarily connected yet
     * @throws IllegalArgumentException with a one-line message for a malformed address or option
     */
    Transport open(URI uri, java.util.Map<String, String> properties);
}
