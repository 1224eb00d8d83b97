package dev.pipeline.rpc.kafka;

import dev.pipeline.rpc.spi.TransportProvider;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.Map;
import java.util.ServiceLoader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Configuration parsing; no broker needed. */
class KafkaTransportConfigTest {

    @Test
    void defaultsAreLatencyFirst() {
        KafkaTransportConfig c = KafkaTransportConfig.builder().build();
        assertThat(c.bootstrapServers()).isEqualTo("localhost:9092");
        assertThat(c.preset()).isEqualTo(KafkaTransportConfig.Preset.LATENCY);
        assertThat(c.requestTopic("calc")).isEqualTo("rpc.calc");
        assertThat(c.group("calc")).isEqualTo("rpc.calc");
        assertThat(c.deadLetterTopic("calc")).isEqualTo("rpc.calc.dlq");
        assertThat(c.commitInterval()).isEqualTo(java.time.Duration.ofMillis(100));
        KafkaTransport t = new KafkaTransport(c);
        assertThat(t.producerProperties(false)).containsEntry("linger.ms", "0").containsEntry("acks", "all")
                .containsEntry("batch.size", "262144").containsEntry("buffer.memory", Long.toString(128L << 20))
                .doesNotContainKey("max.in.flight.requests.per.connection");
        assertThat(c.smallMessageBytes()).isEqualTo(KafkaTransportConfig.DEFAULT_SMALL_MESSAGE_BYTES);
        assertThat(t.splitsProducers()).isTrue();
        assertThat(t.producerProperties(true)).containsEntry("linger.ms", "0")
                .containsEntry("batch.size", "65536").doesNotContainKey("buffer.memory")
                .containsEntry("max.in.flight.requests.per.connection", "1");
        assertThat(t.producerProperties(true).get("client.id"))
                .isNotEqualTo(t.producerProperties(false).get("client.id"));
        assertThat(t.consumerProperties("g", "x", 10)).containsEntry("group.id", "g")
                .containsEntry("enable.auto.commit", "false").containsEntry("auto.offset.reset", "earliest")
                .doesNotContainKey("group.protocol");
        t.close();
    }

    @Test
    void everyClientReconnectsAndRetriesWithinAQuarterSecondUnlessTheUserSaysOtherwise() {
        KafkaTransport t = new KafkaTransport(KafkaTransportConfig.builder().build());
        for (java.util.Properties p : java.util.List.of(t.producerProperties(false), t.producerProperties(true),
                t.consumerProperties("g", "x", 10), t.consumerProperties(null, "x", 10))) {
            assertThat(p).containsEntry("reconnect.backoff.max.ms", "250").containsEntry("retry.backoff.max.ms", "250");
        }
        t.close();
        KafkaTransport explicit = new KafkaTransport(KafkaTransportConfig.builder()
                .kafkaProperty("reconnect.backoff.max.ms", "5000").kafkaProperty("retry.backoff.ms", "400").build());
        for (java.util.Properties p : java.util.List.of(explicit.producerProperties(false),
                explicit.consumerProperties("g", "x", 10))) {
            // the user's cap stays; a base above the default cap raises the cap to it (Kafka refuses max < base)
            assertThat(p).containsEntry("reconnect.backoff.max.ms", "5000").containsEntry("retry.backoff.max.ms", "400");
        }
        explicit.close();
    }

    @Test
    void theRequestConsumerDetectsADeadServerInSecondsUnlessTheUserSaysOtherwise() {
        KafkaTransport t = new KafkaTransport(KafkaTransportConfig.builder().build());
        assertThat(t.consumerProperties("g", "x", 10)).containsEntry("session.timeout.ms", "6000")
                .containsEntry("heartbeat.interval.ms", "1500").containsEntry("request.timeout.ms", "10000");
        // the reply consumer is in no group: Kafka's defaults
        assertThat(t.consumerProperties(null, "x", 10)).doesNotContainKeys("session.timeout.ms",
                "heartbeat.interval.ms", "request.timeout.ms");
        t.close();

        KafkaTransport explicit = new KafkaTransport(KafkaTransportConfig.builder()
                .kafkaProperty("session.timeout.ms", "30000").kafkaProperty("request.timeout.ms", "20000").build());
        assertThat(explicit.consumerProperties("g", "x", 10)).containsEntry("session.timeout.ms", "30000")
                .containsEntry("heartbeat.interval.ms", "1500").containsEntry("request.timeout.ms", "20000");
        explicit.close();

        // a session timeout shorter than the default heartbeat gets a heartbeat a third of it; an explicit one stays
        KafkaTransport shortSession = new KafkaTransport(KafkaTransportConfig.builder()
                .kafkaProperty("session.timeout.ms", "3000").build());
        assertThat(shortSession.consumerProperties("g", "x", 10)).containsEntry("heartbeat.interval.ms", "1000");
        shortSession.close();
        KafkaTransport heartbeat = new KafkaTransport(KafkaTransportConfig.builder()
                .kafkaProperty("heartbeat.interval.ms", "500").build());
        assertThat(heartbeat.consumerProperties("g", "x", 10)).containsEntry("heartbeat.interval.ms", "500")
                .containsEntry("session.timeout.ms", "6000");
        heartbeat.close();

        // the consumer protocol: the broker sets the session timeout and heartbeat, the client refuses them
        KafkaTransport kip848 = new KafkaTransport(KafkaTransportConfig.builder()
                .kafkaProperty("group.protocol", "consumer").build());
        assertThat(kip848.consumerProperties("g", "x", 10)).doesNotContainKeys("session.timeout.ms",
                "heartbeat.interval.ms");
        kip848.close();
    }

    @Test
    void uriGivesBootstrapOptionsAndKafkaProperties() {
        KafkaTransportConfig c = KafkaTransportConfig.from(URI.create(
                "kafka://h1:9092,h2:9093?topicPrefix=app.&partitions=12&preset=throughput"
                        + "&security.protocol=SASL_SSL&sasl.mechanism=PLAIN&replyTopic=app-replies"
                        + "&commitIntervalMs=250"),
                Map.of("sasl.jaas.config", "x y=z;", "partitions", "3"));
        assertThat(c.bootstrapServers()).isEqualTo("h1:9092,h2:9093");
        assertThat(c.topicPrefix()).isEqualTo("app.");
        assertThat(c.partitions()).isEqualTo(3); // the map wins over the query
        assertThat(c.preset()).isEqualTo(KafkaTransportConfig.Preset.THROUGHPUT);
        assertThat(c.replyTopic()).isEqualTo("app-replies");
        assertThat(c.commitInterval()).isEqualTo(java.time.Duration.ofMillis(250));
        assertThat(c.kafkaProperties()).doesNotContainKey("commitIntervalMs");
        assertThat(c.kafkaProperties()).containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "PLAIN").containsEntry("sasl.jaas.config", "x y=z;");
        KafkaTransport t = new KafkaTransport(c);
        assertThat(t.producerProperties(false)).containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("linger.ms", "5");
        assertThat(t.splitsProducers()).as("the throughput preset batches by lingering: one producer").isFalse();
        assertThat(t.consumerProperties(null, "r", 10)).containsEntry("sasl.mechanism", "PLAIN")
                .doesNotContainKey("group.id");
        t.close();
    }

    @Test
    void smallMessagesGetAProducerOfTheirOwnUnlessTheInFlightBoundIsSetOrTheOptionIsZero() {
        KafkaTransportConfig c = KafkaTransportConfig.from(URI.create("kafka://h:9092?smallMessageBytes=512"),
                Map.of());
        assertThat(c.smallMessageBytes()).isEqualTo(512);
        assertThat(c.kafkaProperties()).doesNotContainKey("smallMessageBytes");
        assertThat(splitsProducers("smallMessageBytes=512")).isTrue();
        assertThat(splitsProducers("smallMessageBytes=0")).isFalse();
        assertThat(splitsProducers("max.in.flight.requests.per.connection=3"))
                .as("an explicit bound holds for every message").isFalse();
        try (KafkaTransport explicit = transportAt("max.in.flight.requests.per.connection=3")) {
            assertThat(explicit.producerProperties(false)).containsEntry("max.in.flight.requests.per.connection", "3");
        }
        assertThatThrownBy(() -> KafkaTransportConfig.builder().smallMessageBytes(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("smallMessageBytes");
        assertThatThrownBy(() -> KafkaTransportConfig.builder().smallMessageBytes(2 * 1024 * 1024))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 MiB");
    }

    @Test
    void largeBatchesStayWithinTheTopicsMessageBoundAndGiveWayToExplicitProperties() {
        try (KafkaTransport t = transportAt("maxMessageBytes=65536")) {
            assertThat(t.producerProperties(false)).as("64 KiB bodies + 64 KiB of header room")
                    .containsEntry("batch.size", Integer.toString(128 * 1024));
        }
        try (KafkaTransport t = transportAt("batch.size=32768&buffer.memory=1048576")) {
            assertThat(t.producerProperties(false)).containsEntry("batch.size", "32768")
                    .containsEntry("buffer.memory", "1048576");
            assertThat(t.producerProperties(true)).containsEntry("batch.size", "32768");
        }
    }

    private static KafkaTransport transportAt(String query) {
        return new KafkaTransport(KafkaTransportConfig.from(URI.create("kafka://h:9092?" + query), Map.of()));
    }

    private static boolean splitsProducers(String query) {
        try (KafkaTransport t = transportAt(query)) {
            return t.splitsProducers();
        }
    }

    @Test
    void replicatedTopicsGetTheirMinInsyncReplicasAndTheProducersWaitForAllOfThem() {
        KafkaTransportConfig c = KafkaTransportConfig.from(URI.create(
                "kafka://h1:9092,h2:9092,h3:9092?replicationFactor=3&minInsyncReplicas=2"), Map.of());
        assertThat(c.replicationFactor()).isEqualTo((short) 3);
        assertThat(c.minInsyncReplicas()).isEqualTo(2);
        assertThat(c.kafkaProperties()).doesNotContainKey("minInsyncReplicas");
        try (KafkaTransport t = new KafkaTransport(c)) {
            assertThat(t.topicConfigs(false)).containsEntry("min.insync.replicas", "2");
            assertThat(t.topicConfigs(true)).containsEntry("min.insync.replicas", "2");
            // idempotence is Kafka's default with acks=all: a retried send after a leader change is written once
            for (boolean small : new boolean[] {false, true}) {
                assertThat(t.producerProperties(small)).containsEntry("acks", "all")
                        .doesNotContainKey("enable.idempotence");
            }
        }
        try (KafkaTransport t = new KafkaTransport(KafkaTransportConfig.builder().build())) {
            assertThat(t.topicConfigs(false)).as("the broker's default").doesNotContainKey("min.insync.replicas");
        }
        assertThatThrownBy(() -> KafkaTransportConfig.builder().replicationFactor(2).minInsyncReplicas(3).build())
                .hasMessageContaining("minInsyncReplicas 3 is above replicationFactor 2");
        assertThatThrownBy(() -> KafkaTransportConfig.builder().minInsyncReplicas(0))
                .hasMessageContaining("minInsyncReplicas");
    }

    @Test
    void explicitBootstrapPropertyWinsOverTheAuthority() {
        KafkaTransportConfig c = KafkaTransportConfig.from(URI.create("kafka://localhost:9092"),
                Map.of("bootstrap.servers", "broker:19092"));
        assertThat(c.bootstrapServers()).isEqualTo("broker:19092");
    }

    @Test
    void badValuesAreOneLineErrors() {
        assertThatThrownBy(() -> KafkaTransportConfig.from(URI.create("kafka://host"), Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("host:port");
        assertThatThrownBy(() -> KafkaTransportConfig.from(URI.create("kafka://h:9092?partitions=x"), Map.of()))
                .hasMessage("partitions must be an integer, was 'x'");
        assertThatThrownBy(() -> KafkaTransportConfig.from(URI.create("kafka://h:9092?preset=fast"), Map.of()))
                .hasMessageContaining("latency or throughput");
        assertThatThrownBy(() -> KafkaTransportConfig.from(URI.create("kafka://h:9092/path"), Map.of()))
                .hasMessageContaining("must not have a path");
        assertThatThrownBy(() -> KafkaTransportConfig.builder().replicationFactor(0))
                .hasMessageContaining("replicationFactor");
        assertThatThrownBy(() -> KafkaTransportConfig.from(URI.create("kafka://h:9092?commitIntervalMs=0"), Map.of()))
                .hasMessageContaining("commitInterval must be from 1 ms to 1 hour");
        assertThatThrownBy(() -> KafkaTransportConfig.builder().commitInterval(java.time.Duration.ofHours(2)))
                .hasMessageContaining("commitInterval");
        assertThatThrownBy(() -> KafkaTransportConfig.builder().topicPrefix("a b"))
                .hasMessageContaining("topicPrefix");
        KafkaTransport t = new KafkaTransport(KafkaTransportConfig.builder().build());
        assertThatThrownBy(() -> t.openServer("bad name", new dev.pipeline.rpc.spi.ServerSettings(1,
                java.time.Duration.ZERO), r -> null)).hasMessageContaining("[A-Za-z0-9._-]");
        t.close();
    }

    @Test
    void theProviderIsFoundByServiceLoader() {
        TransportProvider kafka = ServiceLoader.load(TransportProvider.class).stream()
                .map(ServiceLoader.Provider::get).filter(p -> p.scheme().equals("kafka")).findFirst().orElseThrow();
        assertThat(kafka).isInstanceOf(KafkaTransportProvider.class);
        assertThat(kafka.defaultUri()).isEqualTo(URI.create("kafka://localhost:9092"));
        // opening does not contact the broker
        kafka.open(URI.create("kafka://127.0.0.1:1"), Map.of()).close();
    }
}
