package dev.pipeline.rpc.spi;

import java.time.Duration;
import java.util.Objects;

/**
 * What the core tells a server transport about one service subscription.
 *
 * @param maxInFlight   the most messages handed to the handler and not yet acknowledged; when reached the transport
 *                      stops fetching (Kafka: pause partitions; Redis: stop reading) until some complete
 * @param shutdownGrace how long {@link ServerChannel#close()} waits for in-flight messages
 */
public record ServerSettings(int maxInFlight, Duration shutdownGrace) {
    public ServerSettings {
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("maxInFlight must be >= 1, was " + maxInFlight);
        }
        Objects.requireNonNull(shutdownGrace, "shutdownGrace");
        if (shutdownGrace.isNegative()) {
            throw new IllegalArgumentException("shutdownGrace must not be negative");
        }
    }
}
