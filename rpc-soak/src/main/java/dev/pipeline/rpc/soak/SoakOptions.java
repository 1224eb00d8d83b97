package dev.pipeline.rpc.soak;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/** The soak's settings: immutable, validated by {@link Builder#build()}. */
public final class SoakOptions {
    private final List<String> transports;
    private final int servers;
    private final int calls;
    private final int inFlight;
    private final int rate;
    private final Duration killEvery;
    private final int maxKills;
    private final Duration callTimeout;
    private final Duration grace;
    private final boolean idempotent;
    private final String dedup;
    private final boolean stableIdentities;
    private final boolean graceful;
    private final java.util.Map<String, String> serverOptions;
    private final String broker;
    private final long seed;
    private final Path workDir;

    private SoakOptions(Builder b) {
        transports = List.copyOf(b.transports);
        servers = b.servers;
        calls = b.calls;
        inFlight = b.inFlight;
        rate = b.rate;
        killEvery = b.killEvery;
        maxKills = b.maxKills;
        callTimeout = b.callTimeout;
        grace = b.grace;
        broker = b.broker;
        seed = b.seed;
        workDir = b.workDir;
        idempotent = b.idempotent;
        dedup = b.dedup;
        stableIdentities = b.stableIdentities;
        graceful = b.graceful;
        serverOptions = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(b.serverOptions));
    }

    /** @return a builder with the defaults: kafka and redis, 3 servers, 10,000 calls, 64 in flight, a kill every 10 s */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the transports to soak, in order ({@code kafka}, {@code redis}) */
    public List<String> transports() {
        return transports;
    }

    /** @return the number of server processes kept running */
    public int servers() {
        return servers;
    }

    /** @return the number of calls the load client makes */
    public int calls() {
        return calls;
    }

    /** @return the most calls outstanding at once */
    public int inFlight() {
        return inFlight;
    }

    /** @return calls started per second at most, 0 for as fast as the window allows */
    public int rate() {
        return rate;
    }

    /** @return the interval between two kills */
    public Duration killEvery() {
        return killEvery;
    }

    /** @return the most kills in a run, 0 for no limit */
    public int maxKills() {
        return maxKills;
    }

    /** @return each call's timeout */
    public Duration callTimeout() {
        return callTimeout;
    }

    /** @return how long after the last call's timeout a call still open counts as hung */
    public Duration grace() {
        return grace;
    }

    /** @return the broker URI to use instead of a local one; only for its own transport */
    public Optional<String> broker() {
        return Optional.ofNullable(broker);
    }

    /** @return the seed of the choice of the server to kill */
    public long seed() {
        return seed;
    }

    /**
     * @return where the servers keep a dedup window for the soak's method, declared idempotent on the server side:
     * {@code none} (not declared, the default), {@code memory} (each server's own) or {@code redis} (one shared by all
     * servers, in a Redis: the broker on the Redis transport, a local redis-server beside Kafka)
     */
    public String dedup() {
        return dedup;
    }

    /** @return whether the load's calls are declared idempotent, so the client may hedge them */
    public boolean idempotent() {
        return idempotent;
    }

    /**
     * @return whether each server keeps a stable identity that its replacement takes over (Kafka: static membership,
     *     {@code group.instance.id} = the server's slot), as a StatefulSet or a restarting supervisor gives it
     */
    public boolean stableIdentities() {
        return stableIdentities;
    }

    /**
     * @return whether the scheduled stops are graceful (SIGTERM: the server closes and hands its work over, as in a
     *     rolling restart) instead of {@code kill -9}
     */
    public boolean graceful() {
        return graceful;
    }

    /** @return transport options (the URI query's keys: Kafka or Redis options) that each server process gets */
    public java.util.Map<String, String> serverOptions() {
        return serverOptions;
    }

    /** @return where the execution logs and server output go; a new temporary folder when empty */
    public Optional<Path> workDir() {
        return Optional.ofNullable(workDir);
    }

    /** Builds {@link SoakOptions}. */
    public static final class Builder {
        private List<String> transports = List.of("kafka", "redis");
        private int servers = 3;
        private int calls = 10_000;
        private int inFlight = 64;
        private int rate;
        private Duration killEvery = Duration.ofSeconds(10);
        private int maxKills;
        private Duration callTimeout = Duration.ofSeconds(30);
        private Duration grace = Duration.ofSeconds(30);
        private String broker;
        private long seed = 1;
        private Path workDir;
        private boolean idempotent;
        private String dedup = "none";
        private boolean stableIdentities;
        private boolean graceful;
        private final java.util.Map<String, String> serverOptions = new java.util.LinkedHashMap<>();

        private Builder() {
        }

        /** The transports, {@code kafka} and/or {@code redis}. */
        public Builder transports(List<String> t) {
            transports = t.stream().map(s -> s.trim().toLowerCase(Locale.ROOT)).toList();
            return this;
        }

        /** Server processes, at least 2 (one is killed, the others answer). */
        public Builder servers(int n) {
            servers = n;
            return this;
        }

        /** Calls, at least 1. */
        public Builder calls(int n) {
            calls = n;
            return this;
        }

        /** Calls in flight, at least 1. */
        public Builder inFlight(int n) {
            inFlight = n;
            return this;
        }

        /** Calls started per second at most; 0 (the default) for no limit. */
        public Builder rate(int perSecond) {
            rate = perSecond;
            return this;
        }

        /** The interval between kills, positive. */
        public Builder killEvery(Duration d) {
            killEvery = Objects.requireNonNull(d, "killEvery");
            return this;
        }

        /** The most kills, 0 (the default) for no limit. */
        public Builder maxKills(int n) {
            maxKills = n;
            return this;
        }

        /** Each call's timeout, positive. */
        public Builder callTimeout(Duration d) {
            callTimeout = Objects.requireNonNull(d, "callTimeout");
            return this;
        }

        /** The wait past the call timeout before open calls count as hung, not negative. */
        public Builder grace(Duration d) {
            grace = Objects.requireNonNull(d, "grace");
            return this;
        }

        /** A {@code kafka://} or {@code redis://} broker to use instead of a local one; null for local brokers. */
        public Builder broker(String uri) {
            broker = uri == null || uri.isBlank() ? null : uri.trim();
            return this;
        }

        /** The seed of the kill choice. */
        public Builder seed(long s) {
            seed = s;
            return this;
        }

        /** See {@link SoakOptions#dedup()}: {@code none}, {@code memory} or {@code redis}. */
        public Builder dedup(String where) {
            if (!java.util.Set.of("none", "memory", "redis").contains(where)) {
                throw new IllegalArgumentException("dedup must be none, memory or redis, was '" + where + "'");
            }
            dedup = where;
            return this;
        }

        /** Whether the calls are declared idempotent ({@code RpcClient.idempotent()}), so they may be hedged. */
        public Builder idempotent(boolean on) {
            idempotent = on;
            return this;
        }

        /** Whether a replacement server takes over the identity of the one it replaces (Kafka: static membership). */
        public Builder stableIdentities(boolean on) {
            stableIdentities = on;
            return this;
        }

        /** Whether the scheduled stops send SIGTERM (a rolling restart) instead of SIGKILL. */
        public Builder graceful(boolean on) {
            graceful = on;
            return this;
        }

        /** A transport option for the server processes, added to their URI's query (for example a Kafka property). */
        public Builder serverOption(String key, String value) {
            if (key == null || key.isBlank() || value == null || !key.matches("[A-Za-z0-9._-]+")) {
                throw new IllegalArgumentException("--server-option needs KEY=VALUE with a key of letters, digits,"
                        + " '.', '_' or '-', got '" + key + "'");
            }
            serverOptions.put(key, value);
            return this;
        }

        /** The folder for logs; null for a new temporary folder. */
        public Builder workDir(Path dir) {
            workDir = dir;
            return this;
        }

        /**
         * @return the options
         * @throws IllegalArgumentException for a value out of range or a broker whose scheme is not a transport soaked
         */
        public SoakOptions build() {
            if (transports.isEmpty()) {
                throw new IllegalArgumentException("--transport: at least one of kafka, redis");
            }
            for (String t : transports) {
                if (!t.equals("kafka") && !t.equals("redis")) {
                    throw new IllegalArgumentException("--transport: kafka or redis, not " + t);
                }
            }
            if (servers < 2 || servers > 32) {
                throw new IllegalArgumentException("--servers: 2 to 32, not " + servers);
            }
            if (calls < 1) {
                throw new IllegalArgumentException("--calls: at least 1, not " + calls);
            }
            if (inFlight < 1 || inFlight > 10_000) {
                throw new IllegalArgumentException("--in-flight: 1 to 10000, not " + inFlight);
            }
            if (rate < 0) {
                throw new IllegalArgumentException("--rate: 0 or more, not " + rate);
            }
            if (maxKills < 0) {
                throw new IllegalArgumentException("--kills: 0 or more, not " + maxKills);
            }
            if (killEvery.isNegative() || killEvery.toMillis() < 100) {
                throw new IllegalArgumentException("--kill-every: at least 100ms, not " + killEvery);
            }
            if (callTimeout.isNegative() || callTimeout.isZero()) {
                throw new IllegalArgumentException("--call-timeout: positive, not " + callTimeout);
            }
            if (grace.isNegative()) {
                throw new IllegalArgumentException("--grace: not negative, not " + grace);
            }
            if (broker != null) {
                String scheme = broker.contains("://") ? broker.substring(0, broker.indexOf("://"))
                        .toLowerCase(Locale.ROOT) : "";
                String transport = scheme.equals("rediss") ? "redis" : scheme;
                if (!transport.equals("kafka") && !transport.equals("redis")) {
                    throw new IllegalArgumentException("--broker: a kafka:// or redis:// URI, not " + broker);
                }
                if (!transports.equals(List.of(transport))) {
                    throw new IllegalArgumentException("--broker " + broker + " serves only --transport " + transport);
                }
            }
            return new SoakOptions(this);
        }
    }
}
