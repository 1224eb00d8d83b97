package dev.pipeline.rpc.kafka;

import dev.pipeline.rpc.spi.Capability;
import dev.pipeline.rpc.spi.ClientChannel;
import dev.pipeline.rpc.spi.ClientSettings;
import dev.pipeline.rpc.spi.Reachability;
import dev.pipeline.rpc.spi.ReplyListener;
import dev.pipeline.rpc.spi.RequestHandler;
import dev.pipeline.rpc.spi.ServerChannel;
import dev.pipeline.rpc.spi.ServerSettings;
import dev.pipeline.rpc.spi.Transport;
import dev.pipeline.rpc.spi.TransportCapabilities;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One open Kafka transport: lazily created shared producers (one, or with the latency preset one for small messages
 * and one for the rest) and admin client, and the channels opened on it.
 */
final class KafkaTransport implements Transport {
    private static final Logger log = LoggerFactory.getLogger(KafkaTransport.class);
    /** Room for record headers and batch overhead above the largest body. */
    static final int HEADER_ROOM = 64 * 1024;
    /** The large-message producer's {@code buffer.memory} unless set (Kafka's default is 32 MiB). */
    static final long LARGE_BUFFER_MEMORY = 128L << 20;

    private final KafkaTransportConfig config;
    private final TransportCapabilities capabilities;
    private final Topics topics;
    private final List<AutoCloseable> channels = new CopyOnWriteArrayList<>();
    /** Whether small messages get a producer of their own (see {@link KafkaTransportConfig#smallMessageBytes()}). */
    private final boolean splitProducers;
    /** Every message, or only those over {@link KafkaTransportConfig#smallMessageBytes()} when split. */
    private volatile Producer<byte[], byte[]> producer;
    /** Messages up to {@link KafkaTransportConfig#smallMessageBytes()} when split: one request in flight. */
    private volatile Producer<byte[], byte[]> smallProducer;
    private Admin admin;
    private volatile boolean closed;
    /** Whether a bootstrap server once accepted a TCP connection ({@link #unreachable()}). */
    private volatile boolean reached;

    KafkaTransport(KafkaTransportConfig config) {
        this.config = config;
        this.capabilities = new TransportCapabilities(EnumSet.of(Capability.PERSISTENT,
                Capability.REDELIVERY_AFTER_CRASH, Capability.DEAD_LETTER, Capability.LOAD_SHARING),
                config.maxMessageBytes());
        this.topics = new Topics(this);
        this.splitProducers = config.smallMessageBytes() > 0 && config.preset() == KafkaTransportConfig.Preset.LATENCY
                && !config.kafkaProperties().containsKey(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION);
    }

    KafkaTransportConfig config() {
        return config;
    }

    Topics topics() {
        return topics;
    }

    @Override
    public String scheme() {
        return KafkaTransportProvider.SCHEME;
    }

    @Override
    public String destination(String service) {
        return config.requestTopic(service);
    }

    @Override
    public TransportCapabilities capabilities() {
        return capabilities;
    }

    @Override
    public ClientChannel openClient(ClientSettings settings, ReplyListener replies) {
        ensureOpen();
        KafkaClientChannel channel = new KafkaClientChannel(this, settings.clientId(), replies);
        channels.add(channel);
        channel.start();
        return channel;
    }

    @Override
    public ServerChannel openServer(String service, ServerSettings settings, RequestHandler handler) {
        ensureOpen();
        KafkaTransportConfig.validateServiceName(config, service);
        KafkaServerChannel channel = new KafkaServerChannel(this, service, settings, handler);
        channels.add(channel);
        return channel;
    }

    void removed(AutoCloseable channel) {
        channels.remove(channel);
    }

    /**
     * Why nothing listens at the bootstrap servers ({@code cannot reach Kafka at 127.0.0.1:9092: connection
     * refused ...}) after trying for {@link Reachability#DEFAULT_WINDOW}, or empty once one accepted a TCP
     * connection; a success is remembered, so each transport checks until it first succeeds.
     */
    Optional<String> unreachable() {
        if (reached) {
            return Optional.empty();
        }
        Optional<String> why = Reachability.check("Kafka", config.bootstrapServers(),
                Reachability.parseHostPorts(config.bootstrapServers(), 9092), Reachability.DEFAULT_WINDOW);
        reached = why.isEmpty();
        return why;
    }

    boolean isClosed() {
        return closed;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the Kafka transport is closed");
        }
    }

    /**
     * The producer for a message body of {@code bodyBytes}: when small messages have a producer of their own, that
     * one for a body up to {@link KafkaTransportConfig#smallMessageBytes()}; created on first use.
     *
     * @throws IllegalStateException once the transport is closed
     */
    Producer<byte[], byte[]> producer(int bodyBytes) {
        ensureOpen();
        boolean small = small(bodyBytes);
        Producer<byte[], byte[]> p = small ? smallProducer : producer;
        return p != null ? p : newProducer(small);
    }

    /** Whether a body of this size goes through the producer for small messages. */
    boolean small(int bodyBytes) {
        return splitProducers && bodyBytes <= config.smallMessageBytes();
    }

    private synchronized Producer<byte[], byte[]> newProducer(boolean small) {
        ensureOpen();
        Producer<byte[], byte[]> p = small ? smallProducer : producer;
        if (p == null) {
            p = new KafkaProducer<>(producerProperties(small), new ByteArraySerializer(), new ByteArraySerializer());
            if (small) {
                smallProducer = p;
            } else {
                producer = p;
            }
        }
        return p;
    }

    /** Whether small messages have a producer of their own. For tests. */
    boolean splitsProducers() {
        return splitProducers;
    }

    synchronized Admin admin() {
        ensureOpen();
        if (admin == null) {
            Properties p = common("admin");
            int timeout = (int) Math.min(Integer.MAX_VALUE, config.operationTimeout().toMillis());
            p.putIfAbsent(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Integer.toString(timeout));
            p.putIfAbsent(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Integer.toString(Math.min(timeout, 15_000)));
            backoff(p);
            admin = Admin.create(p);
        }
        return admin;
    }

    /** Topic-level configs for topics this transport creates. */
    Map<String, String> topicConfigs(boolean replies) {
        Map<String, String> m = new HashMap<>();
        m.put(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(topicMessageBytes(config)));
        if (config.minInsyncReplicas() > 0) {
            m.put(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(config.minInsyncReplicas()));
        }
        if (replies) {
            // a reply is useless after its call timed out
            m.put(TopicConfig.RETENTION_MS_CONFIG, Long.toString(Duration.ofHours(1).toMillis()));
        }
        return m;
    }

    /**
     * The {@code max.message.bytes} of the topics a transport creates: room for the largest body and its headers,
     * and at least for a full default batch of any transport's producer for larger messages, whatever its own
     * {@code maxMessageBytes}. A client with a small bound creates the reply topic that servers with larger ones
     * write to; a topic that refused their batches would leave the replies stuck (see {@link Topics}).
     */
    static int topicMessageBytes(KafkaTransportConfig config) {
        return Math.max(config.maxMessageBytes(), KafkaTransportConfig.DEFAULT_LARGE_BATCH_BYTES) + HEADER_ROOM;
    }

    /**
     * The large-message producer's {@code batch.size}: {@link KafkaTransportConfig#DEFAULT_LARGE_BATCH_BYTES}, or
     * less when the topics' {@code max.message.bytes} is smaller (a batch above it is refused and split).
     */
    static int largeBatchBytes(KafkaTransportConfig config) {
        return (int) Math.min(KafkaTransportConfig.DEFAULT_LARGE_BATCH_BYTES,
                (long) config.maxMessageBytes() + HEADER_ROOM);
    }

    /** The {@code batch.size} the producer for larger messages has, explicit Kafka properties included. */
    int largeBatchBytes() {
        Object v = producerProperties(false).get(ProducerConfig.BATCH_SIZE_CONFIG);
        try {
            return Integer.parseInt(String.valueOf(v).trim());
        } catch (NumberFormatException e) {
            return largeBatchBytes(config); // the producer will refuse the value itself
        }
    }

    /** Properties of a producer; {@code small}: the one for small messages (one request in flight). */
    Properties producerProperties(boolean small) {
        Properties p = new Properties();
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(config.maxMessageBytes() + HEADER_ROOM));
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
        // A produce request carries one batch per partition, and all the replies to one client go to one partition:
        // with Kafka's 16 KiB a 10 KB reply left alone. 64 KiB carried 2.9x the calls per second at 10 KB and 256 in
        // flight, and 256 KiB for larger messages 1.4x more again with 0.3x the Kafka requests per call
        // (docs/kafka-transport.md); with linger.ms=0 a batch leaves when the sender is free whatever its size, so
        // a larger one costs no latency. Each batch takes batch.size from buffer.memory while open or in flight:
        // the large producer gets the buffer for as many batches as the small one has.
        if (small) {
            p.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(KafkaTransportConfig.DEFAULT_BATCH_BYTES));
        } else {
            p.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(largeBatchBytes(config)));
            p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, Long.toString(LARGE_BUFFER_MEMORY));
        }
        if (config.preset() == KafkaTransportConfig.Preset.THROUGHPUT) {
            p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
            p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        } else {
            p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        }
        if (small) {
            // records that arrive while a request is out leave together in the next: fewer, fuller requests under
            // load, no wait when idle (docs/kafka-transport.md)
            p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
        }
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "pipeline-producer-" + (small ? "small-" : "")
                + Integer.toHexString(System.identityHashCode(this)));
        p.putAll(config.kafkaProperties());
        backoff(p);
        return p;
    }

    /**
     * The reconnect and retry back-off caps ({@link KafkaTransportConfig#DEFAULT_BACKOFF_MAX_MS}) unless set, each no
     * lower than its explicit base ({@code reconnect.backoff.ms}, {@code retry.backoff.ms}), which Kafka requires.
     */
    static void backoff(Properties p) {
        backoff(p, CommonClientConfigs.RECONNECT_BACKOFF_MAX_MS_CONFIG, CommonClientConfigs.RECONNECT_BACKOFF_MS_CONFIG);
        backoff(p, CommonClientConfigs.RETRY_BACKOFF_MAX_MS_CONFIG, CommonClientConfigs.RETRY_BACKOFF_MS_CONFIG);
    }

    private static void backoff(Properties p, String max, String base) {
        if (p.containsKey(max)) {
            return;
        }
        long cap = KafkaTransportConfig.DEFAULT_BACKOFF_MAX_MS;
        Object b = p.get(base);
        if (b != null) {
            try {
                cap = Math.max(cap, Long.parseLong(String.valueOf(b).trim()));
            } catch (NumberFormatException e) {
                return; // the client refuses the value itself
            }
        }
        p.put(max, Long.toString(cap));
    }

    /** Properties of a consumer; {@code group} null for an assign-only consumer (the client's replies). */
    Properties consumerProperties(String group, String clientIdSuffix, int maxPollRecords) {
        Properties p = new Properties();
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(maxPollRecords));
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "pipeline-" + clientIdSuffix);
        if (config.preset() == KafkaTransportConfig.Preset.THROUGHPUT) {
            p.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, "1024");
            p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "5");
        }
        if (group != null) {
            p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
            // requests sent before the group first existed must be served, not skipped
            p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        } else {
            p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        }
        for (Map.Entry<String, String> e : config.kafkaProperties().entrySet()) {
            if (group == null && (e.getKey().equals(ConsumerConfig.GROUP_ID_CONFIG)
                    || e.getKey().equals(ConsumerConfig.GROUP_PROTOCOL_CONFIG)
                    || e.getKey().equals(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG))) {
                continue; // the reply consumer never joins a group
            }
            if (group != null && e.getKey().equals(ConsumerConfig.GROUP_ID_CONFIG)) {
                continue; // the service names the group
            }
            p.put(e.getKey(), e.getValue());
        }
        backoff(p);
        if (group != null) {
            String protocol = p.getProperty(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
            if (protocol.toLowerCase(Locale.ROOT).equals("classic")) {
                failureDetection(p);
                p.putIfAbsent(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
                        CooperativeStickyAssignor.class.getName());
            } else {
                log.warn("group.protocol={} with kafka-clients 4.1 and a small fetch.max.wait.ms can stall polls "
                        + "(~200 ms); the classic protocol is the tested default, with its failure detection in "
                        + "seconds (docs/semantics.md, \"Failover\")", protocol);
            }
        }
        return p;
    }

    /**
     * A group member's failure detection, sized for callers who wait (see
     * {@link KafkaTransportConfig#DEFAULT_SESSION_TIMEOUT_MS}); what the user set stays. The classic protocol only:
     * with {@code group.protocol=consumer} the broker sets the session timeout and heartbeat, and the client refuses them.
     */
    private static void failureDetection(Properties p) {
        boolean sessionSet = p.containsKey(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG);
        p.putIfAbsent(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG,
                Integer.toString(KafkaTransportConfig.DEFAULT_SESSION_TIMEOUT_MS));
        if (!p.containsKey(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG)) {
            int heartbeat = KafkaTransportConfig.DEFAULT_HEARTBEAT_INTERVAL_MS;
            if (sessionSet) {
                try {
                    int session = Integer.parseInt(p.getProperty(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG).trim());
                    heartbeat = Math.max(1, Math.min(heartbeat, session / 3));
                } catch (NumberFormatException e) {
                    // the consumer refuses the value itself
                }
            }
            p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, Integer.toString(heartbeat));
        }
        p.putIfAbsent(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG,
                Integer.toString(KafkaTransportConfig.DEFAULT_CONSUMER_REQUEST_TIMEOUT_MS));
    }

    org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]> newConsumer(Properties p) {
        return new org.apache.kafka.clients.consumer.KafkaConsumer<>(p, new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
    }

    private Properties common(String suffix) {
        Properties p = new Properties();
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(CommonClientConfigs.CLIENT_ID_CONFIG, "pipeline-" + suffix + "-"
                + Integer.toHexString(System.identityHashCode(this)));
        // only properties an admin client knows, so that it does not warn about producer or consumer settings
        for (Map.Entry<String, String> e : config.kafkaProperties().entrySet()) {
            if (AdminClientConfig.configNames().contains(e.getKey())) {
                p.put(e.getKey(), e.getValue());
            }
        }
        return p;
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        for (AutoCloseable c : channels) {
            try {
                c.close();
            } catch (Exception e) {
                log.warn("closing {} failed: {}", c, e.toString());
            }
        }
        channels.clear();
        Admin a;
        synchronized (this) {
            a = admin;
        }
        for (Producer<byte[], byte[]> p : Arrays.asList(producer, smallProducer)) {
            if (p != null) {
                p.close(Duration.ofSeconds(5));
            }
        }
        if (a != null) {
            a.close(Duration.ofSeconds(5));
        }
    }

    @Override
    public String toString() {
        return "Kafka transport at " + config.bootstrapServers();
    }
}
