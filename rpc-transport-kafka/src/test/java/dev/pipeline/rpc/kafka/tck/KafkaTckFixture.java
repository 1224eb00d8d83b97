package dev.pipeline.rpc.kafka.tck;

import dev.pipeline.rpc.tck.RawMessage;
import dev.pipeline.rpc.tck.TransportFixture;
import dev.pipeline.rpc.tck.broker.KafkaBroker;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The Kafka broker of the provisioning ladder, for the TCK suites. */
final class KafkaTckFixture extends TransportFixture {
    private final KafkaBroker broker = KafkaBroker.shared();

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
    public boolean canInjectRaw() {
        return true;
    }

    @Override
    public void injectRaw(String service, byte[] body, Map<String, String> headers) {
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            ProducerRecord<byte[], byte[]> r = new ProducerRecord<>("rpc." + service, body);
            headers.forEach((k, v) -> r.headers().add(k, v.getBytes(StandardCharsets.UTF_8)));
            p.send(r).get();
        } catch (Exception e) {
            throw new IllegalStateException("cannot inject a raw record for " + service + ": " + e, e);
        }
    }

    @Override
    public boolean canReadDeadLetters() {
        return true;
    }

    @Override
    public List<RawMessage> deadLetters(String service, int atLeast, Duration timeout) {
        String topic = "rpc." + service + ".dlq";
        List<RawMessage> found = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            long end = System.nanoTime() + timeout.toNanos();
            List<TopicPartition> parts = new ArrayList<>();
            while (parts.isEmpty()) {
                c.partitionsFor(topic, Duration.ofSeconds(5)).forEach(pi -> parts.add(new TopicPartition(topic, pi.partition())));
                if (parts.isEmpty() && System.nanoTime() > end) {
                    return found;
                }
            }
            c.assign(parts);
            c.seekToBeginning(parts);
            do {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    Map<String, String> h = new HashMap<>();
                    for (Header header : r.headers()) {
                        h.put(header.key(), new String(header.value(), StandardCharsets.UTF_8));
                    }
                    found.add(new RawMessage(r.value(), h));
                }
            } while (found.size() < atLeast && System.nanoTime() < end);
        }
        return found;
    }
}
