package dev.pipeline.rpc;

import dev.pipeline.rpc.spi.Secrets;
import dev.pipeline.rpc.spi.ServerSettings;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;

/** Immutable server configuration; build with {@link #builder()}. */
public final class ServerConfig {
    private final int concurrency;
    private final int maxInFlight;
    private final long maxInFlightBytes;
    private final Duration shutdownGrace;
    private final Limits limits;
    private final RpcMetrics metrics;
    private final RpcTracing tracing;
    private final Map<String, String> transportProperties;
    private final Executor executor;

    private ServerConfig(Builder b) {
        this.executor = b.executor;
        this.concurrency = b.concurrency;
        this.maxInFlight = Math.max(b.maxInFlight, b.concurrency);
        this.maxInFlightBytes = b.maxInFlightBytes;
        this.shutdownGrace = b.shutdownGrace;
        this.limits = b.limits;
        this.metrics = b.metrics;
        this.tracing = b.tracing;
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

    /**
     * Threads running handlers in parallel (default 16). Ignored when an {@link #executor()} is given: that
     * executor's own bound applies.
     */
    public int concurrency() {
        return concurrency;
    }

    /** Messages taken from the broker and not yet acknowledged, per service (default 1024, at least concurrency). */
    public int maxInFlight() {
        return maxInFlight;
    }

    /**
     * Bytes of request bodies taken from the broker whose outcome is not yet produced, per service (default 32 MiB,
     * {@link ServerSettings#DEFAULT_MAX_IN_FLIGHT_BYTES}). A request that would exceed it waits on the broker until
     * work completes; one request is always let through when nothing is in flight, however large. A request takes a
     * few times its size of heap while it runs (its bytes, its parsed form, the handler's arguments), and the
     * transport buffers about as much again: the default keeps a server inside a 256 MiB heap with 1 MiB requests.
     */
    public long maxInFlightBytes() {
        return maxInFlightBytes;
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

    /** Whether calls are traced (default {@link RpcTracing#disabled()}); see docs/tracing.md. */
    public RpcTracing tracing() {
        return tracing;
    }

    /**
     * The executor that runs handlers, when one was given with {@link Builder#executor(Executor)} or
     * {@link Builder#directExecutor()}; empty (the default) when the server runs them on a pool of its own with
     * {@link #concurrency()} threads. The server never shuts a given executor down.
     */
    public Optional<Executor> executor() {
        return Optional.ofNullable(executor);
    }

    /** Options passed through to the transport. */
    public Map<String, String> transportProperties() {
        return transportProperties;
    }

    /** The settings, with the values of transport properties that hold credentials masked. */
    @Override
    public String toString() {
        return "ServerConfig{concurrency=" + concurrency + ", maxInFlight=" + maxInFlight + ", maxInFlightBytes="
                + maxInFlightBytes + ", shutdownGrace="
                + shutdownGrace + ", executor=" + (executor == null ? "pool" : executor) + ", transportProperties="
                + Secrets.masked(transportProperties) + "}";
    }

    /** Builder of {@link ServerConfig}; values are validated as they are set. */
    public static final class Builder {
        private int concurrency = 16;
        private int maxInFlight = 1024;
        private long maxInFlightBytes = ServerSettings.DEFAULT_MAX_IN_FLIGHT_BYTES;
        private Duration shutdownGrace = Duration.ofSeconds(10);
        private Limits limits = Limits.DEFAULT;
        private RpcMetrics metrics = RpcMetrics.noop();
        private RpcTracing tracing = RpcTracing.disabled();
        private final java.util.LinkedHashMap<String, String> transportProperties = new java.util.LinkedHashMap<>();
        private Executor executor;

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

        /** See {@link ServerConfig#maxInFlightBytes()}; at least 1. */
        public Builder maxInFlightBytes(long bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("maxInFlightBytes must be >= 1, was " + bytes);
            }
            this.maxInFlightBytes = bytes;
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

        /**
         * Runs handlers on {@code executor} instead of the server's own pool (for example a virtual-thread executor
         * on Java 21). The server does not shut it down. Its queue should be bounded or unbounded but never
         * reject while the server runs: a rejected message is answered -32603 "the server is shutting down".
         */
        public Builder executor(Executor executor) {
            this.executor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /**
         * Runs handlers directly on the transport's thread that received the message, with no hand-off to a pool
         * (like gRPC's {@code directExecutor()} or a Spring Kafka listener): the fastest way to serve methods that
         * never block. A handler that blocks stalls every request of its service behind it on that server instance
         * (on Kafka, for longer than {@code max.poll.interval.ms} the instance leaves its group); methods that
         * return a {@link java.util.concurrent.CompletionStage} may hand their own slow work elsewhere.
         * Messages still run in parallel across services and transports' threads; batch elements run one after
         * another.
         */
        public Builder directExecutor() {
            this.executor = DirectExecutor.INSTANCE;
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

        /**
         * Whether calls are traced (default {@link RpcTracing#disabled()}), e.g.
         * {@code OpenTelemetryTracing.of(openTelemetry)}: see docs/tracing.md.
         */
        public Builder tracing(RpcTracing tracing) {
            this.tracing = Objects.requireNonNull(tracing, "tracing");
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

    /** Runs each task on the calling thread. */
    enum DirectExecutor implements Executor {
        INSTANCE;

        @Override
        public void execute(Runnable command) {
            command.run();
        }

        @Override
        public String toString() {
            return "direct executor";
        }
    }
}
