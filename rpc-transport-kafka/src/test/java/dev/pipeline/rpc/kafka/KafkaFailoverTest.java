package dev.pipeline.rpc.kafka;

import dev.pipeline.rpc.spi.ClientChannel;
import dev.pipeline.rpc.spi.ClientSettings;
import dev.pipeline.rpc.spi.HandlerOutcome;
import dev.pipeline.rpc.spi.ReplyListener;
import dev.pipeline.rpc.spi.RequestHandler;
import dev.pipeline.rpc.spi.ServerChannel;
import dev.pipeline.rpc.spi.ServerSettings;
import dev.pipeline.rpc.spi.Transport;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static dev.pipeline.rpc.kafka.KafkaTestSupport.admin;
import static dev.pipeline.rpc.kafka.KafkaTestSupport.config;
import static dev.pipeline.rpc.kafka.KafkaTestSupport.request;
import static dev.pipeline.rpc.kafka.KafkaTestSupport.transport;
import static dev.pipeline.rpc.kafka.KafkaTestSupport.uniqueService;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A server that stops or stops answering: its calls are handed over, and new calls go where servers answer. */
class KafkaFailoverTest {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final ServerSettings SETTINGS = new ServerSettings(256, Duration.ofSeconds(10));

    private final KafkaTestSupport.Closer closer = new KafkaTestSupport.Closer();
    private final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void closeAll() {
        closer.closeAll();
        pool.shutdownNow();
    }

    private <T extends AutoCloseable> T closing(T c) {
        return closer.add(c);
    }

    /** Counts replies per call; releases a permit per first reply. */
    private static final class Calls implements ReplyListener {
        final Map<String, AtomicInteger> replies = new ConcurrentHashMap<>();
        final Map<String, Long> sentNanos = new ConcurrentHashMap<>();
        final AtomicInteger answered = new AtomicInteger();
        final AtomicInteger duplicates = new AtomicInteger();
        final AtomicLong maxLatencyNanos = new AtomicLong();
        final Semaphore window;

        Calls(int window) {
            this.window = new Semaphore(window);
        }

        void sent(String id) {
            sentNanos.put(id, System.nanoTime());
        }

        @Override
        public void onReply(String correlationId, byte[] body) {
            int n = replies.computeIfAbsent(correlationId, k -> new AtomicInteger()).incrementAndGet();
            if (n == 1) {
                Long sent = sentNanos.get(correlationId);
                if (sent != null) {
                    maxLatencyNanos.accumulateAndGet(System.nanoTime() - sent, Math::max);
                }
                answered.incrementAndGet();
                window.release();
            } else {
                duplicates.incrementAndGet();
            }
        }
    }

    /** Echo on a worker thread after a short pause, so that a server always has work in flight. */
    private RequestHandler slowEcho(Map<String, AtomicInteger> executions) {
        return req -> CompletableFuture.supplyAsync(() -> {
            executions.computeIfAbsent(new String(req.body(), java.nio.charset.StandardCharsets.UTF_8),
                    k -> new AtomicInteger()).incrementAndGet();
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return HandlerOutcome.reply(req.body());
        }, pool);
    }

    private static int members(String group) throws Exception {
        try (Admin admin = admin()) {
            return admin.describeConsumerGroups(java.util.List.of(group)).all().get(30, TimeUnit.SECONDS)
                    .get(group).members().size();
        }
    }

    @Test
    void aServerClosedUnderLoadHandsItsWorkOverWithoutAFailedCall() throws Exception {
        String service = uniqueService("graceful");
        KafkaTransportConfig cfg = config().partitions(4).build();
        closeUnderLoad(service, cfg, config().partitions(4).kafkaProperty("client.id", service + "-b").build(), cfg);
    }

    @Test
    void aStaticMemberClosedUnderLoadLeavesTheGroupAndHandsItsWorkOver() throws Exception {
        // static members (group.instance.id) stay in the group on a plain close until their session timeout expires: with
        // a 60 s session timeout the survivor would get nothing for a minute unless the close leaves the group
        String service = uniqueService("graceful-static");
        KafkaTransportConfig.Builder b = config().partitions(4).kafkaProperty("session.timeout.ms", "60000")
                .kafkaProperty("heartbeat.interval.ms", "1500");
        KafkaTransportConfig cfgA = b.kafkaProperty("group.instance.id", service + "-a").build();
        KafkaTransportConfig cfgB = b.kafkaProperty("group.instance.id", service + "-b")
                .kafkaProperty("client.id", service + "-b").build();
        closeUnderLoad(service, cfgA, cfgB, cfgB);
    }

    /** Closes server A under load; {@code cfgB}'s client id names server B's group member. */
    private void closeUnderLoad(String service, KafkaTransportConfig cfgA, KafkaTransportConfig cfgB,
                                KafkaTransportConfig cfg) throws Exception {
        Map<String, AtomicInteger> executions = new ConcurrentHashMap<>();
        Map<String, AtomicInteger> byB = new ConcurrentHashMap<>();
        Transport ta = closing(transport(cfgA));
        Transport tb = closing(transport(cfgB));
        KafkaServerChannel a = (KafkaServerChannel) closing(ta.openServer(service, SETTINGS, slowEcho(executions)));
        RequestHandler echoB = slowEcho(executions);
        KafkaServerChannel b = (KafkaServerChannel) closing(tb.openServer(service, SETTINGS, req -> {
            byB.computeIfAbsent(new String(req.body(), java.nio.charset.StandardCharsets.UTF_8),
                    k -> new AtomicInteger()).incrementAndGet();
            return echoB.handle(req);
        }));
        a.start();
        b.start();
        await().atMost(WAIT).until(() -> a.assignedPartitions() > 0 && b.assignedPartitions() > 0
                && a.assignedPartitions() + b.assignedPartitions() == 4);
        String topic = cfg.requestTopic(service);
        java.util.Set<Integer> ofB = ownedBy(cfg.group(service), topic, service + "-b");

        Calls calls = new Calls(32);
        Transport tc = closing(transport(cfg));
        ClientChannel client = closing(tc.openClient(new ClientSettings("graceful-client"), calls));
        client.ready().get(60, TimeUnit.SECONDS);

        int total = 2000;
        CompletableFuture<Void> closedA = null;
        AtomicLong aClosedMillis = new AtomicLong(Long.MAX_VALUE);
        AtomicLong movedMillis = new AtomicLong(Long.MAX_VALUE);
        for (int i = 0; i < total; i++) {
            assertThat(calls.window.tryAcquire(60, TimeUnit.SECONDS)).as("a window slot for call %d", i).isTrue();
            if (i == total / 4) {
                // when the group shows the survivor owning every partition (what the client goes by) or the survivor
                // has them: a call sent after that is not one that waited for the move
                CompletableFuture.runAsync(() -> {
                    await().pollInterval(Duration.ofMillis(10)).atMost(Duration.ofSeconds(60))
                            .until(() -> b.assignedPartitions() == 4
                                    || ownedBy(cfg.group(service), topic, service + "-b").size() == 4);
                    movedMillis.set(System.currentTimeMillis());
                }, pool);
                closedA = CompletableFuture.runAsync(() -> {
                    a.close();
                    aClosedMillis.set(System.currentTimeMillis());
                    // it left: the group has the survivor alone long before any session timeout (6 s, or 60 s) could
                    // have expired and while calls to its partitions still wait
                    await().atMost(Duration.ofSeconds(20)).until(() -> members(cfg.group(service)) == 1);
                }, pool);
            }
            String id = "c" + i;
            calls.sent(id);
            client.send(service, request(id, id)).get(30, TimeUnit.SECONDS);
        }
        closedA.get(60, TimeUnit.SECONDS);
        assertThat(a.loopEnded()).isTrue();
        await().atMost(WAIT).until(() -> calls.answered.get() == total);
        assertThat(calls.replies).hasSize(total);
        assertThat(calls.duplicates.get()).as("replies answered twice").isZero();
        assertThat(executions).hasSize(total);
        assertThat(executions.values()).allSatisfy(n -> assertThat(n.get()).as("executions of one call").isEqualTo(1));

        // the survivor took everything over, and the closed server left the group
        assertThat(b.assignedPartitions()).isEqualTo(4);
        assertThat(members(cfg.group(service))).isEqualTo(1);
        calls.window.acquire();
        client.send(service, request("after", "after")).get(30, TimeUnit.SECONDS);
        await().atMost(WAIT).until(() -> calls.replies.containsKey("after"));

        // no call waited for the group to move the closing server's partitions: the client stopped sending to them
        // while that server still served them, so each request on them from before its leave was answered by it
        Map<String, org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]>> records = readAll(topic, 4);
        java.util.List<String> waited = new java.util.ArrayList<>();
        byB.keySet().forEach(id -> {
            org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]> r = records.get(id);
            if (r != null && !ofB.contains(r.partition())
                    && r.timestamp() < Math.min(aClosedMillis.get(), movedMillis.get())) {
                waited.add(id + "@" + r.partition());
            }
        });
        // a figure, not an assertion: alone the test sees none, beside the rest of the suite a few (a close that stops
        // intake at once leaves about 16); the guarantees asserted above are every call answered exactly once
        System.out.printf("graceful close under load: %d calls, max latency %d ms, %d calls waited for the group round"
                + " on the closing server's partitions: %s%n", total,
                TimeUnit.NANOSECONDS.toMillis(calls.maxLatencyNanos.get()), waited.size(), waited);
    }

    /** Every record of {@code topic}, by its body (the call's id). */
    private static Map<String, org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]>> readAll(
            String topic, int partitions) {
        java.util.Properties p = new java.util.Properties();
        p.put("bootstrap.servers", KafkaTestSupport.bootstrap());
        p.put("key.deserializer", org.apache.kafka.common.serialization.ByteArrayDeserializer.class.getName());
        p.put("value.deserializer", org.apache.kafka.common.serialization.ByteArrayDeserializer.class.getName());
        Map<String, org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]>> out = new ConcurrentHashMap<>();
        try (org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]> c =
                     new org.apache.kafka.clients.consumer.KafkaConsumer<>(p)) {
            java.util.List<org.apache.kafka.common.TopicPartition> tps = new java.util.ArrayList<>();
            for (int i = 0; i < partitions; i++) {
                tps.add(new org.apache.kafka.common.TopicPartition(topic, i));
            }
            c.assign(tps);
            c.seekToBeginning(tps);
            Map<org.apache.kafka.common.TopicPartition, Long> end = c.endOffsets(tps);
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (tps.stream().anyMatch(tp -> c.position(tp) < end.get(tp)) && System.nanoTime() - until < 0) {
                for (org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    out.put(new String(r.value(), java.nio.charset.StandardCharsets.UTF_8), r);
                }
            }
        }
        return out;
    }

    private static dev.pipeline.rpc.spi.OutgoingRequest call(String id, long deadlineMillis) {
        return new dev.pipeline.rpc.spi.OutgoingRequest(id.getBytes(java.nio.charset.StandardCharsets.UTF_8), id,
                deadlineMillis, null);
    }

    @Test
    void newCallsAvoidThePartitionsOfAServerThatStoppedAnswering() throws Exception {
        String service = uniqueService("stalled");
        KafkaTransportConfig cfg = config().partitions(4).build();
        Map<String, AtomicInteger> executions = new ConcurrentHashMap<>();
        CountDownLatch release = new CountDownLatch(1);
        RequestHandler hanging = req -> CompletableFuture.supplyAsync(() -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            executions.computeIfAbsent(new String(req.body(), java.nio.charset.StandardCharsets.UTF_8),
                    k -> new AtomicInteger()).incrementAndGet();
            return HandlerOutcome.reply(req.body());
        }, pool);
        Transport ta = closing(transport(cfg));
        Transport tb = closing(transport(cfg));
        KafkaServerChannel a = (KafkaServerChannel) closing(ta.openServer(service, SETTINGS, hanging));
        KafkaServerChannel b = (KafkaServerChannel) closing(tb.openServer(service, SETTINGS, slowEcho(executions)));
        a.start();
        b.start();
        await().atMost(WAIT).until(() -> a.assignedPartitions() == 2 && b.assignedPartitions() == 2);

        // batches of one record: Kafka's partitioner moves to another partition after each, so the first calls
        // reach both servers' partitions (with the default it keeps to one partition for a batch's worth)
        Calls calls = new Calls(100_000);
        Transport tc = closing(transport(config().partitions(4).kafkaProperty("batch.size", "1").build()));
        KafkaClientChannel client = (KafkaClientChannel) closing(tc.openClient(new ClientSettings("stalled-client"),
                calls));
        client.ready().get(60, TimeUnit.SECONDS);
        long deadline = System.currentTimeMillis() + 120_000;
        AtomicInteger sent = new AtomicInteger();
        // until both of the hanging server's partitions count as stalled: a call now and then
        await().atMost(WAIT).pollInterval(Duration.ofMillis(20)).until(() -> {
            if (client.stalledPartitions(service).size() < 2) {
                String id = "first" + sent.getAndIncrement();
                calls.sent(id);
                client.send(service, call(id, deadline));
            }
            return client.stalledPartitions(service).size() == 2;
        });
        int first = sent.get();
        int answeredBefore = calls.answered.get();

        int total = 200;
        for (int i = 0; i < total; i++) {
            String id = "then" + i;
            calls.sent(id);
            client.send(service, call(id, deadline)).get(30, TimeUnit.SECONDS);
        }
        // the live server answers the new calls while the other one still holds its partitions and answers none
        await().atMost(WAIT).until(() -> calls.answered.get() - answeredBefore >= 150);
        assertThat(a.assignedPartitions()).isEqualTo(2);
        assertThat(release.getCount()).isEqualTo(1);
        int whileHung = calls.answered.get() - answeredBefore;

        release.countDown();
        await().atMost(WAIT).until(() -> calls.answered.get() == first + total);
        assertThat(calls.duplicates.get()).as("replies answered twice").isZero();
        assertThat(executions).hasSize(first + total);
        assertThat(executions.values()).allSatisfy(n -> assertThat(n.get()).as("executions of one call").isEqualTo(1));
        // answered: the stalled partitions are eligible again, and nothing stays tracked
        await().atMost(WAIT).until(() -> {
            client.checkPartitions(System.nanoTime());
            return client.stalledPartitions(service).isEmpty();
        });
        assertThat(client.trackedCalls()).isZero();
        System.out.printf("stalled server: %d first calls, then %d of %d answered while it hung%n", first,
                whileHung, total);
    }

    @Test
    void oneStalledPartitionTakesEveryPartitionOfItsServerOutOfTheRotation() throws Exception {
        String service = uniqueService("siblings");
        KafkaTransportConfig cfg = config().partitions(6).build();
        CountDownLatch release = new CountDownLatch(1);
        RequestHandler hanging = req -> CompletableFuture.supplyAsync(() -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return HandlerOutcome.reply(req.body());
        }, pool);
        Map<String, AtomicInteger> executions = new ConcurrentHashMap<>();
        // the hanging server's client id names its group member
        Transport ta = closing(transport(config().partitions(6).kafkaProperty("client.id", "siblings-hanging")
                .build()));
        Transport tb = closing(transport(cfg));
        KafkaServerChannel a = (KafkaServerChannel) closing(ta.openServer(service, SETTINGS, hanging));
        KafkaServerChannel b = (KafkaServerChannel) closing(tb.openServer(service, SETTINGS, slowEcho(executions)));
        a.start();
        b.start();
        await().atMost(WAIT).until(() -> a.assignedPartitions() == 3 && b.assignedPartitions() == 3);
        String topic = cfg.requestTopic(service);
        java.util.Set<Integer> ofA = ownedBy(cfg.group(service), topic, "siblings-hanging");

        // Kafka's partitioner keeps to one partition for a batch's worth of calls: the calls reach one of the
        // hanging server's partitions, and none of its others, before that partition counts as stalled
        Calls calls = new Calls(100_000);
        Transport tc = closing(transport(config().partitions(6).build()));
        KafkaClientChannel client = (KafkaClientChannel) closing(tc.openClient(new ClientSettings("siblings-client"),
                calls));
        client.ready().get(60, TimeUnit.SECONDS);
        long deadline = System.currentTimeMillis() + 120_000;
        AtomicInteger sent = new AtomicInteger();
        await().atMost(WAIT).pollInterval(Duration.ofMillis(10)).until(() -> {
            if (client.stalledPartitions(service).isEmpty()) {
                String id = "c" + sent.getAndIncrement();
                calls.sent(id);
                client.send(service, call(id, deadline));
            }
            return !client.stalledPartitions(service).isEmpty();
        });
        java.util.Set<Integer> withCalls = new java.util.HashSet<>();
        try (Admin admin = admin()) {
            Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> latest =
                    new java.util.HashMap<>();
            for (int p = 0; p < 6; p++) {
                latest.put(new org.apache.kafka.common.TopicPartition(topic, p),
                        org.apache.kafka.clients.admin.OffsetSpec.latest());
            }
            admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).forEach((tp, info) -> {
                if (info.offset() > 0 && ofA.contains(tp.partition())) {
                    withCalls.add(tp.partition());
                }
            });
        }
        assertThat(withCalls).as("the hanging server's partitions that got calls").hasSizeLessThan(ofA.size());

        // no call is sent to its other partitions, yet they count as stalled: the group says who owns them
        await().atMost(WAIT).pollInterval(Duration.ofMillis(20)).until(() -> {
            client.checkPartitions(System.nanoTime());
            return new java.util.HashSet<>(client.stalledPartitions(service)).equals(ofA);
        });
        for (int i = 0; i < 60; i++) { // new calls all go to the live server
            String id = "then" + i;
            calls.sent(id);
            client.send(service, call(id, deadline)).get(30, TimeUnit.SECONDS);
        }
        await().atMost(WAIT).until(() -> executions.keySet().stream().filter(k -> k.startsWith("then")).count() == 60);
        release.countDown();
        await().atMost(WAIT).until(() -> calls.answered.get() == sent.get() + 60);
        assertThat(calls.duplicates.get()).isZero();
        System.out.printf("stalled server: calls reached %s of its partitions %s; all counted as stalled%n",
                withCalls, ofA);
    }

    /** The request partitions the group assigned to the member with Kafka client id {@code clientId}. */
    private static java.util.Set<Integer> ownedBy(String group, String topic, String clientId) throws Exception {
        try (Admin admin = admin()) {
            java.util.Set<Integer> out = new java.util.TreeSet<>();
            for (org.apache.kafka.clients.admin.MemberDescription m : admin.describeConsumerGroups(
                    java.util.List.of(group)).all().get(30, TimeUnit.SECONDS).get(group).members()) {
                if (m.clientId().equals(clientId)) {
                    m.assignment().topicPartitions().stream().filter(tp -> tp.topic().equals(topic))
                            .forEach(tp -> out.add(tp.partition()));
                }
            }
            return out;
        }
    }
}
