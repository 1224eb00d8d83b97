package dev.pipeline.rpc;

import dev.pipeline.rpc.spi.DedupStore;
import dev.pipeline.rpc.spi.Secrets;
import dev.pipeline.rpc.spi.ServerSettings;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
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
    private final Duration dedupWindow;
    private final DedupStore dedupStore;
    private final Set<String> idempotent;

    private ServerConfig(Builder b) {
        this.dedupWindow = b.dedupWindow;
        this.dedupStore = b.dedupStore;
        this.idempotent = Set.copyOf(b.idempotent);
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
     * {@return the threads running handlers in parallel (default 16)} Ignored when an {@link #executor()} is given: that
     * executor's own bound applies.
     */
    public int concurrency() {
        return concurrency;
    }

    /**
     * {@return the messages taken from the broker and not yet acknowledged, per service (default 1024, at least
     * {@link #concurrency()})}
     */
    public int maxInFlight() {
        return maxInFlight;
    }

    /**
     * {@return the bytes of request bodies taken from the broker whose outcome is not yet produced, per service
     * (default 32 MiB, {@link ServerSettings#DEFAULT_MAX_IN_FLIGHT_BYTES})} A request that would exceed it waits on the broker until
     * work completes; one request is always let through when nothing is in flight, however large. A request takes a
     * few times its size of heap while it runs (its bytes, its parsed form, the handler's arguments), and the
     * transport buffers about as much again: the default keeps a server inside a 256 MiB heap with 1 MiB requests.
     */
    public long maxInFlightBytes() {
        return maxInFlightBytes;
    }

    /** {@return how long {@code close()} waits for in-flight work (default 10 s)} */
    public Duration shutdownGrace() {
        return shutdownGrace;
    }

    /** {@return the bounds on input (default {@link Limits#DEFAULT})} */
    public Limits limits() {
        return limits;
    }

    /** {@return where metrics go (default: nowhere)} */
    public RpcMetrics metrics() {
        return metrics;
    }

    /**
     * How calls are traced (default {@link RpcTracing#disabled()}); see docs/tracing.md.
     *
     * @return the tracing; {@link RpcTracing#disabled()} for none
     */
    public RpcTracing tracing() {
        return tracing;
    }

    /**
     * {@return the executor that runs handlers, if one was given} It is present when one was given with {@link Builder#executor(Executor)} or
     * {@link Builder#directExecutor()}; empty (the default) when the server runs them on a pool of its own with
     * {@link #concurrency()} threads. The server never shuts a given executor down.
     */
    public Optional<Executor> executor() {
        return Optional.ofNullable(executor);
    }

    /**
     * How long the outcome of a call to an idempotent method is kept to answer the same request delivered again
     * (default 2 minutes; {@link Duration#ZERO}: not kept). A method is idempotent when it, its class or the
     * interface it is exposed through carries {@link Idempotent}, or when {@link Builder#idempotent} names it. A
     * request is "the same" when it has the same client id and correlation id ({@code rpc-client}, {@code rpc-id}),
     * which every attempt of a call shares, and the same method and params; it is then answered with the stored
     * result under its own JSON-RPC id, and the method does not run. Only results are kept, not errors: a call that
     * failed runs again when it comes again. Two attempts that arrive while neither has finished both run.
     *
     * @return the window; zero when off
     */
    public Duration dedupWindow() {
        return dedupWindow;
    }

    /**
     * The store of the {@link #dedupWindow()} when one was given; empty (the default) when each server keeps its own
     * in memory ({@link DedupStore#inMemory}, 10,000 entries and 16 MiB at most), which covers a request delivered
     * again to the same instance. A store shared by all instances also covers a request that another instance
     * receives after its first server died.
     *
     * @return the store given, or empty for the default
     */
    public Optional<DedupStore> dedupStore() {
        return Optional.ofNullable(dedupStore);
    }

    /**
     * Whether {@link Builder#idempotent} declared {@code method} of {@code service} idempotent (annotations are read
     * from the methods themselves).
     *
     * @param service a service name
     * @param method  a method name
     * @return whether it was declared so in this configuration
     */
    public boolean declaredIdempotent(String service, String method) {
        return !idempotent.isEmpty() && (idempotent.contains(service + "\n" + method)
                || idempotent.contains(service + "\n"));
    }

    /** {@return the options passed through to the transport; unmodifiable} */
    public Map<String, String> transportProperties() {
        return transportProperties;
    }

    /** {@return the settings, with the values of transport properties that hold credentials masked} */
    @Override
    public String toString() {
        return "ServerConfig{concurrency=" + concurrency + ", maxInFlight=" + maxInFlight + ", maxInFlightBytes="
                + maxInFlightBytes + ", shutdownGrace="
                + shutdownGrace + ", executor=" + (executor == null ? "pool" : executor) + ", dedupWindow="
                + dedupWindow + ", dedupStore=" + (dedupStore == null ? "in memory" : dedupStore)
                + ", transportProperties="
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
        private Duration dedupWindow = Duration.ofMinutes(2);
        private DedupStore dedupStore;
        private final java.util.HashSet<String> idempotent = new java.util.HashSet<>();

        private Builder() {
        }

        /**
         * Sets how long results of idempotent methods are kept ({@link ServerConfig#dedupWindow()}).
         *
         * @param window from zero (off) to a day
         * @return this builder
         * @throws IllegalArgumentException when outside that range
         */
        public Builder dedupWindow(Duration window) {
            Objects.requireNonNull(window, "dedupWindow");
            if (window.isNegative() || window.compareTo(Duration.ofDays(1)) > 0) {
                throw new IllegalArgumentException("dedupWindow must be 0..1 day, was " + window);
            }
            this.dedupWindow = window;
            return this;
        }

        /**
         * Sets the store of the dedup window ({@link ServerConfig#dedupStore()}); the server does not close it.
         *
         * @param store a store, for example one shared by every instance
         * @return this builder
         */
        public Builder dedupStore(DedupStore store) {
            this.dedupStore = Objects.requireNonNull(store, "dedupStore");
            return this;
        }

        /**
         * Declares methods idempotent as {@link Idempotent} would (for methods registered with
         * {@link RpcServer#handle}, or classes the user cannot annotate): the named {@code methods} of
         * {@code service}, or every method of it when none is named.
         *
         * @param service a valid service name
         * @param methods method names; none for every method of the service
         * @return this builder
         * @throws IllegalArgumentException for an invalid service name
         */
        public Builder idempotent(String service, String... methods) {
            Objects.requireNonNull(service, "service");
            MethodTables.checkServiceName(service);
            if (methods.length == 0) {
                idempotent.add(service + "\n");
            }
            for (String m : methods) {
                idempotent.add(service + "\n" + Objects.requireNonNull(m, "method"));
            }
            return this;
        }

        /**
         * Sets the threads running handlers in parallel (default 16); ignored when an executor is given.
         *
         * @param threads from 1 to 10,000
         * @return this builder
         * @throws IllegalArgumentException when outside that range
         */
        public Builder concurrency(int threads) {
            if (threads < 1 || threads > 10_000) {
                throw new IllegalArgumentException("concurrency must be 1..10000, was " + threads);
            }
            this.concurrency = threads;
            return this;
        }

        /**
         * Sets the messages taken from the broker and not yet acknowledged, per service (default 1024). A value below
         * the concurrency is raised to it.
         *
         * @param max at least 1
         * @return this builder
         * @throws IllegalArgumentException when below 1
         */
        public Builder maxInFlight(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxInFlight must be >= 1, was " + max);
            }
            this.maxInFlight = max;
            return this;
        }

        /**
         * Sets the bytes of request bodies in flight per service; see {@link ServerConfig#maxInFlightBytes()}.
         *
         * @param bytes at least 1
         * @return this builder
         * @throws IllegalArgumentException when below 1
         */
        public Builder maxInFlightBytes(long bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("maxInFlightBytes must be >= 1, was " + bytes);
            }
            this.maxInFlightBytes = bytes;
            return this;
        }

        /**
         * Sets how long {@code close()} waits for in-flight work (default 10 s).
         *
         * @param grace zero or more; zero stops without waiting
         * @return this builder
         * @throws IllegalArgumentException when negative
         */
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
         *
         * @param executor runs each handler call
         * @return this builder
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
         *
         * @return this builder
         */
        public Builder directExecutor() {
            this.executor = DirectExecutor.INSTANCE;
            return this;
        }

        /**
         * Sets the bounds on input (default {@link Limits#DEFAULT}).
         *
         * @param limits the bounds; a request over one is answered with -32600
         * @return this builder
         */
        public Builder limits(Limits limits) {
            this.limits = Objects.requireNonNull(limits, "limits");
            return this;
        }

        /**
         * Sets where metrics go (default: nowhere).
         *
         * @param metrics e.g. a {@link MicrometerRpcMetrics}
         * @return this builder
         */
        public Builder metrics(RpcMetrics metrics) {
            this.metrics = Objects.requireNonNull(metrics, "metrics");
            return this;
        }

        /**
         * Sets whether calls are traced (default {@link RpcTracing#disabled()}), e.g.
         * {@code OpenTelemetryTracing.of(openTelemetry)}: see docs/tracing.md.
         *
         * @param tracing how to trace requests
         * @return this builder
         */
        public Builder tracing(RpcTracing tracing) {
            this.tracing = Objects.requireNonNull(tracing, "tracing");
            return this;
        }

        /**
         * Adds one option passed through to the transport (for Kafka, any client property).
         *
         * @param key the option's name, as in a transport URI's query
         * @param value its value as text
         * @return this builder
         */
        public Builder transportProperty(String key, String value) {
            transportProperties.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * Adds options passed through to the transport, as {@link #transportProperty(String, String)} does.
         *
         * @param properties options by name
         * @return this builder
         */
        public Builder transportProperties(Map<String, String> properties) {
            properties.forEach(this::transportProperty);
            return this;
        }

        /** {@return the configuration, immutable} */
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
