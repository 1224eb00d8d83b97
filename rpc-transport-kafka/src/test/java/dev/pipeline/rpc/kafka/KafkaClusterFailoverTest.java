package dev.pipeline.rpc.kafka;

import dev.pipeline.rpc.ClientConfig;
import dev.pipeline.rpc.Rpc;
import dev.pipeline.rpc.RpcClient;
import dev.pipeline.rpc.RpcMetrics;
import dev.pipeline.rpc.RpcServer;
import dev.pipeline.rpc.ServerConfig;
import dev.pipeline.rpc.tck.broker.KafkaCluster;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.pipeline.rpc.kafka.KafkaTestSupport.uniqueService;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/**
 * A cluster of three brokers ({@link KafkaCluster}) with topics replicated three times, {@code min.insync.replicas=2}
 * and {@code acks=all}: the leader of the request partition killed with {@code kill -9} under load loses no accepted
 * request, and every call completes once the partition has a new leader.
 */
class KafkaClusterFailoverTest {
    private static final int CALLS = 3000;
    private static final int IN_FLIGHT = 32;
    /** Long enough for a leader election after a broker dies (Kafka's broker.session.timeout.ms is 9 s). */
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(60);
    /** A call not completed this long after it was sent hangs. */
    private static final Duration HANG = CALL_TIMEOUT.plusSeconds(60);

    private static KafkaCluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = KafkaCluster.start(3);
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20_000,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000));
    }

    private static TopicDescription describe(Admin admin, String topic) throws Exception {
        return admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic);
    }

    private static String minInsyncReplicas(Admin admin, String topic) throws Exception {
        ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        Config c = admin.describeConfigs(List.of(r)).all().get(30, TimeUnit.SECONDS).get(r);
        return c.get("min.insync.replicas").value();
    }

    /** One call's outcome at its caller. */
    private record Outcome(String token, long sentNanos, long endNanos, String result, Throwable error) {
    }

    @Test
    void theLeaderOfTheRequestPartitionKilledUnderLoadLosesNoAcceptedRequestAndEveryCallCompletes()
            throws Exception {
        assumeThat(cluster.canKill()).as("the cluster's brokers can be killed (%s)", cluster).isTrue();
        String svc = uniqueService("cluster-kill9");
        String replies = svc + "-replies";
        // one request partition: its leader carries every request, so killing it stops them all until the election
        String uri = cluster.uri() + "?replicationFactor=3&minInsyncReplicas=2&partitions=1&replyPartitions=3"
                + "&replyTopic=" + replies;
        Map<String, AtomicInteger> executions = new ConcurrentHashMap<>();
        AtomicInteger lateReplies = new AtomicInteger();
        try (RpcServer server = Rpc.server(uri, ServerConfig.builder().build());
             RpcClient client = Rpc.client(uri, ClientConfig.builder().defaultTimeout(CALL_TIMEOUT)
                     .metrics(new RpcMetrics() {
                         @Override
                         public void lateReply(String transport) {
                             lateReplies.incrementAndGet();
                         }
                     }).build());
             Admin admin = admin()) {
            server.handle(svc, "exec", params -> {
                String token = params.get(0, String.class);
                executions.computeIfAbsent(token, k -> new AtomicInteger()).incrementAndGet();
                return token;
            });
            server.start();
            await().atMost(Duration.ofSeconds(60)).until(() -> server.health().isUp()); // in its group
            assertThat(client.call(svc, "exec", String.class, "warm-up")).isEqualTo("warm-up");

            // the topics the transport created: replicated three times, each write in at least two replicas
            String requests = KafkaTransportConfig.from(java.net.URI.create(uri), Map.of()).requestTopic(svc);
            for (String topic : List.of(requests, replies)) {
                assertThat(describe(admin, topic).partitions()).allSatisfy(p -> assertThat(p.replicas()).hasSize(3));
                assertThat(minInsyncReplicas(admin, topic)).as("min.insync.replicas of %s", topic).isEqualTo("2");
            }
            int leader = describe(admin, requests).partitions().get(0).leader().id();

            List<CompletableFuture<String>> calls = new ArrayList<>();
            List<Outcome> outcomes = java.util.Collections.synchronizedList(new ArrayList<>());
            Semaphore window = new Semaphore(IN_FLIGHT);
            AtomicInteger completed = new AtomicInteger();
            Thread sender = new Thread(() -> {
                for (int i = 0; i < CALLS; i++) {
                    try {
                        if (!window.tryAcquire(HANG.toMillis(), TimeUnit.MILLISECONDS)) {
                            return; // the calls in flight hang: the checks below name them
                        }
                    } catch (InterruptedException e) {
                        return;
                    }
                    String token = "c" + i;
                    long sent = System.nanoTime();
                    CompletableFuture<String> f = client.callAsync(svc, "exec", String.class, token);
                    f.whenComplete((r, e) -> {
                        outcomes.add(new Outcome(token, sent, System.nanoTime(), r, e));
                        completed.incrementAndGet();
                        window.release();
                    });
                    synchronized (calls) {
                        calls.add(f);
                    }
                }
            }, "cluster-load");
            sender.setDaemon(true);
            sender.start();

            await().atMost(HANG).until(() -> completed.get() >= CALLS / 4);
            int completedAtKill = completed.get();
            long killed = System.nanoTime();
            cluster.broker(leader).kill();
            // the new leader, as the cluster's metadata names it
            long electedAt = 0;
            int newLeader = -1;
            while (System.nanoTime() - killed < HANG.toNanos()) {
                try {
                    TopicPartitionInfo p = describe(admin, requests).partitions().get(0);
                    if (p.leader() != null && p.leader().id() != leader) {
                        electedAt = System.nanoTime();
                        newLeader = p.leader().id();
                        break;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    // the admin client's broker may have been the one killed: ask again
                }
                Thread.sleep(100);
            }
            sender.join(HANG.toMillis() * 2);
            assertThat(sender.isAlive()).as("the sending thread hangs").isFalse();
            List<CompletableFuture<String>> all;
            synchronized (calls) {
                all = new ArrayList<>(calls);
            }
            assertThat(all).as("calls sent").hasSize(CALLS);
            List<Integer> hung = new ArrayList<>();
            for (int i = 0; i < all.size(); i++) {
                try {
                    all.get(i).get(HANG.toMillis(), TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    hung.add(i);
                } catch (ExecutionException e) {
                    // an error: checked below
                }
            }
            assertThat(hung).as("calls that neither completed nor failed within %s", HANG).isEmpty();
            await().atMost(Duration.ofSeconds(10)).until(() -> outcomes.size() == CALLS);

            // every call completed once at its caller, with its own result: no call failed, so every one was
            // accepted by the cluster, and the server ran each
            Map<String, Integer> errors = new TreeMap<>();
            List<Outcome> done;
            synchronized (outcomes) {
                done = new ArrayList<>(outcomes);
            }
            for (Outcome o : done) {
                if (o.error() != null) {
                    errors.merge(o.error().toString(), 1, Integer::sum);
                }
            }
            assertThat(errors).as("failed calls (each call's deadline is %s)", CALL_TIMEOUT).isEmpty();
            assertThat(done).allSatisfy(o -> assertThat(o.result()).isEqualTo(o.token()));
            assertThat(done.stream().map(Outcome::token).distinct().count()).as("calls completed").isEqualTo(CALLS);
            Set<String> lost = new java.util.TreeSet<>();
            for (Outcome o : done) {
                if (!executions.containsKey(o.token())) {
                    lost.add(o.token());
                }
            }
            assertThat(lost).as("accepted requests the server never ran (lost)").isEmpty();
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(pendingCount(client)).as("calls pending in the client").isZero());

            long maxLatency = done.stream().mapToLong(o -> o.endNanos() - o.sentNanos()).max().orElse(0);
            long firstAfterKill = done.stream().filter(o -> o.error() == null && o.sentNanos() >= killed)
                    .mapToLong(Outcome::endNanos).min().orElse(0);
            long pendingAtKill = done.stream().filter(o -> o.sentNanos() < killed && o.endNanos() >= killed).count();
            long twice = executions.values().stream().filter(n -> n.get() > 1).count();
            System.out.printf("kill -9 of the request partition's leader (broker %d of 3) after %d of %d calls, %d in"
                            + " flight: new leader broker %d after %d ms; from the kill to the first reply to a call"
                            + " sent after it %d ms; max call latency %d ms; %d failed, 0 lost; %d requests run"
                            + " twice (redelivered), %d late replies dropped%n",
                    leader, completedAtKill, CALLS, pendingAtKill, newLeader,
                    electedAt == 0 ? -1 : (electedAt - killed) / 1_000_000,
                    firstAfterKill == 0 ? -1 : (firstAfterKill - killed) / 1_000_000, maxLatency / 1_000_000,
                    errors.size(), twice, lateReplies.get());

            // the killed broker started again on its ports with its data catches up and is in sync again
            long restart = System.nanoTime();
            cluster.broker(leader).startAgain();
            long up = System.nanoTime();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() ->
                    describe(admin, requests).partitions().get(0).isr().stream().anyMatch(n -> n.id() == leader));
            System.out.printf("broker %d started again in %d ms, back in the request partition's ISR %d ms after%n",
                    leader, (up - restart) / 1_000_000, (System.nanoTime() - up) / 1_000_000);
            assertThat(client.call(svc, "exec", String.class, "after")).isEqualTo("after");
        }
    }

    /** The client's calls awaiting completion (package-private in the core: read reflectively). */
    private static int pendingCount(RpcClient client) throws Exception {
        java.lang.reflect.Method m = client.getClass().getDeclaredMethod("pendingCount");
        m.setAccessible(true);
        return (int) m.invoke(client);
    }
}
