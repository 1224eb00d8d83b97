package dev.pipeline.rpc.kafka;

import dev.pipeline.rpc.spi.Transport;
import dev.pipeline.rpc.spi.TransportProvider;

import java.net.URI;
import java.util.Map;

/**
 * The Kafka transport: scheme {@code kafka}, default address {@code kafka://localhost:9092}. Found by
 * {@link java.util.ServiceLoader}; options come from the URI query and the properties map, see
 * {@link KafkaTransportConfig}.
 */
public final class KafkaTransportProvider implements TransportProvider {
    /** The URI scheme. */
    public static final String SCHEME = "kafka";

    /** Public no-argument constructor for {@link java.util.ServiceLoader}. */
    public KafkaTransportProvider() {
    }

    @Override
    public String scheme() {
        return SCHEME;
    }

    @Override
    public URI defaultUri() {
        return URI.create("kafka://localhost:9092");
    }

    @Override
    public Transport open(URI uri, Map<String, String> properties) {
        return open(KafkaTransportConfig.from(uri, properties == null ? Map.of() : properties));
    }

    /**
     * Opens a transport from a configuration object. Does not contact the broker: connections are made lazily, so a
     * transport can be opened before the broker is up.
     *
     * @param config the validated transport configuration
     * @return a transport that makes its Kafka clients on first use; close it to close them
     */
    public static Transport open(KafkaTransportConfig config) {
        return new KafkaTransport(config);
    }
}
