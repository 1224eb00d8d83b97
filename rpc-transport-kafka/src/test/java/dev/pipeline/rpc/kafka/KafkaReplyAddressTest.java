package dev.pipeline.rpc.kafka;

import dev.pipeline.rpc.ClientConfig;
import dev.pipeline.rpc.MicrometerRpcMetrics;
import dev.pipeline.rpc.Rpc;
import dev.pipeline.rpc.RpcClient;
import dev.pipeline.rpc.RpcServer;
import dev.pipeline.rpc.ServerConfig;
import dev.pipeline.rpc.spi.ClientChannel;
import dev.pipeline.rpc.spi.ClientSettings;
import dev.pipeline.rpc.spi.HandlerOutcome;
import dev.pipeline.rpc.spi.ServerSettings;
import dev.pipeline.rpc.spi.Transport;
import dev.pipeline.rpc.spi.WireHeaders;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static dev.pipeline.rpc.kafka.KafkaTestSupport.Replies;
import static dev.pipeline.rpc.kafka.KafkaTestSupport.admin;
import static dev.pipeline.rpc.kafka.KafkaTestSupport.bootstrap;
import static dev.pipeline.rpc.kafka.KafkaTestSupport.config;
import static dev.pipeline.rpc.kafka.KafkaTestSupport.request;
import static dev.pipeline.rpc.kafka.KafkaTestSupport.transport;
import static dev.pipeline.rpc.kafka.KafkaTestSupport.uniqueService;
import static dev.pipeline.rpc.kafka.KafkaTestSupport.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Reply addresses a client cannot abuse: checked before any send, never blocking the poll loop; each refused one is
 * counted, as is each reply that matches no pending call, with no address or id in a metric tag.
 */
class KafkaReplyAddressTest {
    /** Generous: every good call is answered well within it, while 12 blocked sends would cost 120 s. */
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** A single send that waits for the metadata of a topic that is not there costs max.block.ms: 10 s. */
    private static final long ONE_BLOCKED_SEND_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final KafkaTestSupport.Closer closer = new KafkaTestSupport.Closer();

    @AfterEach
    void closeAll() {
        closer.closeAll();
    }

    @Test
    void badReplyAddressesAreDeadLetteredWhileEveryGoodCallIsAnswered() throws Exception {
        String service = uniqueService("addr");
        String victim = uniqueService("victim");
        KafkaTransportConfig cfg = config().replyTopic(uniqueService("rpc-replies-addr")).replyPartitions(2)
                .build();
        String replies = cfg.replyTopic();
        try (Admin admin = admin()) {
            // another service's topics, which no reply may reach
            admin.createTopics(List.of(new NewTopic(cfg.requestTopic(victim), 2, (short) 1),
                    new NewTopic(cfg.deadLetterTopic(victim), 1, (short) 1))).all().get(60, TimeUnit.SECONDS);
        }

        // 12 addresses whose topic or partition does not exist (each a 10 s send on a poll loop that waits for
        // metadata), 8 that no server may write to: refused before dispatch
        Map<String, String> notThere = new LinkedHashMap<>();
        for (int i = 0; i < 8; i++) {
            notThere.put("nx" + i, replies + "-missing-" + i + ":0");
        }
        for (int i = 0; i < 4; i++) {
            notThere.put("range" + i, replies + ":" + (2 + i * 7));
        }
        Map<String, String> refused = new LinkedHashMap<>();
        refused.put("illegal-chars", "bad topic!:0");
        refused.put("illegal-long", replies + "-" + "x".repeat(250) + ":0");
        refused.put("illegal-dots", "..:0");
        refused.put("bad-partition", replies + ":-1");
        refused.put("victim-requests", cfg.requestTopic(victim) + ":0");
        refused.put("victim-dlq", cfg.deadLetterTopic(victim) + ":0");
        refused.put("own-dlq", cfg.deadLetterTopic(service));
        refused.put("internal", "__consumer_offsets:0");
        Map<String, String> bad = new LinkedHashMap<>(notThere);
        bad.putAll(refused);
        assertThat(bad).hasSize(20);

        Map<String, java.util.concurrent.atomic.AtomicInteger> handled = new ConcurrentHashMap<>();
        Transport st = closer.add(transport(cfg));
        st.openServer(service, new ServerSettings(64, Duration.ofSeconds(5)), req -> {
            handled.computeIfAbsent(req.correlationId(), k -> new java.util.concurrent.atomic.AtomicInteger())
                    .incrementAndGet();
            return CompletableFuture.completedFuture(HandlerOutcome.reply(req.body()));
        }).start();
        Transport ct = closer.add(transport(cfg));
        Replies got = new Replies();
        ClientChannel client = ct.openClient(new ClientSettings("addr-client"), got);
        client.ready().get(60, TimeUnit.SECONDS);
        client.send(service, request("warm", "{\"warm\":true}")).get(30, TimeUnit.SECONDS);
        await().atMost(WAIT).until(() -> got.byId.containsKey("warm"));

        try (Admin admin = admin();
             KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(), ProducerConfig.LINGER_MS_CONFIG, "0"),
                     new ByteArraySerializer(), new ByteArraySerializer())) {
            Map<TopicPartition, Long> victimBefore = endOffsets(admin, cfg.requestTopic(victim), 2);
            victimBefore.putAll(endOffsets(admin, cfg.deadLetterTopic(victim), 1));

            // the bad requests first on every partition of the request topic, then the good calls, all at once
            List<CompletableFuture<?>> sent = new ArrayList<>();
            int p = 0;
            for (Map.Entry<String, String> b : bad.entrySet()) {
                RecordHeaders h = new RecordHeaders();
                KafkaHeaders.put(h, WireHeaders.RPC_ID, b.getKey());
                KafkaHeaders.put(h, WireHeaders.REPLY_TO, b.getValue());
                KafkaHeaders.put(h, WireHeaders.CLIENT, "attacker");
                CompletableFuture<Void> f = new CompletableFuture<>();
                raw.send(new ProducerRecord<>(cfg.requestTopic(service), p++ % cfg.partitions(), (byte[]) null,
                        utf8("{\"bad\":\"" + b.getKey() + "\"}"), h), (md, e) -> {
                            if (e == null) {
                                f.complete(null);
                            } else {
                                f.completeExceptionally(e);
                            }
                        });
                sent.add(f);
            }
            raw.flush();
            int calls = 200;
            for (int i = 0; i < calls; i++) {
                sent.add(client.send(service, request("g" + i, "{\"g\":" + i + "}")));
            }
            CompletableFuture.allOf(sent.toArray(new CompletableFuture[0])).get(60, TimeUnit.SECONDS);

            await().atMost(WAIT).until(() -> got.byId.size() == calls + 1);
            for (int i = 0; i < calls; i++) {
                assertThat(got.byId).containsEntry("g" + i, "{\"g\":" + i + "}");
            }
            // structurally, none waited behind a bad one: no send of the server ever waited for the metadata of a
            // topic that is not there (a single such wait costs max.block.ms, 10 s)
            KafkaTransport server = (KafkaTransport) st;
            assertThat(metadataWaitNanos(server.producer(0)))
                    .as("time the server's producer waited for topic metadata").isLessThan(ONE_BLOCKED_SEND_NANOS / 2);

            List<ConsumerRecord<byte[], byte[]>> dead = deadLetters(cfg.deadLetterTopic(service), bad.size());
            Map<String, String> reasons = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : dead) {
                reasons.put(KafkaHeaders.get(r.headers(), WireHeaders.RPC_ID),
                        KafkaHeaders.get(r.headers(), WireHeaders.DLQ_REASON));
                assertThat(KafkaHeaders.get(r.headers(), KafkaHeaders.DLQ_SOURCE))
                        .startsWith(cfg.requestTopic(service));
            }
            assertThat(reasons.keySet()).containsExactlyInAnyOrderElementsOf(bad.keySet());
            assertThat(reasons.values()).allMatch(reason -> reason.startsWith("invalid reply address: "));
            for (String id : notThere.keySet()) {
                assertThat(reasons.get(id)).as(id).containsAnyOf("does not exist", "no partition");
            }
            assertThat(reasons.get("victim-requests")).contains("prefix");
            assertThat(reasons.get("internal")).contains("internal");
            // refused before dispatch: no handler ran for them
            assertThat(handled.keySet()).doesNotContainAnyElementsOf(refused.keySet());
            // passed the checks before dispatch: the handler ran, once, and its reply was dropped
            for (String id : notThere.keySet()) {
                assertThat(handled.get(id)).as(id).hasValue(1);
            }
            assertThat(got.byId.keySet()).doesNotContainAnyElementsOf(bad.keySet());

            Map<TopicPartition, Long> victimAfter = endOffsets(admin, cfg.requestTopic(victim), 2);
            victimAfter.putAll(endOffsets(admin, cfg.deadLetterTopic(victim), 1));
            assertThat(victimAfter).as("another service's topics got nothing").isEqualTo(victimBefore);
            long requests = endOffsets(admin, cfg.requestTopic(service), cfg.partitions()).values().stream()
                    .mapToLong(Long::longValue).sum();
            assertThat(requests).as("the own request topic holds the requests only").isEqualTo(calls + bad.size() + 1);
            // every request acknowledged: no partition stalls behind a bad address
            await().atMost(WAIT).until(() -> committedTotal(admin, cfg.group(service)) == requests);
        }
    }

    @Test
    void refusedReplyAddressesAndRepliesMatchingNoCallAreCountedWithoutTheAddressInAnyTag() throws Exception {
        String service = uniqueService("metric");
        String replyTopic = uniqueService("rpc-replies-metric");
        String clientId = uniqueService("metric-client");
        String uri = "kafka://" + bootstrap();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        RpcServer server = closer.add(Rpc.server(uri, ServerConfig.builder()
                .metrics(new MicrometerRpcMetrics(registry)).build()));
        java.util.Set<String> ran = ConcurrentHashMap.newKeySet();
        server.handle(service, "echo", params -> {
            String s = params.get(0, String.class);
            ran.add(s);
            return s;
        });
        server.start();
        RpcClient client = closer.add(Rpc.client(uri, ClientConfig.builder().clientId(clientId)
                .metrics(new MicrometerRpcMetrics(registry)).transportProperty("replyTopic", replyTopic)
                .transportProperty("replyPartitions", "1").build()));
        assertThat(client.call(service, "echo", String.class, "warm")).isEqualTo("warm");

        // three reply addresses the server refuses: outside the reply namespace, not a topic name, and a partition
        // the reply topic does not have (found by the check that runs beside the handler)
        Map<String, String> refused = new LinkedHashMap<>();
        refused.put("outside", cfgRequestTopic(uniqueService("victim")) + ":0");
        refused.put("illegal", "bad topic!:0");
        refused.put("range", replyTopic + ":7");
        // three replies forged onto the client's reply topic with guessed correlation ids
        List<String> guesses = List.of("1", "2", java.util.UUID.randomUUID().toString());
        try (KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(), ProducerConfig.LINGER_MS_CONFIG, "0"),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (Map.Entry<String, String> b : refused.entrySet()) {
                RecordHeaders h = new RecordHeaders();
                KafkaHeaders.put(h, WireHeaders.RPC_ID, "refused-" + b.getKey());
                KafkaHeaders.put(h, WireHeaders.REPLY_TO, b.getValue());
                raw.send(new ProducerRecord<>(cfgRequestTopic(service), null, (byte[]) null,
                        utf8("{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":[\"" + b.getKey()
                                + "\"],\"id\":1}"), h)).get(30, TimeUnit.SECONDS);
            }
            for (String guess : guesses) {
                RecordHeaders h = new RecordHeaders();
                KafkaHeaders.put(h, WireHeaders.RPC_ID, guess);
                KafkaHeaders.put(h, WireHeaders.CLIENT, clientId);
                raw.send(new ProducerRecord<>(replyTopic, 0, (byte[]) null,
                        utf8("{\"jsonrpc\":\"2.0\",\"id\":\"" + guess + "\",\"result\":\"forged\"}"), h))
                        .get(30, TimeUnit.SECONDS);
            }
        }
        // an idle client does not poll its reply partition: the next call reads the forged replies before its own
        assertThat(client.call(service, "echo", String.class, "after")).isEqualTo("after");
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(count(registry, MicrometerRpcMetrics.SERVER_REFUSED_REPLY_ADDRESSES, "service", service,
                    "transport", "kafka")).isEqualTo(3);
            assertThat(count(registry, MicrometerRpcMetrics.CLIENT_LATE_REPLIES, "transport", "kafka"))
                    .isEqualTo(3);
        });
        // before dispatch for the two malformed or outside addresses; the handler ran for the missing partition
        assertThat(ran).doesNotContain("outside", "illegal").contains("range");
        List<String> secrets = new ArrayList<>(refused.values());
        secrets.addAll(guesses.subList(2, 3));
        for (Meter m : registry.getMeters()) {
            for (Tag tag : m.getId().getTags()) {
                assertThat(secrets).as("tag %s of %s", tag, m.getId().getName())
                        .noneMatch(a -> tag.getValue().contains(a));
            }
        }
        assertThat(registry.get(MicrometerRpcMetrics.SERVER_REFUSED_REPLY_ADDRESSES).counter().getId().getTags())
                .extracting(Tag::getKey).containsExactlyInAnyOrder("service", "transport");
    }

    /** @return the count of the counter with these tags, 0 while it does not exist */
    static double count(SimpleMeterRegistry registry, String name, String... tags) {
        io.micrometer.core.instrument.Counter c = registry.find(name).tags(tags).counter();
        return c == null ? 0 : c.count();
    }

    private static String cfgRequestTopic(String service) {
        return config().build().requestTopic(service);
    }

    private static Map<TopicPartition, Long> endOffsets(Admin admin, String topic, int partitions) throws Exception {
        Map<TopicPartition, OffsetSpec> ask = new HashMap<>();
        for (int i = 0; i < partitions; i++) {
            ask.put(new TopicPartition(topic, i), OffsetSpec.latest());
        }
        Map<TopicPartition, Long> out = new HashMap<>();
        admin.listOffsets(ask).all().get(30, TimeUnit.SECONDS).forEach((tp, info) -> out.put(tp, info.offset()));
        return out;
    }

    private static long committedTotal(Admin admin, String group) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> m = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
        return m.values().stream().mapToLong(OffsetAndMetadata::offset).sum();
    }

    private static List<ConsumerRecord<byte[], byte[]>> deadLetters(String topic, int expected) {
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(), ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            List<ConsumerRecord<byte[], byte[]>> got = new ArrayList<>();
            await().atMost(WAIT).until(() -> {
                c.poll(Duration.ofMillis(200)).forEach(got::add);
                return got.size() >= expected;
            });
            return got;
        }
    }

    private static double metadataWaitNanos(Producer<?, ?> p) {
        for (Map.Entry<org.apache.kafka.common.MetricName, ? extends Metric> e : p.metrics().entrySet()) {
            if (e.getKey().name().equals("metadata-wait-time-ns-total")
                    && e.getKey().group().equals("producer-metrics")) {
                return ((Number) e.getValue().metricValue()).doubleValue();
            }
        }
        throw new AssertionError("no metadata-wait-time-ns-total metric");
    }
}
