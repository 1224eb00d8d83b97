package dev.pipeline.rpc.kafka.tck;

import dev.pipeline.rpc.kafka.KafkaTransportConfig;
import dev.pipeline.rpc.tck.ProxiedBroker;
import dev.pipeline.rpc.tck.RawMessage;
import dev.pipeline.rpc.tck.TransportFixture;
import dev.pipeline.rpc.tck.broker.KafkaBroker;
import dev.pipeline.rpc.tck.broker.TcpProxy;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** The TCK's view of the Kafka transport: the shared broker of the fixture ladder. */
public final class KafkaTckFixture extends TransportFixture {
    private final KafkaBroker broker = KafkaBroker.shared();
    private final KafkaTransportConfig config = KafkaTransportConfig.from(URI.create(broker.uri()), Map.of());
    private final java.util.Set<String> created = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private KafkaProducer<byte[], byte[]> producer;

    @Override
    public String uri() {
        return broker.uri();
    }

    @Override
    public boolean canRestartBroker() {
        return broker.canRestart();
    }

    @Override
    public void restartBroker() {
        broker.restart();
    }

    @Override
    public boolean canProxy() {
        return true;
    }

    @Override
    public ProxiedBroker proxied() {
        int port = TcpProxy.freePort();
        KafkaBroker own = KafkaBroker.startLocalBehindProxy(port);
        TcpProxy proxy;
        try {
            proxy = TcpProxy.start("127.0.0.1", own.externalPort(), port);
        } catch (RuntimeException e) {
            own.close();
            throw e;
        }
        return new ProxiedBroker(own.uri(), "kafka://127.0.0.1:" + port, proxy, own);
    }

    @Override
    public boolean canKillBroker() {
        return broker.canRestart();
    }

    @Override
    public void killBroker() {
        broker.kill();
    }

    @Override
    public void startKilledBroker() {
        broker.startAgain();
    }

    @Override
    public boolean canInjectRaw() {
        return true;
    }

    @Override
    public void injectRaw(String service, byte[] body, Map<String, String> headers) {
        List<Map.Entry<String, byte[]>> fields = new ArrayList<>();
        headers.forEach((k, v) -> fields.add(Map.entry(k, v.getBytes(StandardCharsets.UTF_8))));
        injectRawFields(service, body, fields);
    }

    @Override
    public void injectRawFields(String service, byte[] body, List<Map.Entry<String, byte[]>> fields) {
        String topic = config.requestTopic(service);
        if (!created.contains(topic)) {
            try (Admin admin = admin()) {
                try {
                    admin.createTopics(List.of(new NewTopic(topic, java.util.Optional.of(config.partitions()),
                            java.util.Optional.empty()))).all().get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            } catch (Exception e) {
                throw new IllegalStateException("cannot create " + topic + ": " + e, e);
            }
            created.add(topic);
        }
        try {
            ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(topic, body);
            fields.forEach(f -> r.headers().add(f.getKey(), f.getValue()));
            producer().send(r).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot write to " + topic + ": " + e, e);
        }
    }

    /** One producer for every injection of this fixture (one per message cost ~0.2 s); closed when the JVM exits. */
    private synchronized KafkaProducer<byte[], byte[]> producer() {
        if (producer == null) {
            producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                    ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(16 << 20),
                    ProducerConfig.LINGER_MS_CONFIG, "0"),
                    new ByteArraySerializer(), new ByteArraySerializer());
            KafkaProducer<byte[], byte[]> p = producer;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> p.close(Duration.ofSeconds(1)),
                    "tck-kafka-inject-close"));
        }
        return producer;
    }

    @Override
    public boolean canReadDeadLetters() {
        return true;
    }

    @Override
    public List<RawMessage> deadLetters(String service, int atLeast, Duration timeout) {
        String topic = config.deadLetterTopic(service);
        List<RawMessage> found = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = admin(); KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            TopicDescription d = null;
            while (d == null && System.nanoTime() < deadline) {
                try {
                    d = admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic);
                } catch (ExecutionException e) {
                    Thread.sleep(100); // not created yet
                }
            }
            if (d == null) {
                return found;
            }
            List<TopicPartition> tps = new ArrayList<>();
            d.partitions().forEach(p -> tps.add(new TopicPartition(topic, p.partition())));
            c.assign(tps);
            c.seekToBeginning(tps);
            while (found.size() < atLeast && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(100))) {
                    Map<String, String> h = new LinkedHashMap<>();
                    for (Header header : r.headers()) {
                        h.put(header.key(), header.value() == null ? ""
                                : new String(header.value(), StandardCharsets.UTF_8));
                    }
                    found.add(new RawMessage(r.value() == null ? new byte[0] : r.value(), h));
                }
            }
            return found;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return found;
        } catch (Exception e) {
            throw new IllegalStateException("cannot read " + topic + ": " + e, e);
        }
    }

    private Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
    }
}
