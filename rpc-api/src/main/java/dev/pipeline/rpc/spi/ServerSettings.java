package dev.pipeline.rpc.spi;

import java.time.Duration;
import java.util.Objects;

/**
 * What the core tells a server transport about one service subscription.
 *
 * @param maxInFlight      the most messages handed to the handler and not yet acknowledged; when reached the
 *                         transport stops fetching (Kafka: pause partitions; Redis: stop reading) until some complete
 * @param shutdownGrace    how long {@link ServerChannel#close()} waits for in-flight messages
 * @param maxInFlightBytes the most bytes of message bodies handed to the handler whose outcome is not yet produced;
 *                         a message that would exceed it waits (and the transport stops fetching) until some
 *                         complete, except that one message is always let through when nothing else is in flight
 */
public record ServerSettings(int maxInFlight, Duration shutdownGrace, long maxInFlightBytes) {
    /** The default of {@link #maxInFlightBytes()}: 32 MiB, sized so that a server runs in a 256 MiB heap. */
    public static final long DEFAULT_MAX_IN_FLIGHT_BYTES = 32L << 20;

    /**
     * Checks the values.
     *
     * @param maxInFlight      at least 1
     * @param shutdownGrace    zero or more
     * @param maxInFlightBytes at least 1
     * @throws IllegalArgumentException when a value is out of range
     */
    public ServerSettings {
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("maxInFlight must be >= 1, was " + maxInFlight);
        }
        Objects.requireNonNull(shutdownGrace, "shutdownGrace");
        if (shutdownGrace.isNegative()) {
            throw new IllegalArgumentException("shutdownGrace must not be negative");
        }
        if (maxInFlightBytes < 1) {
            throw new IllegalArgumentException("maxInFlightBytes must be >= 1, was " + maxInFlightBytes);
        }
    }

    /**
     * Settings with the default byte budget, {@link #DEFAULT_MAX_IN_FLIGHT_BYTES}.
     *
     * @param maxInFlight   at least 1
     * @param shutdownGrace zero or more
     */
    public ServerSettings(int maxInFlight, Duration shutdownGrace) {
        this(maxInFlight, shutdownGrace, DEFAULT_MAX_IN_FLIGHT_BYTES);
    }
}
