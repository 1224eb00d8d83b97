package dev.pipeline.rpc;

import dev.pipeline.rpc.spi.Secrets;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/** Immutable client configuration; build with {@link #builder()}. */
public final class ClientConfig {
    private final Duration defaultTimeout;
    private final int maxInFlight;
    private final String clientId;
    private final Duration readyTimeout;
    private final Limits limits;
    private final RpcMetrics metrics;
    private final RpcTracing tracing;
    private final HedgePolicy hedging;
    private final boolean failWithoutServer;
    private final Map<String, String> transportProperties;

    private ClientConfig(Builder b) {
        this.defaultTimeout = b.defaultTimeout;
        this.maxInFlight = b.maxInFlight;
        this.clientId = b.clientId != null ? b.clientId : randomId();
        this.readyTimeout = b.readyTimeout;
        this.limits = b.limits;
        this.metrics = b.metrics;
        this.tracing = b.tracing;
        this.hedging = b.hedging;
        this.failWithoutServer = b.failWithoutServer;
        this.transportProperties = Map.copyOf(b.transportProperties);
    }

    /** @return a builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the defaults. */
    public static ClientConfig defaults() {
        return builder().build();
    }

    /** {@return the timeout of calls that name none (default 30 s)} */
    public Duration defaultTimeout() {
        return defaultTimeout;
    }

    /**
     * {@return the most calls awaiting a reply at once (default 10,000)} More fail with
     * {@link ErrorCodes#OVERLOADED}.
     */
    public int maxInFlight() {
        return maxInFlight;
    }

    /**
     * A random client id: {@code c-} and 20 base-32 characters (100 random bits). Short on purpose: it travels in
     * every request and every reply ({@code rpc-client}), and header bytes cost broker work per message.
     */
    static String randomId() {
        java.security.SecureRandom random = RANDOM;
        char[] out = new char[22];
        out[0] = 'c';
        out[1] = '-';
        String alphabet = "abcdefghijklmnopqrstuvwxyz234567";
        for (int i = 2; i < out.length; i++) {
            out[i] = alphabet.charAt(random.nextInt(32));
        }
        return new String(out);
    }

    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    /** {@return the client instance id sent as {@code rpc-client} (default: {@code c-} and 20 random characters)} */
    public String clientId() {
        return clientId;
    }

    /**
     * {@return how long creating a client waits for its transport to be ready to receive replies (default 30 s)} A
     * broker
     * address where nothing listens is reported sooner: the Kafka and Redis transports fail after about 2 s with
     * {@code cannot reach ... at host:port} ({@link dev.pipeline.rpc.spi.Reachability}).
     */
    public Duration readyTimeout() {
        return readyTimeout;
    }

    /** {@return the bounds on replies this client parses (default {@link Limits#DEFAULT})} */
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
     * {@return when calls to {@link Idempotent} methods are sent again after a delay without a reply (default
     * {@link HedgePolicy#defaults()}; {@link HedgePolicy#disabled()} for never)}
     */
    public HedgePolicy hedging() {
        return hedging;
    }

    /**
     * {@return whether a call to a service that no server has ever served at the broker fails at once with
     * {@link ErrorCodes#NO_SERVER} ({@code no server for 'calc' at kafka://host:port}) instead of waiting out its
     * timeout (default true)} The transport's answer is cached per service: a served service is checked again after
     * 10 minutes, in the background; an unserved one at most once a second, so a server started later is found.
     * False: such calls are sent anyway, and a server started within their timeout answers them (the broker keeps
     * them).
     */
    public boolean failWithoutServer() {
        return failWithoutServer;
    }

    /** {@return the options passed through to the transport (for Kafka, any client property); unmodifiable} */
    public Map<String, String> transportProperties() {
        return transportProperties;
    }

    /** {@return the settings, with the values of transport properties that hold credentials masked} */
    @Override
    public String toString() {
        return "ClientConfig{clientId=" + clientId + ", defaultTimeout=" + defaultTimeout + ", maxInFlight="
                + maxInFlight + ", readyTimeout=" + readyTimeout + ", hedging=" + hedging
                + ", failWithoutServer=" + failWithoutServer
                + ", transportProperties="
                + Secrets.masked(transportProperties) + "}";
    }

    /** Builder of {@link ClientConfig}; values are validated as they are set. */
    public static final class Builder {
        private Duration defaultTimeout = Duration.ofSeconds(30);
        private int maxInFlight = 10_000;
        private String clientId;
        private Duration readyTimeout = Duration.ofSeconds(30);
        private Limits limits = Limits.DEFAULT;
        private RpcMetrics metrics = RpcMetrics.noop();
        private RpcTracing tracing = RpcTracing.disabled();
        private HedgePolicy hedging = HedgePolicy.defaults();
        private boolean failWithoutServer = true;
        private final java.util.LinkedHashMap<String, String> transportProperties = new java.util.LinkedHashMap<>();

        private Builder() {
        }

        /**
         * Sets the timeout of calls that name none (default 30 s).
         *
         * @param timeout positive
         * @return this builder
         * @throws IllegalArgumentException when zero or negative
         */
        public Builder defaultTimeout(Duration timeout) {
            this.defaultTimeout = positive(timeout, "defaultTimeout");
            return this;
        }

        /**
         * Sets the most calls awaiting a reply at once (default 10,000).
         *
         * @param max at least 1; calls beyond it fail at once with {@link ErrorCodes#OVERLOADED}
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
         * Sets the client instance id sent as {@code rpc-client} (default: random).
         *
         * @param id 1 to 200 characters of {@code [A-Za-z0-9._-]}
         * @return this builder
         * @throws IllegalArgumentException for other characters or lengths
         */
        public Builder clientId(String id) {
            Objects.requireNonNull(id, "clientId");
            if (id.isBlank() || !id.matches("[A-Za-z0-9._-]{1,200}")) {
                throw new IllegalArgumentException("clientId must be 1-200 chars of [A-Za-z0-9._-], was '" + id + "'");
            }
            this.clientId = id;
            return this;
        }

        /**
         * Sets how long creating a client waits for its transport to be ready for replies (default 30 s).
         *
         * @param timeout positive
         * @return this builder
         * @throws IllegalArgumentException when zero or negative
         */
        public Builder readyTimeout(Duration timeout) {
            this.readyTimeout = positive(timeout, "readyTimeout");
            return this;
        }

        /**
         * Sets the bounds on replies this client parses (default {@link Limits#DEFAULT}).
         *
         * @param limits the bounds; a reply over one fails its call
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
         * @param tracing how to trace calls
         * @return this builder
         */
        public Builder tracing(RpcTracing tracing) {
            this.tracing = Objects.requireNonNull(tracing, "tracing");
            return this;
        }

        /**
         * Sets when idempotent calls are hedged (default {@link HedgePolicy#defaults()}).
         *
         * @param policy the policy; {@link HedgePolicy#disabled()} for never
         * @return this builder
         */
        public Builder hedging(HedgePolicy policy) {
            this.hedging = Objects.requireNonNull(policy, "hedging");
            return this;
        }

        /**
         * Whether calls to a service no server has ever served fail at once with {@link ErrorCodes#NO_SERVER}
         * (default true); see {@link ClientConfig#failWithoutServer()}.
         *
         * @param fail false to send such calls anyway, for a server started within their timeout
         * @return this builder
         */
        public Builder failWithoutServer(boolean fail) {
            this.failWithoutServer = fail;
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

        /** @return the configuration */
        public ClientConfig build() {
            return new ClientConfig(this);
        }
    }

    static Duration positive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + d);
        }
        return d;
    }
}
