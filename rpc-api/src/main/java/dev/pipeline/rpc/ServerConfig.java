package dev.pipeline.rpc;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/** Immutable server configuration; build with {@link #builder()}. */
public final class ServerConfig {
    private final int concurrency;
    private final int maxInFlight;
    private final Duration shutdownGrace;
    private final Limits limits;
    private final RpcMetrics metrics;
    private final Map<String, String> transportProperties;

    private ServerConfig(Builder b) {
        this.concurrency = b.concurrency;
        this.maxInFlight = Math.max(b.maxInFlight, b.concurrency);
        this.shutdownGrace = b.shutdownGrace;
        this.limits = b.limits;
        this.metrics = b.metrics;
        this.transportProperties = Map.copyOf(b.transportProperties);
    }

    /** @return a builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the defaults. */
    public static ServerConfig defaults() {
        return builder().build();
    }

    /** Threads running handlers in parallel (default 16). */
    public int concurrency() {
        return concurrency;
    }

    /** Messages taken from the broker and not yet acknowledged, per service (default 1024, at least concurrency). */
    public int maxInFlight() {
        return maxInFlight;
    }

    /** How long {@code close()} waits for in-flight work (default 10 s). */
    public Duration shutdownGrace() {
        return shutdownGrace;
    }

    /** Bounds on input. */
    public Limits limits() {
        return limits;
    }

    /** Where metrics go (default: nowhere). */
    public RpcMetrics metrics() {
        return metrics;
    }

    /** Options passed through to the transport. */
    public Map<String, String> transportProperties() {
        return transportProperties;
    }

    /** Builder of {@link ServerConfig}; values are validated as they are set. */
    public static final class Builder {
        private int concurrency = 16;
        private int maxInFlight = 1024;
        private Duration shutdownGrace = Duration.ofSeconds(10);
        private Limits limits = Limits.DEFAULT;
        private RpcMetrics metrics = RpcMetrics.noop();
        private final java.util.LinkedHashMap<String, String> transportProperties = new java.util.LinkedHashMap<>();

        private Builder() {
        }

        public Builder concurrency(int threads) {
            if (threads < 1 || threads > 10_000) {
                throw new IllegalArgumentException("concurrency must be 1..10000, was " + threads);
            }
            this.concurrency = threads;
            return this;
        }

        public Builder maxInFlight(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxInFlight must be >= 1, was " + max);
            }
            this.maxInFlight = max;
            return this;
        }

        public Builder shutdownGrace(Duration grace) {
            Objects.requireNonNull(grace, "shutdownGrace");
            if (grace.isNegative()) {
                throw new IllegalArgumentException("shutdownGrace must not be negative, was " + grace);
            }
            this.shutdownGrace = grace;
            return this;
        }

        public Builder limits(Limits limits) {
            this.limits = Objects.requireNonNull(limits, "limits");
            return this;
        }

        public Builder metrics(RpcMetrics metrics) {
            this.metrics = Objects.requireNonNull(metrics, "metrics");
            return this;
        }

        public Builder transportProperty(String key, String value) {
            transportProperties.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        public Builder transportProperties(Map<String, String> properties) {
            properties.forEach(this::transportProperty);
            return this;
        }

        public ServerConfig build() {
            return new ServerConfig(this);
        }
    }
}
