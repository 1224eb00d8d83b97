package dev.pipeline.rpc.kafka;

import dev.pipeline.rpc.spi.ClientChannel;
import dev.pipeline.rpc.spi.ClientSettings;
import dev.pipeline.rpc.spi.HandlerOutcome;
import dev.pipeline.rpc.spi.IncomingRequest;
import dev.pipeline.rpc.spi.ServerChannel;
import dev.pipeline.rpc.spi.ServerSettings;
import dev.pipeline.rpc.spi.Transport;
import dev.pipeline.rpc.spi.WireHeaders;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.pipeline.rpc.kafka.KafkaTestSupport.Replies;
import static dev.pipeline.rpc.kafka.KafkaTestSupport.admin;
import static dev.pipeline.rpc.kafka.KafkaTestSupport.bootstrap;
import static dev.pipeline.rpc.kafka.KafkaTestSupport.config;
import static dev.pipeline.rpc.kafka.KafkaTestSupport.echo;
import static dev.pipeline.rpc.kafka.KafkaTestSupport.notification;
import static dev.pipeline.rpc.kafka.KafkaTestSupport.request;
import static dev.pipeline.rpc.kafka.KafkaTestSupport.str;
import static dev.pipeline.rpc.kafka.KafkaTestSupport.transport;
import static dev.pipeline.rpc.kafka.KafkaTestSupport.uniqueService;
import static dev.pipeline.rpc.kafka.KafkaTestSupport.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The transport at SPI level against a real broker (from the fixture's ladder). */
class KafkaChannelsTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ServerSettings SETTINGS = new ServerSettings(64, Duration.ofSeconds(5));

    private final KafkaTestSupport.Closer closer = new KafkaTestSupport.Closer();

    @AfterEach
    void closeAll() {
        closer.closeAll();
    }

    private <T extends AutoCloseable> T closing(T c) {
        return closer.add(c);
    }

    private ClientChannel readyClient(Transport t, String id, Replies replies) throws Exception {
        ClientChannel c = t.openClient(new ClientSettings(id), replies);
        c.ready().get(60, TimeUnit.SECONDS);
        return c;
    }

    @Test
    void theFirstRequestRightAfterReadyIsAnswered() throws Exception {
        String service = uniqueService("first");
        Transport server = closing(transport());
        ServerChannel sc = server.openServer(service, SETTINGS, echo());
        sc.start();
        // a fresh transport per client: its reply topic position is taken at ready(), nothing earlier is needed
        for (int i = 0; i < 3; i++) {
            Transport ct = closing(transport());
            Replies replies = new Replies();
            ClientChannel client = readyClient(ct, "first-" + i, replies);
            client.send(service, request("c" + i, "{\"n\":" + i + "}")).get(30, TimeUnit.SECONDS);
            int n = i;
            await().atMost(WAIT).until(() -> replies.byId.containsKey("c" + n));
            assertThat(replies.byId.get("c" + i)).isEqualTo("{\"n\":" + i + "}");
        }
    }

    @Test
    void aServerThatServedNothingLeavesItsGroupWithOffsetsSoTheGroupOutlivesIt() throws Exception {
        String service = uniqueService("anchor");
        Transport server = closing(transport());
        ServerChannel sc = server.openServer(service, SETTINGS, echo());
        sc.start();
        await().atMost(WAIT).until(() -> sc.health().isUp()); // joined its group
        sc.close();
        // Kafka deletes an empty group without offsets at its next clean-up; with an offset per partition it stays
        try (Admin admin = admin()) {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets("rpc." + service)
                    .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            int partitions = admin.describeTopics(List.of("rpc." + service)).allTopicNames().get(30, TimeUnit.SECONDS)
                    .get("rpc." + service).partitions().size();
            assertThat(offsets).as("committed offsets of the group").hasSize(partitions);
            assertThat(offsets.values()).allSatisfy(o -> assertThat(o.offset()).isZero());
        }
    }

    @Test
    void repliesReachOnlyTheirOwnClientEvenOnASharedPartition() throws Exception {
        String service = uniqueService("own");
        String replyTopic = uniqueService("replies-shared");
        KafkaTransportConfig cfg = config().replyTopic(replyTopic).replyPartitions(2).build();
        Transport server = closing(transport(cfg));
        server.openServer(service, SETTINGS, echo()).start();
        int clients = 5;
        int perClient = 20;
        List<Replies> replies = new ArrayList<>();
        List<ClientChannel> channels = new ArrayList<>();
        Set<String> replyAddresses = ConcurrentHashMap.newKeySet();
        for (int c = 0; c < clients; c++) {
            Transport t = closing(transport(cfg));
            Replies r = new Replies();
            replies.add(r);
            ClientChannel ch = readyClient(t, "own-" + c, r);
            channels.add(ch);
            replyAddresses.add(((KafkaClientChannel) ch).replyTo());
        }
        assertThat(replyAddresses).hasSizeLessThanOrEqualTo(2); // 5 clients on 2 partitions: some share
        List<CompletableFuture<Void>> sent = new ArrayList<>();
        for (int i = 0; i < perClient; i++) {
            for (int c = 0; c < clients; c++) {
                sent.add(channels.get(c).send(service, request("own-" + c + "-" + i, "\"" + c + "/" + i + "\"")));
            }
        }
        CompletableFuture.allOf(sent.toArray(new CompletableFuture[0])).get(60, TimeUnit.SECONDS);
        for (int c = 0; c < clients; c++) {
            Replies r = replies.get(c);
            await().atMost(WAIT).until(() -> r.ids.size() >= perClient);
        }
        for (int c = 0; c < clients; c++) {
            Replies r = replies.get(c);
            String prefix = "own-" + c + "-";
            assertThat(r.ids).hasSize(perClient).allMatch(id -> id.startsWith(prefix));
            assertThat(Set.copyOf(r.ids)).hasSize(perClient);
        }
    }

    @Test
    void twoServerInstancesShareThePartitions() throws Exception {
        String service = uniqueService("share");
        Map<String, AtomicInteger> handledBy = new ConcurrentHashMap<>();
        Transport t1 = closing(transport());
        Transport t2 = closing(transport());
        KafkaServerChannel s1 = (KafkaServerChannel) t1.openServer(service, SETTINGS, counting("a", handledBy));
        KafkaServerChannel s2 = (KafkaServerChannel) t2.openServer(service, SETTINGS, counting("b", handledBy));
        s1.start();
        s2.start();
        await().atMost(WAIT).until(() -> s1.assignedPartitions() > 0 && s2.assignedPartitions() > 0
                && s1.assignedPartitions() + s2.assignedPartitions() == 8);
        // Requests are unkeyed: the producer's partitioner stays on a partition until batch.size bytes went there.
        // With the transport's 64 KiB batches 400 requests of 1 KiB are ~6 partition picks, all on one instance's
        // half about 1 time in 60; batches smaller than one request make it a pick per request (~2^-400).
        Transport ct = closing(transport(config().kafkaProperty("batch.size", "1024").build()));
        Replies replies = new Replies();
        ClientChannel client = readyClient(ct, "share-client", replies);
        String padding = "x".repeat(1024);
        for (int i = 0; i < 400; i++) {
            client.send(service, request("s" + i, padding + i));
        }
        await().atMost(WAIT).until(() -> replies.byId.size() == 400);
        assertThat(handledBy.get("a").get()).isPositive();
        assertThat(handledBy.get("b").get()).isPositive();
        assertThat(handledBy.get("a").get() + handledBy.get("b").get()).isGreaterThanOrEqualTo(400);
    }

    private static dev.pipeline.rpc.spi.RequestHandler counting(String name, Map<String, AtomicInteger> counts) {
        counts.put(name, new AtomicInteger());
        return req -> {
            counts.get(name).incrementAndGet();
            return CompletableFuture.completedFuture(HandlerOutcome.reply(req.body()));
        };
    }

    @Test
    void aServerClosedMidRequestLeavesItToAnotherInstance() throws Exception {
        String service = uniqueService("crash");
        List<String> seenByA = new CopyOnWriteArrayList<>();
        List<String> seenByB = new CopyOnWriteArrayList<>();
        Transport ta = closing(transport());
        ServerChannel a = ta.openServer(service, SETTINGS, req -> {
            seenByA.add(req.correlationId());
            return new CompletableFuture<>(); // never completes: the instance "hangs" then dies
        });
        a.start();
        Transport ct = closing(transport());
        Replies replies = new Replies();
        ClientChannel client = readyClient(ct, "crash-client", replies);
        client.send(service, request("x1", "\"work\"")).get(30, TimeUnit.SECONDS);
        await().atMost(WAIT).until(() -> seenByA.contains("x1"));

        Transport tb = closing(transport());
        ServerChannel b = tb.openServer(service, SETTINGS, req -> {
            seenByB.add(req.correlationId());
            return CompletableFuture.completedFuture(HandlerOutcome.reply(utf8("\"done by b\"")));
        });
        b.start();
        a.close(Duration.ZERO); // dies with the request unfinished: nothing committed for it
        await().atMost(WAIT).until(() -> replies.byId.containsKey("x1"));
        assertThat(replies.byId.get("x1")).isEqualTo("\"done by b\"");
        assertThat(seenByB).contains("x1");
    }

    @Test
    void aReplyIsTheBodyWithTheWireHeadersAndNoKey() throws Exception {
        String service = uniqueService("wire");
        KafkaTransportConfig cfg = config().replyTopic(uniqueService("replies-wire")).replyPartitions(1).build();
        Transport st = closing(transport(cfg));
        st.openServer(service, SETTINGS, echo()).start();
        Transport ct = closing(transport(cfg));
        Replies replies = new Replies();
        ClientChannel client = readyClient(ct, "wire-client", replies);
        client.send(service, request("w1", "{\"w\":1}")).get(30, TimeUnit.SECONDS);
        await().atMost(WAIT).until(() -> replies.byId.containsKey("w1"));

        try (KafkaConsumer<byte[], byte[]> raw = rawConsumer()) {
            TopicPartition tp = new TopicPartition(cfg.replyTopic(), 0);
            raw.assign(List.of(tp));
            raw.seekToBeginning(List.of(tp));
            List<ConsumerRecord<byte[], byte[]>> got = new ArrayList<>();
            await().atMost(WAIT).until(() -> {
                raw.poll(Duration.ofMillis(200)).forEach(got::add);
                return !got.isEmpty();
            });
            ConsumerRecord<byte[], byte[]> r = got.get(0);
            assertThat(str(r.value())).isEqualTo("{\"w\":1}");
            assertThat(r.key()).isNull(); // the partition is explicit and the client id is a header
            assertThat(KafkaHeaders.get(r.headers(), WireHeaders.RPC_ID)).isEqualTo("w1");
            assertThat(KafkaHeaders.get(r.headers(), WireHeaders.CLIENT)).isEqualTo("wire-client");
        }
    }

    @Test
    void aDeadLetterOutcomeIsCopiedWithItsReasonAndTheRequestIsStillAnswered() throws Exception {
        String service = uniqueService("poison");
        Transport st = closing(transport());
        st.openServer(service, SETTINGS, req -> {
            if (str(req.body()).startsWith("{")) {
                return CompletableFuture.completedFuture(HandlerOutcome.reply(req.body()));
            }
            return CompletableFuture.completedFuture(new HandlerOutcome(
                    utf8("{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32700,\"message\":\"Parse error\"},\"id\":null}"),
                    "parse error: not JSON"));
        }).start();
        Transport ct = closing(transport());
        Replies replies = new Replies();
        ClientChannel client = readyClient(ct, "poison-client", replies);
        client.send(service, request("p1", "not json at all")).get(30, TimeUnit.SECONDS);
        client.send(service, request("p2", "{\"ok\":true}")).get(30, TimeUnit.SECONDS);
        await().atMost(WAIT).until(() -> replies.byId.containsKey("p1") && replies.byId.containsKey("p2"));
        assertThat(replies.byId.get("p1")).contains("-32700");

        KafkaTransportConfig cfg = config().build();
        try (KafkaConsumer<byte[], byte[]> dlq = rawConsumer()) {
            TopicPartition tp = new TopicPartition(cfg.deadLetterTopic(service), 0);
            dlq.assign(List.of(tp));
            dlq.seekToBeginning(List.of(tp));
            List<ConsumerRecord<byte[], byte[]>> got = new ArrayList<>();
            await().atMost(WAIT).until(() -> {
                dlq.poll(Duration.ofMillis(200)).forEach(got::add);
                return !got.isEmpty();
            });
            ConsumerRecord<byte[], byte[]> r = got.get(0);
            assertThat(str(r.value())).isEqualTo("not json at all");
            assertThat(KafkaHeaders.get(r.headers(), WireHeaders.DLQ_REASON)).isEqualTo("parse error: not JSON");
            assertThat(KafkaHeaders.get(r.headers(), WireHeaders.RPC_ID)).isEqualTo("p1");
            assertThat(KafkaHeaders.get(r.headers(), KafkaHeaders.DLQ_SOURCE)).startsWith(cfg.requestTopic(service));
            assertThat(got).hasSize(1);
        }
        // both requests were acknowledged: the poison one did not block its partition
        try (Admin admin = admin()) {
            await().atMost(WAIT).until(() -> committedTotal(admin, cfg.group(service)) == 2);
        }
    }

    @Test
    void committedOffsetsNeverSkipAnUnfinishedRecord() throws Exception {
        String service = uniqueService("prefix");
        KafkaTransportConfig cfg = config().partitions(1).commitInterval(Duration.ofMillis(20)).build();
        Map<String, CompletableFuture<HandlerOutcome>> held = new ConcurrentHashMap<>();
        Transport st = closing(transport(cfg));
        st.openServer(service, SETTINGS, req -> {
            CompletableFuture<HandlerOutcome> f = new CompletableFuture<>();
            held.put(req.correlationId(), f);
            return f;
        }).start();
        Transport ct = closing(transport(cfg));
        Replies replies = new Replies();
        ClientChannel client = readyClient(ct, "prefix-client", replies);
        for (int i = 0; i < 5; i++) {
            client.send(service, request("r" + i, "" + i)).get(30, TimeUnit.SECONDS);
        }
        await().atMost(WAIT).until(() -> held.size() == 5);
        for (int i = 1; i < 5; i++) {
            held.get("r" + i).complete(HandlerOutcome.reply(utf8("" + i)));
        }
        await().atMost(WAIT).until(() -> replies.byId.size() == 4);
        try (Admin admin = admin()) {
            // several commit intervals pass; record 0 is unfinished, so offset 0 stays the commit point
            Thread.sleep(10 * cfg.commitInterval().toMillis() + 300);
            assertThat(committed(admin, cfg.group(service), new TopicPartition(cfg.requestTopic(service), 0)))
                    .isLessThanOrEqualTo(0);
            held.get("r0").complete(HandlerOutcome.reply(utf8("0")));
            await().atMost(WAIT).until(() -> committed(admin, cfg.group(service),
                    new TopicPartition(cfg.requestTopic(service), 0)) == 5);
        }
        assertThat(replies.byId).hasSize(5);
    }

    @Test
    void answeredRequestsWaitForTheCommitIntervalAndAreCommittedOnClose() throws Exception {
        String service = uniqueService("interval");
        KafkaTransportConfig cfg = config().partitions(1).commitInterval(Duration.ofHours(1)).build();
        Transport st = transport(cfg);
        ServerChannel server = st.openServer(service, SETTINGS,
                req -> CompletableFuture.completedFuture(HandlerOutcome.reply(req.body())));
        server.start();
        Transport ct = closing(transport(cfg));
        Replies replies = new Replies();
        ClientChannel client = readyClient(ct, "interval-client", replies);
        TopicPartition tp = new TopicPartition(cfg.requestTopic(service), 0);
        try (Admin admin = admin()) {
            client.send(service, request("i0", "0")).get(30, TimeUnit.SECONDS);
            // the first answered request starts the clock: it is committed at once
            await().atMost(WAIT).until(() -> committed(admin, cfg.group(service), tp) == 1);
            for (int i = 1; i < 3; i++) {
                client.send(service, request("i" + i, "" + i)).get(30, TimeUnit.SECONDS);
            }
            await().atMost(WAIT).until(() -> replies.byId.size() == 3);
            Thread.sleep(500); // at the earlier default (20 ms) this saw 25 chances to commit
            assertThat(committed(admin, cfg.group(service), tp)).as("not yet: the interval is an hour").isEqualTo(1);
            server.close(Duration.ofSeconds(5));
            st.close();
            assertThat(committed(admin, cfg.group(service), tp)).as("closing commits what was answered").isEqualTo(3);
        }
    }

    @Test
    void smallAndLargeMessagesTravelThroughProducersOfTheirOwn() throws Exception {
        String service = uniqueService("sizes");
        KafkaTransportConfig cfg = config().smallMessageBytes(100).build();
        KafkaTransport st = (KafkaTransport) closing(transport(cfg));
        st.openServer(service, SETTINGS, echo()).start();
        KafkaTransport ct = (KafkaTransport) closing(transport(cfg));
        Replies replies = new Replies();
        ClientChannel client = readyClient(ct, "sizes-client", replies);
        String small = "\"" + "s".repeat(50) + "\"";
        String large = "\"" + "l".repeat(5000) + "\"";
        client.send(service, request("small", small)).get(30, TimeUnit.SECONDS);
        client.send(service, request("large", large)).get(30, TimeUnit.SECONDS);
        await().atMost(WAIT).until(() -> replies.byId.size() == 2);
        assertThat(replies.byId).containsEntry("small", small).containsEntry("large", large);
        for (KafkaTransport t : List.of(ct, st)) { // the client's requests, the server's replies
            assertThat(clientId(t.producer(50))).startsWith("pipeline-producer-small-");
            assertThat(clientId(t.producer(5000))).startsWith("pipeline-producer-").doesNotContain("small");
            assertThat(producerMetric(t.producer(50), "record-send-total")).as("small messages' producer")
                    .isEqualTo(1);
            assertThat(producerMetric(t.producer(5000), "record-send-total")).as("large messages' producer")
                    .isEqualTo(1);
        }
    }

    @Test
    void repliesToAClientWithASmallerBoundRideInBatchesItsReplyTopicAccepts() throws Exception {
        // the client's maxMessageBytes (64 KiB) is below the server's batch.size for larger messages (256 KiB): the
        // reply topic the client creates must still take the server's full batches, or the broker refuses them:
        // kafka-clients 4.1 split them at the same size until delivery.timeout.ms (KAFKA-8350), 4.2 in halves
        String service = uniqueService("mixed");
        KafkaTransport st = (KafkaTransport) closing(transport(config().build()));
        st.openServer(service, SETTINGS, echo()).start();
        KafkaTransportConfig small = config().maxMessageBytes(64 * 1024)
                .replyTopic(uniqueService("rpc-replies-mixed")).build();
        KafkaTransport ct = (KafkaTransport) closing(transport(small));
        String body = manyLargeRoundTrips(ct, service, "mixed-client");
        assertThat(st.largeBatchBytes()).isEqualTo(256 * 1024);
        assertRodeInAcceptedBatches(st.producer(body.length()), "the server's replies");
        assertThat(st.topics().tooSmallForBatches).isEmpty();
    }

    @Test
    void largeMessagesRideInBatchesThatTopicsMadeElsewhereAccept() throws Exception {
        // topics that exist already and take 128 KiB, as an older version made them for maxMessageBytes 64 KiB:
        // transports with that bound cap their batches there
        String service = uniqueService("premade");
        KafkaTransportConfig cfg = config().maxMessageBytes(64 * 1024)
                .replyTopic(uniqueService("premade-replies")).build();
        try (Admin admin = admin()) {
            admin.createTopics(List.of(limitedTopic(cfg.requestTopic(service), 128 * 1024),
                    limitedTopic(cfg.replyTopic(), 128 * 1024))).all().get(60, TimeUnit.SECONDS);
        }
        assertThat(KafkaTransport.largeBatchBytes(cfg)).isEqualTo(128 * 1024);
        KafkaTransport st = (KafkaTransport) closing(transport(cfg));
        st.openServer(service, SETTINGS, echo()).start();
        KafkaTransport ct = (KafkaTransport) closing(transport(cfg));
        String body = manyLargeRoundTrips(ct, service, "premade-client");
        assertRodeInAcceptedBatches(ct.producer(body.length()), "the client's requests");
        assertRodeInAcceptedBatches(st.producer(body.length()), "the server's replies");
    }

    /** 300 requests of 10 KB sent at once; returns the body once every reply is back. */
    private String manyLargeRoundTrips(KafkaTransport ct, String service, String name) throws Exception {
        Replies replies = new Replies();
        ClientChannel client = readyClient(ct, name, replies);
        String body = "\"" + "b".repeat(10_000) + "\"";
        int calls = 300;
        List<CompletableFuture<Void>> sent = new ArrayList<>();
        for (int i = 0; i < calls; i++) {
            sent.add(client.send(service, request("b" + i, body)));
        }
        CompletableFuture.allOf(sent.toArray(new CompletableFuture[0])).get(60, TimeUnit.SECONDS);
        await().atMost(WAIT).until(() -> replies.byId.size() == calls);
        assertThat(replies.byId.values()).allMatch(body::equals);
        return body;
    }

    private static void assertRodeInAcceptedBatches(Producer<?, ?> large, String what) {
        assertThat(producerMetric(large, "record-send-total")).as(what).isEqualTo(300);
        assertThat(producerMetric(large, "batch-split-total")).as(what + ": batches the broker refused as too large")
                .isZero();
        assertThat(producerMetric(large, "record-error-total")).as(what).isZero();
        assertThat(producerMetric(large, "records-per-request-avg"))
                .as(what + ": records sent while others were in flight left together").isGreaterThan(1);
    }

    private static NewTopic limitedTopic(String name, int maxMessageBytes) {
        return new NewTopic(name, 1, (short) 1)
                .configs(Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(maxMessageBytes)));
    }

    @Test
    void aTopicThatTakesSmallerBatchesThanTheProducerMakesIsReported() throws Exception {
        String small = uniqueService("small-limit");
        try (Admin admin = admin()) {
            admin.createTopics(List.of(limitedTopic(small, 100_000))).all().get(60, TimeUnit.SECONDS);
        }
        KafkaTransport t = (KafkaTransport) closing(transport());
        t.topics().ensure(small, 1, Map.of()).get(60, TimeUnit.SECONDS);
        assertThat(checkedLimit(t, small)).isEqualTo(100_000);
        assertThat(t.largeBatchBytes()).isEqualTo(256 * 1024);
        assertThat(t.topics().tooSmallForBatches).containsExactly(small);

        String ours = uniqueService("own-limit"); // created by the transport: room for a full batch
        t.topics().ensure(ours, 1, t.topicConfigs(false)).get(60, TimeUnit.SECONDS);
        assertThat(checkedLimit(t, ours)).isGreaterThanOrEqualTo(t.largeBatchBytes());
        assertThat(t.topics().tooSmallForBatches).containsExactly(small);
    }

    @Test
    void aServerReportsAReplyTopicThatTakesSmallerBatchesThanItsProducerMakes() throws Exception {
        String service = uniqueService("small-replies");
        String replyTopic = uniqueService("rpc-replies-small");
        try (Admin admin = admin()) {
            admin.createTopics(List.of(limitedTopic(replyTopic, 100_000))).all().get(60, TimeUnit.SECONDS);
        }
        KafkaTransport st = (KafkaTransport) closing(transport());
        st.openServer(service, SETTINGS, echo()).start();
        Transport ct = closing(transport(config().replyTopic(replyTopic).build()));
        Replies replies = new Replies();
        ClientChannel client = readyClient(ct, "small-replies-client", replies);
        String small = "\"s\"";
        client.send(service, request("small", small)).get(30, TimeUnit.SECONDS);
        await().atMost(WAIT).until(() -> replies.byId.size() == 1);
        assertThat(st.topics().messageLimit(replyTopic)).as("small replies do not use the large producer").isNull();
        String large = "\"" + "l".repeat(10_000) + "\"";
        client.send(service, request("large", large)).get(30, TimeUnit.SECONDS);
        await().atMost(WAIT).until(() -> replies.byId.size() == 2);
        assertThat(replies.byId).containsEntry("large", large);
        assertThat(checkedLimit(st, replyTopic)).isEqualTo(100_000);
        assertThat(st.topics().tooSmallForBatches).containsExactly(replyTopic);
    }

    /** The topic's max.message.bytes as the transport's check read it. */
    private static int checkedLimit(KafkaTransport t, String topic) throws Exception {
        await().atMost(WAIT).until(() -> t.topics().messageLimit(topic) != null
                && t.topics().messageLimit(topic).isDone());
        return t.topics().messageLimit(topic).get();
    }

    private static double producerMetric(Producer<?, ?> p, String name) {
        return p.metrics().entrySet().stream()
                .filter(e -> e.getKey().name().equals(name) && e.getKey().group().equals("producer-metrics"))
                .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue()).sum();
    }

    private static String clientId(Producer<?, ?> p) {
        return p.metrics().keySet().stream().map(m -> m.tags().get("client-id")).filter(java.util.Objects::nonNull)
                .findFirst().orElseThrow();
    }


    @Test
    void aFullServerPausesAndResumesWithoutExceedingItsBound() throws Exception {
        String service = uniqueService("pause");
        int max = 3;
        AtomicInteger running = new AtomicInteger();
        AtomicInteger maxSeen = new AtomicInteger();
        List<CompletableFuture<HandlerOutcome>> held = new CopyOnWriteArrayList<>();
        Transport st = closing(transport());
        st.openServer(service, new ServerSettings(max, Duration.ofSeconds(5)), req -> {
            int now = running.incrementAndGet();
            maxSeen.accumulateAndGet(now, Math::max);
            CompletableFuture<HandlerOutcome> f = new CompletableFuture<>();
            held.add(f);
            return f.whenComplete((o, e) -> running.decrementAndGet());
        }).start();
        Transport ct = closing(transport());
        Replies replies = new Replies();
        ClientChannel client = readyClient(ct, "pause-client", replies);
        int total = 20;
        for (int i = 0; i < total; i++) {
            client.send(service, request("q" + i, "" + i)).get(30, TimeUnit.SECONDS);
        }
        await().atMost(WAIT).until(() -> held.size() == max);
        Thread.sleep(500); // the server must not take more while full
        assertThat(held).hasSize(max);
        int released = 0;
        while (replies.byId.size() < total) {
            int h = held.size();
            for (; released < h; released++) {
                held.get(released).complete(HandlerOutcome.reply(utf8("\"ok\"")));
            }
            int r = released;
            await().atMost(WAIT).until(() -> held.size() > r || replies.byId.size() == total);
        }
        assertThat(maxSeen.get()).isLessThanOrEqualTo(max);
        assertThat(replies.byId).hasSize(total);
    }

    @Test
    void notificationsAreDeliveredWithoutReplyAddressAndCommitted() throws Exception {
        String service = uniqueService("notify");
        List<IncomingRequest> seen = new CopyOnWriteArrayList<>();
        Transport st = closing(transport());
        st.openServer(service, SETTINGS, req -> {
            seen.add(req);
            return CompletableFuture.completedFuture(HandlerOutcome.none());
        }).start();
        Transport ct = closing(transport());
        ClientChannel client = readyClient(ct, "notify-client", new Replies());
        client.send(service, new dev.pipeline.rpc.spi.OutgoingRequest(utf8("{\"method\":\"n\"}"), null,
                System.currentTimeMillis() + 60_000, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"))
                .get(30, TimeUnit.SECONDS);
        await().atMost(WAIT).until(() -> seen.size() == 1);
        IncomingRequest r = seen.get(0);
        assertThat(r.replyTo()).isNull();
        assertThat(r.correlationId()).isNull();
        assertThat(r.clientId()).isEqualTo("notify-client");
        assertThat(r.deadlineEpochMillis()).isPositive();
        assertThat(r.traceparent()).startsWith("00-0af7");
        KafkaTransportConfig cfg = config().build();
        try (Admin admin = admin()) {
            await().atMost(WAIT).until(() -> committedTotal(admin, cfg.group(service)) == 1);
        }
    }

    @Test
    void aClosedClientRefusesToSendAndStopsReceiving() throws Exception {
        Transport ct = closing(transport());
        ClientChannel client = readyClient(ct, "closing-client", new Replies());
        client.close();
        client.close(); // idempotent
        assertThatThrownBy(() -> client.send("any", notification("{}")).get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).hasMessageContaining("closed");
        // a channel closed before it became ready fails its ready() instead of hanging
        ClientChannel early = ct.openClient(new ClientSettings("early"), new Replies());
        early.close();
        assertThatThrownBy(() -> early.ready().get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
    }

    @Test
    void closingTheTransportClosesItsChannels() throws Exception {
        Transport t = transport();
        ClientChannel client = readyClient(t, "transport-close", new Replies());
        ServerChannel server = t.openServer(uniqueService("tclose"), SETTINGS, echo());
        server.start();
        t.close();
        t.close();
        assertThatThrownBy(() -> client.send("any", notification("{}")).get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class);
        assertThatThrownBy(() -> t.openClient(new ClientSettings("late"), new Replies()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    @Test
    void aMissingTopicWithoutAutoCreateIsAClearError() {
        Transport t = closing(transport(config().autoCreateTopics(false).build()));
        String service = uniqueService("missing");
        ServerChannel s = t.openServer(service, SETTINGS, echo());
        assertThatThrownBy(s::start).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("rpc." + service).hasMessageContaining("does not exist")
                .hasMessageContaining("autoCreateTopics=false");
    }

    @Test
    void anUnreachableBrokerFailsSendsWithinTheOperationTimeout() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Transport t = closing(transport(KafkaTransportConfig.builder().bootstrapServers("127.0.0.1:" + port)
                .operationTimeout(Duration.ofSeconds(2)).build()));
        ClientChannel c = t.openClient(new ClientSettings("nobody"), new Replies()); // opening does not block
        assertThat(c.ready()).isNotDone();
        assertThatThrownBy(() -> c.send("svc", request("a", "{}")).get(30, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).hasMessageContaining("127.0.0.1:" + port);
        c.close();
    }

    @Test
    void declaresItsCapabilities() {
        Transport t = closing(transport(config().maxMessageBytes(2 * 1024 * 1024).build()));
        assertThat(t.scheme()).isEqualTo("kafka");
        assertThat(t.capabilities().maxMessageBytes()).isEqualTo(2 * 1024 * 1024);
        assertThat(t.capabilities().features()).containsExactlyInAnyOrder(
                dev.pipeline.rpc.spi.Capability.PERSISTENT, dev.pipeline.rpc.spi.Capability.REDELIVERY_AFTER_CRASH,
                dev.pipeline.rpc.spi.Capability.DEAD_LETTER, dev.pipeline.rpc.spi.Capability.LOAD_SHARING);
    }

    @Test
    void aLargeMessageUpToTheMaximumTravelsAndAboveItFailsClearly() throws Exception {
        String service = uniqueService("large");
        KafkaTransportConfig cfg = config().build();
        Transport st = closing(transport(cfg));
        st.openServer(service, SETTINGS, echo()).start();
        Transport ct = closing(transport(cfg));
        Replies replies = new Replies();
        ClientChannel client = readyClient(ct, "large-client", replies);
        String big = "\"" + "x".repeat(cfg.maxMessageBytes() - 2) + "\"";
        client.send(service, request("big", big)).get(30, TimeUnit.SECONDS);
        await().atMost(WAIT).until(() -> replies.byId.containsKey("big"));
        assertThat(replies.byId.get("big")).hasSize(cfg.maxMessageBytes());
        assertThatThrownBy(() -> client.send(service, request("huge", big + " ")).get(30, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).hasMessageContaining("maxMessageBytes");
    }

    private static KafkaConsumer<byte[], byte[]> rawConsumer() {
        return new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private static long committed(Admin admin, String group, TopicPartition tp) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> m = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
        OffsetAndMetadata o = m.get(tp);
        return o == null ? -1 : o.offset();
    }

    private static long committedTotal(Admin admin, String group) throws Exception {
        return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS)
                .values().stream().filter(java.util.Objects::nonNull).mapToLong(OffsetAndMetadata::offset).sum();
    }
}
