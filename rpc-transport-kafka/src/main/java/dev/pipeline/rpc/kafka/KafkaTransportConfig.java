package dev.pipeline.rpc.kafka;

import dev.pipeline.rpc.spi.Secrets;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Immutable configuration of the Kafka transport; build with {@link #builder()} or derive from a URI with
 * {@link #from(URI, Map)}.
 *
 * <p>Names: a service {@code calc} has its requests on topic {@code <topicPrefix>calc} (default {@code rpc.calc}),
 * consumed by group {@code <topicPrefix>calc}, and dead letters on {@code <topicPrefix>calc.dlq}. Replies go to a
 * shared reply topic ({@link #replyTopic()}, default {@code rpc-replies}) where each client instance reads one
 * partition it is assigned to (no consumer group, so no rebalance) and keeps only the records whose
 * {@code rpc-client} header is its own id.
 *
 * <p>Producer defaults are latency-first ({@link Preset#LATENCY}): {@code linger.ms=0}, because Kafka 4 made
 * {@code linger.ms} 5 ms by default and a request/reply pays it twice (request and reply), which turns a ~0.15 ms
 * round trip into ~10 ms. {@link Preset#THROUGHPUT} trades latency for batching. Any Kafka client property
 * ({@code security.protocol}, {@code sasl.*}, {@code ssl.*}, {@code acks}, ...) is passed through to every client
 * the transport creates and overrides the preset.
 *
 * <p>The consumer that reads a service's requests detects a dead server in seconds: {@code session.timeout.ms}
 * {@value #DEFAULT_SESSION_TIMEOUT_MS}, {@code heartbeat.interval.ms} {@value #DEFAULT_HEARTBEAT_INTERVAL_MS} and
 * {@code request.timeout.ms} {@value #DEFAULT_CONSUMER_REQUEST_TIMEOUT_MS} with the classic group protocol (Kafka's
 * defaults are for stream processing: a crashed server's requests waited 45 s and more); explicit Kafka properties
 * win (docs/semantics.md, "Failover").
 *
 * <p>URI form: {@code kafka://host1:9092,host2:9092?topicPrefix=rpc.&partitions=12&security.protocol=SSL}. Query
 * parameters and the properties map accept the option names of this class's builder methods
 * ({@code topicPrefix}, {@code partitions}, {@code replicationFactor}, {@code minInsyncReplicas},
 * {@code autoCreateTopics}, {@code replyTopic},
 * {@code replyPartitions}, {@code maxMessageBytes}, {@code preset}, {@code operationTimeoutMs},
 * {@code commitIntervalMs}, {@code smallMessageBytes}); any other key is a Kafka client property. The properties map
 * wins over the query, and an explicit {@code bootstrap.servers} wins over the URI's authority.
 */
public final class KafkaTransportConfig {
    /** The default of {@link #commitInterval()}, in milliseconds. */
    public static final long DEFAULT_COMMIT_INTERVAL_MS = 100;
    /**
     * The {@code batch.size} of the producer for small messages (Kafka's default is 16384) unless set as a Kafka
     * property (see {@link #smallMessageBytes()}).
     */
    public static final int DEFAULT_BATCH_BYTES = 65536;
    /**
     * The {@code batch.size} of the producer for larger messages unless set as a Kafka property, capped by
     * {@link #maxMessageBytes()} plus the room left for headers (so it fits topics that an earlier version created
     * for that bound). Topics created now take at least this plus that room, whatever the bound. Its
     * {@code buffer.memory} is 128 MiB unless set: as many batches as the small producer's 64 KiB in Kafka's 32 MiB
     * (docs/kafka-transport.md).
     */
    public static final int DEFAULT_LARGE_BATCH_BYTES = 262144;
    /**
     * The server's request consumer's {@code session.timeout.ms} unless set as a Kafka property (Kafka's default is
     * 45 s): how long the group takes to notice a server that died without leaving (a crash, {@code kill -9}) and
     * give its partitions to the others. 6 s is the lowest a broker with default settings accepts
     * ({@code group.min.session.timeout.ms}); a server that cannot heartbeat for longer (a GC pause, a frozen host)
     * loses its partitions, and the requests it was running are delivered again (docs/semantics.md, "Failover").
     */
    public static final int DEFAULT_SESSION_TIMEOUT_MS = 6000;
    /**
     * The server's request consumer's {@code heartbeat.interval.ms} unless set (Kafka's default is 3 s): a quarter
     * of {@link #DEFAULT_SESSION_TIMEOUT_MS}, so a rebalance reaches the members within 1.5 s. With only
     * {@code session.timeout.ms} set, it is a third of that when smaller.
     */
    public static final int DEFAULT_HEARTBEAT_INTERVAL_MS = 1500;
    /**
     * The server's request consumer's {@code request.timeout.ms} unless set (Kafka's default is 30 s): a member
     * waiting for a group leader that died right after it was chosen gives up on that request after 10 s instead of
     * 30 s. Join requests are not bounded by it (Kafka waits for the rebalance timeout plus 5 s for them).
     */
    public static final int DEFAULT_CONSUMER_REQUEST_TIMEOUT_MS = 10000;
    /**
     * The {@code reconnect.backoff.max.ms} and {@code retry.backoff.max.ms} of every Kafka client the transport
     * creates unless set (Kafka's default is 1 s for both): after a broker restart, clients reconnect, refresh their
     * metadata and find the group coordinator within about a quarter of a second of its being up instead of up to
     * 1.2 s per step. While a broker is down, a client tries it about 4 times a second.
     */
    public static final int DEFAULT_BACKOFF_MAX_MS = 250;
    /** The default of {@link #smallMessageBytes()}. */
    public static final int DEFAULT_SMALL_MESSAGE_BYTES = 2048;
    /** Producer and consumer tuning presets. */
    public enum Preset {
        /**
         * The default: {@code linger.ms=0} (send at once), {@code batch.size=262144} (65536 for small messages),
         * no compression, {@code acks=all}, small messages through a producer with one request in flight (see
         * {@link KafkaTransportConfig#smallMessageBytes()}). Sequential round trips on a local broker take ~0.2 ms.
         */
        LATENCY,
        /**
         * For many calls in flight with larger bodies: {@code linger.ms=5}, {@code batch.size} as in
         * {@link #LATENCY}, {@code compression.type=lz4}, {@code fetch.min.bytes=1024} with
         * {@code fetch.max.wait.ms=5}. Each hop may wait up to 5 ms to fill a batch.
         */
        THROUGHPUT
    }

    private static final Pattern TOPIC_CHARS = Pattern.compile("[A-Za-z0-9._-]*");
    private static final int MAX_TOPIC_NAME = 249;

    private final String bootstrapServers;
    private final String topicPrefix;
    private final int partitions;
    private final short replicationFactor;
    private final int minInsyncReplicas;
    private final boolean autoCreateTopics;
    private final String replyTopic;
    private final int replyPartitions;
    private final int maxMessageBytes;
    private final Preset preset;
    private final Duration operationTimeout;
    private final Duration commitInterval;
    private final int smallMessageBytes;
    private final Map<String, String> kafkaProperties;

    private KafkaTransportConfig(Builder b) {
        this.bootstrapServers = b.bootstrapServers;
        this.topicPrefix = b.topicPrefix;
        this.partitions = b.partitions;
        this.replicationFactor = b.replicationFactor;
        this.minInsyncReplicas = b.minInsyncReplicas;
        this.autoCreateTopics = b.autoCreateTopics;
        this.replyTopic = b.replyTopic;
        this.replyPartitions = b.replyPartitions;
        this.maxMessageBytes = b.maxMessageBytes;
        this.preset = b.preset;
        this.operationTimeout = b.operationTimeout;
        this.commitInterval = b.commitInterval;
        this.smallMessageBytes = b.smallMessageBytes;
        this.kafkaProperties = Collections.unmodifiableMap(new LinkedHashMap<>(b.kafkaProperties));
    }

    /** @return a builder with the defaults (bootstrap {@code localhost:9092}). */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Reads a {@code kafka://} URI and extra options (see the class comment).
     *
     * @param uri {@code kafka://host:port[,host:port][?option=value&...]}; the authority gives the bootstrap servers
     * @param properties further options by name, applied after the URI's query (so they win); may be {@code null}
     * @return the validated configuration
     * @throws IllegalArgumentException with a one-line message for a malformed address or option
     */
    public static KafkaTransportConfig from(URI uri, Map<String, String> properties) {
        Objects.requireNonNull(uri, "uri");
        if (uri.getScheme() == null || !uri.getScheme().equalsIgnoreCase("kafka")) {
            throw new IllegalArgumentException("not a kafka:// URI: '" + Secrets.mask(uri.toString()) + "'");
        }
        Builder b = builder();
        String authority = uri.getRawAuthority();
        if (authority == null && uri.isOpaque()) {
            // kafka:host:9092 (no slashes)
            String ssp = uri.getRawSchemeSpecificPart();
            int q = ssp.indexOf('?');
            authority = q >= 0 ? ssp.substring(0, q) : ssp;
        }
        if (authority != null && !authority.isBlank()) {
            b.bootstrapServers(decode(authority));
        }
        if (uri.getPath() != null && !uri.getPath().isEmpty() && !uri.getPath().equals("/")) {
            throw new IllegalArgumentException("kafka URI '" + Secrets.mask(uri.toString()) + "' must not have a path; use "
                    + "kafka://host:port[,host:port]?option=value");
        }
        String query = uri.getRawQuery();
        if (query == null && uri.isOpaque()) {
            String ssp = uri.getRawSchemeSpecificPart();
            int q = ssp.indexOf('?');
            query = q >= 0 ? ssp.substring(q + 1) : null;
        }
        if (query != null && !query.isEmpty()) {
            for (String pair : query.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("kafka URI option '" + Secrets.mask("?" + decode(pair)).substring(1)
                            + "' has no value; use name=value");
                }
                b.option(decode(pair.substring(0, eq)), decode(pair.substring(eq + 1)));
            }
        }
        if (properties != null) {
            properties.forEach(b::option);
        }
        return b.build();
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    /** {@return {@code bootstrap.servers} (default {@code localhost:9092})} */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** {@return the prefix of request, group and dead-letter names (default {@code rpc.})} */
    public String topicPrefix() {
        return topicPrefix;
    }

    /**
     * {@return the partitions of request topics the transport creates (default 8)} That is the most server instances
     * that share one service's work.
     */
    public int partitions() {
        return partitions;
    }

    /** {@return the replication factor of topics the transport creates; -1 (default) uses the broker's default} */
    public short replicationFactor() {
        return replicationFactor;
    }

    /**
     * {@return the {@code min.insync.replicas} of topics the transport creates; -1 (default) uses the broker's
     * default} With
     * {@code acks=all} (the transport's producers) a request or reply is accepted once that many replicas have it, and
     * refused while fewer are in sync, so that a replication factor of 3 with 2 here loses nothing accepted when a
     * broker dies (docs/kafka-transport.md, "Replication").
     */
    public int minInsyncReplicas() {
        return minInsyncReplicas;
    }

    /**
     * {@return whether missing topics are created through the Admin API (default true)} When false, a clear error
     * names the missing topics.
     */
    public boolean autoCreateTopics() {
        return autoCreateTopics;
    }

    /** {@return the shared reply topic (default {@code rpc-replies})} */
    public String replyTopic() {
        return replyTopic;
    }

    /**
     * {@return the partitions of the reply topic when the transport creates it (default 16)} Each client instance
     * reads one; with
     * more clients than partitions some share one and skip each other's replies.
     */
    public int replyPartitions() {
        return replyPartitions;
    }

    /**
     * {@return the largest message body carried, in bytes (default 1 MiB)} Producers get {@code max.request.size} with 64 KiB of room
     * for headers above it; created topics get {@code max.message.bytes} with that room above it or above
     * {@link #DEFAULT_LARGE_BATCH_BYTES}, whichever is larger, so that any transport's full batch fits.
     */
    public int maxMessageBytes() {
        return maxMessageBytes;
    }

    /** {@return the tuning preset (default {@link Preset#LATENCY})} */
    public Preset preset() {
        return preset;
    }

    /**
     * {@return the bound on Admin operations and on a client becoming ready (default 30 s)} A client whose broker
     * gives no answer for this long stops trying and fails its readiness.
     */
    public Duration operationTimeout() {
        return operationTimeout;
    }

    /**
     * {@return how often a server commits the offsets of the requests it has answered, at most (default
     * {@value #DEFAULT_COMMIT_INTERVAL_MS} ms)} Only answered requests are ever committed, and a server that closes or
     * loses a partition in a rebalance commits what it answered at once; so the interval bounds only the requests
     * delivered again after a server crashes (answered in its last interval, at-least-once). Each commit costs the
     * broker a write to {@code __consumer_offsets}: every 20 ms they made sequential calls 9-11%
     * slower than every 100 ms or 1 s (docs/benchmarks.md).
     */
    public Duration commitInterval() {
        return commitInterval;
    }

    /**
     * {@return the body size in bytes up to which a message travels through a producer of its own (default
     * {@value #DEFAULT_SMALL_MESSAGE_BYTES})} That producer has {@code max.in.flight.requests.per.connection=1};
     * larger messages go through a producer with Kafka's default (5); 0 sends every message through one producer. Under load, small records that arrive
     * while a request is out leave together in the next one: fewer, fuller produce requests, each of which costs
     * the broker a fixed amount, and no wait when idle (there is no request out then). Larger messages need several
     * requests in flight: one request carries at most one batch ({@code batch.size}) per partition, and a server's
     * replies to one client all go to one partition. Measured at 256 calls in flight with 64 KiB batches, one
     * request in flight against five: 1.15x the calls per second at 100 bytes, 1.32x at 1 KB, 0.81x at 4 KB
     * (docs/kafka-transport.md). Applies to the
     * {@link Preset#LATENCY latency} preset, when {@code max.in.flight.requests.per.connection} is not set as a Kafka
     * property (which then holds for every message). The second producer is created when the first message of its
     * size is sent.
     */
    public int smallMessageBytes() {
        return smallMessageBytes;
    }

    /**
     * {@return the Kafka client properties passed through to every producer, consumer and admin client (overriding
     * the transport's defaults); unmodifiable}
     */
    public Map<String, String> kafkaProperties() {
        return kafkaProperties;
    }

    /**
     * Names the topic that carries a service's requests.
     *
     * @param service a service name as given to a server or client
     * @return {@link #topicPrefix()} followed by {@code service}
     */
    public String requestTopic(String service) {
        return topicPrefix + service;
    }

    /**
     * Names the consumer group in which a service's server instances share its request topic.
     *
     * @param service a service name as given to a server
     * @return {@link #topicPrefix()} followed by {@code service}, the same name as the request topic
     */
    public String group(String service) {
        return topicPrefix + service;
    }

    /**
     * Names the topic that takes a service's requests that could not be answered, with the reason in a header.
     *
     * @param service a service name as given to a server
     * @return {@link #topicPrefix()}, {@code service} and {@code .dlq}
     */
    public String deadLetterTopic(String service) {
        return topicPrefix + service + ".dlq";
    }

    @Override
    public String toString() {
        return "KafkaTransportConfig{bootstrap=" + bootstrapServers + ", topicPrefix=" + topicPrefix
                + ", partitions=" + partitions + ", replicationFactor=" + replicationFactor
                + ", minInsyncReplicas=" + minInsyncReplicas
                + ", autoCreateTopics=" + autoCreateTopics + ", replyTopic=" + replyTopic
                + ", replyPartitions=" + replyPartitions + ", maxMessageBytes=" + maxMessageBytes
                + ", preset=" + preset + ", commitInterval=" + commitInterval
                + ", smallMessageBytes=" + smallMessageBytes
                + ", kafkaProperties=" + kafkaProperties.keySet() + "}";
    }

    static void validateServiceName(KafkaTransportConfig config, String service) {
        Objects.requireNonNull(service, "service");
        if (service.isEmpty() || !TOPIC_CHARS.matcher(service).matches()) {
            throw new IllegalArgumentException("service name '" + service
                    + "' must be non-empty and use only [A-Za-z0-9._-] to map to a Kafka topic");
        }
        if (config.deadLetterTopic(service).length() > MAX_TOPIC_NAME) {
            throw new IllegalArgumentException("service name '" + service + "' is too long for a Kafka topic name");
        }
    }

    /** Builder of {@link KafkaTransportConfig}; values are validated as they are set. */
    public static final class Builder {
        private String bootstrapServers = "localhost:9092";
        private String topicPrefix = "rpc.";
        private int partitions = 8;
        private short replicationFactor = -1;
        private int minInsyncReplicas = -1;
        private boolean autoCreateTopics = true;
        private String replyTopic = "rpc-replies";
        private int replyPartitions = 16;
        private int maxMessageBytes = 1024 * 1024;
        private Preset preset = Preset.LATENCY;
        private Duration operationTimeout = Duration.ofSeconds(30);
        private Duration commitInterval = Duration.ofMillis(DEFAULT_COMMIT_INTERVAL_MS);
        private int smallMessageBytes = DEFAULT_SMALL_MESSAGE_BYTES;
        private final Map<String, String> kafkaProperties = new LinkedHashMap<>();

        private Builder() {
        }

        /**
         * Sets the brokers a client contacts first ({@code bootstrap.servers}).
         *
         * @param servers comma-separated {@code host:port} list; surrounding blanks are trimmed
         * @return this builder
         * @throws IllegalArgumentException when the list is empty or an entry is not {@code host:port} with a port
         *     from 1 to 65535
         */
        public Builder bootstrapServers(String servers) {
            Objects.requireNonNull(servers, "bootstrapServers");
            String s = servers.trim();
            if (s.isEmpty()) {
                throw new IllegalArgumentException("bootstrap servers must not be empty");
            }
            for (String hp : s.split(",")) {
                String h = hp.trim();
                int colon = h.lastIndexOf(':');
                if (colon <= 0 || colon == h.length() - 1) {
                    throw new IllegalArgumentException("bootstrap server '" + h + "' must be host:port");
                }
                try {
                    int port = Integer.parseInt(h.substring(colon + 1));
                    if (port < 1 || port > 65535) {
                        throw new NumberFormatException();
                    }
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("bootstrap server '" + h + "' has an invalid port");
                }
            }
            this.bootstrapServers = s;
            return this;
        }

        /**
         * Sets the prefix of request, group and dead-letter names (default {@code rpc.}).
         *
         * @param prefix up to 100 characters of [A-Za-z0-9._-]; may be empty
         * @return this builder
         * @throws IllegalArgumentException when the prefix is longer or has other characters
         */
        public Builder topicPrefix(String prefix) {
            Objects.requireNonNull(prefix, "topicPrefix");
            if (!TOPIC_CHARS.matcher(prefix).matches() || prefix.length() > 100) {
                throw new IllegalArgumentException("topicPrefix '" + prefix
                        + "' must be at most 100 chars of [A-Za-z0-9._-]");
            }
            this.topicPrefix = prefix;
            return this;
        }

        /**
         * Sets the partitions of request topics the transport creates (default 8). Topics that exist keep theirs.
         *
         * @param partitions positive; the most server instances that share one service's work
         * @return this builder
         * @throws IllegalArgumentException when not positive
         */
        public Builder partitions(int partitions) {
            this.partitions = positive(partitions, "partitions");
            return this;
        }

        /**
         * Sets the replication factor of topics the transport creates.
         *
         * @param factor at least 1, or -1 for the broker's default
         * @return this builder
         * @throws IllegalArgumentException for 0, a value below -1, or one above {@link Short#MAX_VALUE}
         */
        public Builder replicationFactor(int factor) {
            if (factor != -1 && (factor < 1 || factor > Short.MAX_VALUE)) {
                throw new IllegalArgumentException("replicationFactor must be -1 (broker default) or >= 1, was "
                        + factor);
            }
            this.replicationFactor = (short) factor;
            return this;
        }

        /**
         * {@code min.insync.replicas} of created topics; -1 for the broker's default. At most the
         * {@link #replicationFactor(int)} when that is set (a topic could take no write); {@link #build()} checks that.
         *
         * @param replicas at least 1, or -1 for the broker's default
         * @return this builder
         * @throws IllegalArgumentException for 0 or a value below -1
         */
        public Builder minInsyncReplicas(int replicas) {
            if (replicas != -1 && replicas < 1) {
                throw new IllegalArgumentException("minInsyncReplicas must be -1 (broker default) or >= 1, was "
                        + replicas);
            }
            this.minInsyncReplicas = replicas;
            return this;
        }

        /**
         * Sets whether missing topics are created through the Admin API (default true).
         *
         * @param create false where clients have no right to create topics: a missing topic then fails with an error
         *     that names it
         * @return this builder
         */
        public Builder autoCreateTopics(boolean create) {
            this.autoCreateTopics = create;
            return this;
        }

        /**
         * Sets the shared reply topic (default {@code rpc-replies}). {@link #build()} refuses names where servers send
         * no reply.
         *
         * @param topic a valid Kafka topic name: 1 to 249 characters of [A-Za-z0-9._-], not {@code .} or {@code ..}
         * @return this builder
         * @throws IllegalArgumentException when the name is not a valid Kafka topic name
         */
        public Builder replyTopic(String topic) {
            Objects.requireNonNull(topic, "replyTopic");
            if (topic.isEmpty() || topic.length() > MAX_TOPIC_NAME || !TOPIC_CHARS.matcher(topic).matches()
                    || topic.equals(".") || topic.equals("..")) {
                throw new IllegalArgumentException("replyTopic '" + topic + "' is not a valid Kafka topic name");
            }
            this.replyTopic = topic;
            return this;
        }

        /**
         * Sets the partitions of the reply topic when the transport creates it (default 16).
         *
         * @param partitions positive; each client instance reads one partition
         * @return this builder
         * @throws IllegalArgumentException when not positive
         */
        public Builder replyPartitions(int partitions) {
            this.replyPartitions = positive(partitions, "replyPartitions");
            return this;
        }

        /**
         * Sets the largest message body carried (default 1 MiB); see {@link KafkaTransportConfig#maxMessageBytes()}.
         *
         * @param bytes from 1 KiB to 512 MiB
         * @return this builder
         * @throws IllegalArgumentException when outside that range
         */
        public Builder maxMessageBytes(int bytes) {
            if (bytes < 1024 || bytes > 512 * 1024 * 1024) {
                throw new IllegalArgumentException("maxMessageBytes must be 1 KiB..512 MiB, was " + bytes);
            }
            this.maxMessageBytes = bytes;
            return this;
        }

        /**
         * Sets the tuning preset (default {@link Preset#LATENCY}).
         *
         * @param preset the producer and consumer settings to start from; Kafka properties set here override them
         * @return this builder
         */
        public Builder preset(Preset preset) {
            this.preset = Objects.requireNonNull(preset, "preset");
            return this;
        }

        /**
         * Sets the bound on Admin operations and on a client becoming ready (default 30 s).
         *
         * @param timeout positive
         * @return this builder
         * @throws IllegalArgumentException when zero or negative
         */
        public Builder operationTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "operationTimeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("operationTimeout must be positive, was " + timeout);
            }
            this.operationTimeout = timeout;
            return this;
        }

        /**
         * Sets how often a server commits the offsets of answered requests, at most; see
         * {@link KafkaTransportConfig#commitInterval()}.
         *
         * @param interval from 1 ms to 1 hour
         * @return this builder
         * @throws IllegalArgumentException when outside that range
         */
        public Builder commitInterval(Duration interval) {
            Objects.requireNonNull(interval, "commitInterval");
            if (interval.toMillis() < 1 || interval.compareTo(Duration.ofHours(1)) > 0) {
                throw new IllegalArgumentException("commitInterval must be from 1 ms to 1 hour, was " + interval);
            }
            this.commitInterval = interval;
            return this;
        }

        /**
         * Sets the body size up to which messages use a producer of their own; see
         * {@link KafkaTransportConfig#smallMessageBytes()}.
         *
         * @param bytes from 0 (one producer for all messages) to 1 MiB
         * @return this builder
         * @throws IllegalArgumentException when outside that range
         */
        public Builder smallMessageBytes(int bytes) {
            if (bytes < 0 || bytes > 1024 * 1024) {
                throw new IllegalArgumentException("smallMessageBytes must be from 0 to 1 MiB, was " + bytes);
            }
            this.smallMessageBytes = bytes;
            return this;
        }

        /**
         * Passes a Kafka client property to every producer, consumer and admin client (overrides defaults).
         * {@code bootstrap.servers} is validated as {@link #bootstrapServers(String)} does.
         *
         * @param key a Kafka client property name, such as {@code security.protocol}
         * @param value its value as Kafka would read it from a properties file
         * @return this builder
         * @throws IllegalArgumentException when the name is blank, or for an invalid {@code bootstrap.servers}
         */
        public Builder kafkaProperty(String key, String value) {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
            if (key.isBlank()) {
                throw new IllegalArgumentException("Kafka property name must not be blank");
            }
            if (key.equals("bootstrap.servers")) {
                return bootstrapServers(value);
            }
            kafkaProperties.put(key, value);
            return this;
        }

        /**
         * Sets a transport option by its name (the builder method names, case-sensitive) or, for any other key, a
         * Kafka client property. This is how URI query options and CLI properties reach the builder.
         *
         * @param key a builder method name ({@code operationTimeoutMs} and {@code commitIntervalMs} in milliseconds)
         *     or a Kafka client property name
         * @param value the value as text: a number, {@code true}/{@code false}, or {@code latency}/{@code throughput}
         *     for {@code preset}
         * @return this builder
         * @throws IllegalArgumentException when the value does not parse or the setter refuses it
         */
        public Builder option(String key, String value) {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value for " + key);
            switch (key) {
                case "topicPrefix":
                    return topicPrefix(value);
                case "partitions":
                    return partitions(parseInt(key, value));
                case "replicationFactor":
                    return replicationFactor(parseInt(key, value));
                case "minInsyncReplicas":
                    return minInsyncReplicas(parseInt(key, value));
                case "autoCreateTopics":
                    return autoCreateTopics(parseBoolean(key, value));
                case "replyTopic":
                    return replyTopic(value);
                case "replyPartitions":
                    return replyPartitions(parseInt(key, value));
                case "maxMessageBytes":
                    return maxMessageBytes(parseInt(key, value));
                case "operationTimeoutMs":
                    return operationTimeout(Duration.ofMillis(parseInt(key, value)));
                case "commitIntervalMs":
                    return commitInterval(Duration.ofMillis(parseInt(key, value)));
                case "smallMessageBytes":
                    return smallMessageBytes(parseInt(key, value));
                case "preset":
                    try {
                        return preset(Preset.valueOf(value.trim().toUpperCase(Locale.ROOT)));
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("preset must be latency or throughput, was '" + value + "'");
                    }
                default:
                    return kafkaProperty(key, value);
            }
        }

        /**
         * Checks the values together and builds the configuration.
         *
         * @return an immutable configuration
         * @throws IllegalArgumentException when {@code replyTopic} lies where servers send no reply: under
         *     {@code topicPrefix} (request and dead-letter topics), an internal topic ({@code __*}) or a
         *     {@code *.dlq} topic, or when {@code minInsyncReplicas} is above {@code replicationFactor}
         */
        public KafkaTransportConfig build() {
            if (replicationFactor > 0 && minInsyncReplicas > replicationFactor) {
                throw new IllegalArgumentException("minInsyncReplicas " + minInsyncReplicas
                        + " is above replicationFactor " + replicationFactor
                        + ": the topics would refuse every write with acks=all");
            }
            if (!topicPrefix.isEmpty() && replyTopic.startsWith(topicPrefix)) {
                throw new IllegalArgumentException("replyTopic '" + replyTopic + "' must not start with topicPrefix '"
                        + topicPrefix + "': topics under the prefix are request and dead-letter topics, which never"
                        + " take replies");
            }
            if (replyTopic.startsWith("__") || replyTopic.endsWith(".dlq")) {
                throw new IllegalArgumentException("replyTopic '" + replyTopic + "' must not start with '__'"
                        + " (internal topics) or end with '.dlq' (dead-letter topics)");
            }
            return new KafkaTransportConfig(this);
        }

        private static int positive(int v, String name) {
            if (v < 1) {
                throw new IllegalArgumentException(name + " must be >= 1, was " + v);
            }
            return v;
        }

        private static int parseInt(String key, String value) {
            try {
                return Integer.parseInt(value.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(key + " must be an integer, was '" + value + "'");
            }
        }

        private static boolean parseBoolean(String key, String value) {
            String v = value.trim().toLowerCase(Locale.ROOT);
            if (v.equals("true") || v.equals("false")) {
                return Boolean.parseBoolean(v);
            }
            throw new IllegalArgumentException(key + " must be true or false, was '" + value + "'");
        }
    }
}
