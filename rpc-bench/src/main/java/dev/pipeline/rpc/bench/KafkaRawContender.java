package dev.pipeline.rpc.bench;

import dev.pipeline.rpc.bench.ComparisonResult.Role;
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
 * The Kafka floor: plain kafka-clients, request topic (8 partitions, as Pipeline's default) → a group consumer that
 * echoes each record to a reply topic (1 partition) → an assign-only reply consumer that completes the caller's
 * future. {@code linger.ms=0}, {@code acks=all}, no offset commits, one consumer thread per side.
 */
final class KafkaRawContender extends Contender {
    private static final Logger log = LoggerFactory.getLogger(KafkaRawContender.class);
    static final int REQUEST_PARTITIONS = 8;

    private final String bootstrap;
    private final String suffix = UUID.randomUUID().toString().substring(0, 8);
    private final String requestTopic = "bench-raw-req-" + suffix;
    private final String replyTopic = "bench-raw-rep-" + suffix;
    private final ConcurrentHashMap<Long, CompletableFuture<Void>> pending = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final List<Thread> threads = new ArrayList<>();
    private final List<KafkaConsumer<byte[], byte[]>> consumers = new ArrayList<>();
    private volatile boolean stop;
    private KafkaProducer<byte[], byte[]> clientProducer;
    private KafkaProducer<byte[], byte[]> serverProducer;
    private boolean topicsCreated;

    KafkaRawContender(String bootstrap) {
        super("kafka", "raw floor", Role.FLOOR);
        this.bootstrap = bootstrap;
    }

    @Override
    String setup() {
        return "kafka-clients: request topic (" + REQUEST_PARTITIONS + " partitions) → group consumer echoes to a reply"
                + " topic (1 partition) → assign-only reply consumer; linger.ms=0, acks=all, no commits";
    }

    @Override
    void start() throws Exception {
        topicsCreated = createTopics(bootstrap, requestTopic, replyTopic);
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
                new ProducerRecord<byte[], byte[]>(replyTopic, 0, (byte[]) null, r.value(),
                        List.of(r.headers().lastHeader("id"))))));
        threads.add(loop("raw-kafka-replies", replies, r -> {
            Header h = r.headers().lastHeader("id");
            CompletableFuture<Void> f = h == null ? null : pending.remove(ByteBuffer.wrap(h.value()).getLong());
            if (f != null) {
                f.complete(null);
            }
        }));
        Contender.awaitFirstReply(this, Duration.ofSeconds(90));
    }

    @Override
    RoundTrip roundTrip() {
        return payload -> {
            long id = ids.incrementAndGet();
            CompletableFuture<Void> f = new CompletableFuture<>();
            pending.put(id, f);
            byte[] body = Contender.jsonRequest(payload, id);
            List<Header> headers = List.of(new RecordHeader("id", ByteBuffer.allocate(8).putLong(id).array()));
            clientProducer.send(new ProducerRecord<byte[], byte[]>(requestTopic, null, null, body, headers), (m, e) -> {
                        if (e != null && pending.remove(id) != null) {
                            f.completeExceptionally(e);
                        }
                    });
            return f;
        };
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
        Contender.join(threads);
        Contender.closeAll(clientProducer, serverProducer);
        pending.values().forEach(f -> f.completeExceptionally(new IllegalStateException("closed")));
        if (topicsCreated) {
            deleteTopics(bootstrap, List.of(requestTopic, replyTopic));
        }
    }

    /** Creates a request topic of {@value #REQUEST_PARTITIONS} partitions and a reply topic of one; true when done. */
    static boolean createTopics(String bootstrap, String requestTopic, String replyTopic) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(requestTopic, REQUEST_PARTITIONS, (short) -1),
                    new NewTopic(replyTopic, 1, (short) -1))).all().get(60, TimeUnit.SECONDS);
            return true;
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
