package dev.pipeline.rpc.bench;

import dev.pipeline.rpc.spi.WireHeaders;
import dev.pipeline.rpc.tck.latency.RoundTrip;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The Kafka floor: plain kafka-clients, request topic → a group consumer that echoes each record to a reply topic →
 * an assign-only reply consumer that completes the caller's future. Producers with {@code linger.ms=0} and
 * {@code acks=all} (as our transport's latency preset), no offset commits at all, one consumer thread per side.
 * The request topic has the same 8 partitions as our transport's default; the reply topic one partition.
 *
 * <p>With {@link Shape#WIRE_HEADERS}, a diagnostic: the same ping-pong with the records shaped as Pipeline's wire
 * contract shapes them (requests carry {@code rpc-id}, {@code rpc-reply-to}, {@code rpc-deadline} and
 * {@code rpc-client}; replies {@code rpc-id} and {@code rpc-client}; the caller is found by the decimal
 * {@code rpc-id}), so the cost of the contract itself shows apart from Pipeline's code. {@link Shape#CLIENT_IN_ID}
 * measures a leaner contract: the client id folded into {@code rpc-id} ({@code <client>/<n>}), no {@code rpc-client}
 * header (three request headers, one reply header).
 */
final class KafkaRawContender implements Contender {
    private static final Logger log = LoggerFactory.getLogger(KafkaRawContender.class);
    static final int REQUEST_PARTITIONS = 8;

    private final String bootstrap;
    private final Shape shape;
    private final byte[] clientId = ("c-" + UUID.randomUUID().toString().replace("-", "").substring(0, 20))
            .getBytes(StandardCharsets.UTF_8);
    private final String idPrefix = new String(clientId, StandardCharsets.UTF_8) + "/";
    private final String suffix = UUID.randomUUID().toString().substring(0, 8);
    private final String requestTopic = "bench-raw-req-" + suffix;
    private final String replyTopic = "bench-raw-rep-" + suffix;
    private final byte[] replyTo = (replyTopic + ":0").getBytes(StandardCharsets.UTF_8);
    private final ConcurrentHashMap<Long, CompletableFuture<Void>> pending = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final List<Thread> threads = new ArrayList<>();
    private final List<KafkaConsumer<byte[], byte[]>> consumers = new ArrayList<>();
    private volatile boolean stop;
    private KafkaProducer<byte[], byte[]> clientProducer;
    private KafkaProducer<byte[], byte[]> serverProducer;
    private boolean topicsCreated;

    /** How the records are shaped. */
    enum Shape {
        /** The floor: the body and one 8-byte id header. */
        PLAIN,
        /** Pipeline's wire-contract headers. */
        WIRE_HEADERS,
        /** Pipeline's headers without {@code rpc-client}, the client id being the prefix of {@code rpc-id}. */
        CLIENT_IN_ID
    }

    KafkaRawContender(String bootstrap, Shape shape) {
        this.bootstrap = bootstrap;
        this.shape = shape;
    }

    @Override
    public String broker() {
        return "kafka";
    }

    @Override
    public String name() {
        return switch (shape) {
            case PLAIN -> "raw floor";
            case WIRE_HEADERS -> "raw floor + wire headers";
            case CLIENT_IN_ID -> "raw floor + wire headers, client id in rpc-id";
        };
    }

    @Override
    public Role role() {
        return shape == Shape.PLAIN ? Role.FLOOR : Role.DIAGNOSTIC;
    }

    @Override
    public String setup() {
        if (shape == Shape.WIRE_HEADERS) {
            return "diagnostic: the raw floor with records shaped by Pipeline's wire contract (requests: rpc-id,"
                    + " rpc-reply-to, rpc-deadline, rpc-client; replies: rpc-id, rpc-client), nothing else of Pipeline's";
        }
        if (shape == Shape.CLIENT_IN_ID) {
            return "diagnostic: as raw floor + wire headers, with the client id as the prefix of rpc-id (client/n) and"
                    + " no rpc-client header (requests: rpc-id, rpc-reply-to, rpc-deadline; replies: rpc-id)";
        }
        return "kafka-clients: request topic (" + REQUEST_PARTITIONS + " partitions) → group consumer echoes to a reply"
                + " topic (1 partition) → assign-only reply consumer; linger.ms=0, acks=all, no commits";
    }

    @Override
    public void start() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(requestTopic, REQUEST_PARTITIONS, (short) -1),
                    new NewTopic(replyTopic, 1, (short) -1))).all().get(60, TimeUnit.SECONDS);
            topicsCreated = true;
        }
        clientProducer = producer(bootstrap);
        serverProducer = producer(bootstrap);
        KafkaConsumer<byte[], byte[]> server = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ConsumerConfig.GROUP_ID_CONFIG, requestTopic,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        server.subscribe(List.of(requestTopic));
        KafkaConsumer<byte[], byte[]> replies = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        TopicPartition tp = new TopicPartition(replyTopic, 0);
        replies.assign(List.of(tp));
        replies.seekToBeginning(List.of(tp));
        replies.position(tp, Duration.ofSeconds(30));
        consumers.add(server);
        consumers.add(replies);
        threads.add(loop("raw-kafka-server", server, r -> serverProducer.send(
                new ProducerRecord<byte[], byte[]>(replyTopic, 0, (byte[]) null, r.value(), switch (shape) {
                    case PLAIN -> List.of(r.headers().lastHeader("id"));
                    case WIRE_HEADERS -> List.of(r.headers().lastHeader(WireHeaders.RPC_ID),
                            r.headers().lastHeader(WireHeaders.CLIENT));
                    case CLIENT_IN_ID -> List.of(r.headers().lastHeader(WireHeaders.RPC_ID));
                }))));
        threads.add(loop("raw-kafka-replies", replies, r -> {
            Header h = r.headers().lastHeader(shape == Shape.PLAIN ? "id" : WireHeaders.RPC_ID);
            CompletableFuture<Void> f = h == null ? null : pending.remove(switch (shape) {
                case PLAIN -> ByteBuffer.wrap(h.value()).getLong();
                case WIRE_HEADERS -> Long.parseLong(new String(h.value(), StandardCharsets.US_ASCII));
                case CLIENT_IN_ID -> Long.parseLong(new String(h.value(), clientId.length + 1,
                        h.value().length - clientId.length - 1, StandardCharsets.US_ASCII));
            });
            if (f != null) {
                f.complete(null);
            }
        }));
        Contender.awaitFirstReply(this, Duration.ofSeconds(90));
    }

    @Override
    public RoundTrip roundTrip() {
        return payload -> {
            long id = ids.incrementAndGet();
            CompletableFuture<Void> f = new CompletableFuture<>();
            pending.put(id, f);
            byte[] body = Contender.jsonRequest(payload, id);
            List<Header> headers = switch (shape) {
                case PLAIN -> List.of(new RecordHeader("id", ByteBuffer.allocate(8).putLong(id).array()));
                case WIRE_HEADERS -> List.of(
                        new RecordHeader(WireHeaders.RPC_ID, Long.toString(id).getBytes(StandardCharsets.US_ASCII)),
                        new RecordHeader(WireHeaders.REPLY_TO, replyTo),
                        new RecordHeader(WireHeaders.DEADLINE, deadline()),
                        new RecordHeader(WireHeaders.CLIENT, clientId));
                case CLIENT_IN_ID -> List.of(
                        new RecordHeader(WireHeaders.RPC_ID, (idPrefix + id).getBytes(StandardCharsets.US_ASCII)),
                        new RecordHeader(WireHeaders.REPLY_TO, replyTo),
                        new RecordHeader(WireHeaders.DEADLINE, deadline()));
            };
            clientProducer.send(new ProducerRecord<byte[], byte[]>(requestTopic, null, null, body, headers), (m, e) -> {
                        if (e != null && pending.remove(id) != null) {
                            f.completeExceptionally(e);
                        }
                    });
            return f;
        };
    }

    private static byte[] deadline() {
        return Long.toString(System.currentTimeMillis() + 60_000).getBytes(StandardCharsets.US_ASCII);
    }

    private Thread loop(String name, KafkaConsumer<byte[], byte[]> c, Consumer<ConsumerRecord<byte[], byte[]>> each) {
        Thread t = new Thread(() -> {
            try {
                while (!stop) {
                    for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(100))) {
                        each.accept(r);
                    }
                }
            } catch (WakeupException ignored) {
                // stopping
            } catch (RuntimeException e) {
                log.warn("{} stopped: {}", name, e.toString());
            } finally {
                c.close(Duration.ZERO);
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    @Override
    public void close() {
        stop = true;
        consumers.forEach(KafkaConsumer::wakeup);
        for (Thread t : threads) {
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (clientProducer != null) {
            clientProducer.close(Duration.ofSeconds(2));
        }
        if (serverProducer != null) {
            serverProducer.close(Duration.ofSeconds(2));
        }
        pending.values().forEach(f -> f.completeExceptionally(new IllegalStateException("closed")));
        if (topicsCreated) {
            deleteTopics(bootstrap, List.of(requestTopic, replyTopic));
        }
    }

    static void deleteTopics(String bootstrap, List<String> topics) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.deleteTopics(topics).all().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.debug("could not delete {}: {}", topics, e.toString());
        }
    }

    static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.LINGER_MS_CONFIG, "0", ProducerConfig.ACKS_CONFIG, "all"),
                new ByteArraySerializer(), new ByteArraySerializer());
    }
}
