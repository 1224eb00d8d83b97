package dev.pipeline.rpc.redis;

import dev.pipeline.rpc.spi.ClientChannel;
import dev.pipeline.rpc.spi.ClientSettings;
import dev.pipeline.rpc.spi.HandlerOutcome;
import dev.pipeline.rpc.spi.RequestHandler;
import dev.pipeline.rpc.spi.Transport;
import dev.pipeline.rpc.tck.broker.RedisBroker;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What a Redis crash ({@code kill -9} of redis-server, then a restart on the same port and directory) loses. With
 * the append-only file, nothing Redis confirmed: requests accepted but not yet processed are served after the
 * restart, and under load every call whose send Redis confirmed gets its result. Without it (and without RDB
 * snapshots, as the fixture runs), the restarted Redis is empty: the requests are gone.
 */
class RedisDurabilityTest extends RedisTestSupport {
    private static final Duration DONE_WITHIN = Duration.ofSeconds(90);

    /** Counts executions per correlation id and echoes the id. */
    private static RequestHandler counting(Map<String, AtomicInteger> executions) {
        return r -> {
            executions.computeIfAbsent(r.correlationId(), k -> new AtomicInteger()).incrementAndGet();
            return CompletableFuture.completedFuture(HandlerOutcome.reply(
                    ("done:" + r.correlationId()).getBytes(StandardCharsets.UTF_8)));
        };
    }

    @ParameterizedTest(name = "append-only file: {0}")
    @ValueSource(booleans = {true, false})
    void requestsAcceptedBeforeACrashAreServedAfterTheRestartOnlyWithTheAppendOnlyFile(boolean appendOnly)
            throws Exception {
        try (RedisBroker broker = RedisBroker.startLocal(appendOnly)) {
            String service = uniqueService();
            Map<String, String> replies = replies();
            ClientChannel client = client(transport(broker.uri(), FAST), replies);
            client.ready().get(10, TimeUnit.SECONDS);
            int calls = 200;
            List<CompletableFuture<Void>> sent = new ArrayList<>();
            for (int i = 0; i < calls; i++) {
                sent.add(client.send(service, request("r" + i, "x")));
            }
            // every XADD confirmed by Redis: accepted, and no server exists yet to process them
            CompletableFuture.allOf(sent.toArray(new CompletableFuture<?>[0])).get(20, TimeUnit.SECONDS);
            assertThat(redis(broker.uri()).xlen("rpc:" + service)).isEqualTo(calls);

            broker.kill();
            broker.restart();

            long left = redis(broker.uri()).xlen("rpc:" + service);
            if (!appendOnly) {
                assertThat(left).as("requests left after a crash without persistence").isZero();
                closeOpened();
                return;
            }
            assertThat(left).as("requests left after a crash with the append-only file").isEqualTo(calls);
            Map<String, AtomicInteger> executions = new ConcurrentHashMap<>();
            server(transport(broker.uri(), FAST), service, 32, counting(executions));
            await().atMost(DONE_WITHIN).until(() -> replies.size() == calls);
            assertThat(executions).hasSize(calls);
            assertThat(executions.values()).allSatisfy(n -> assertThat(n).hasValue(1));
            assertThat(replies).containsEntry("r0", "done:r0").containsEntry("r199", "done:r199");
            closeOpened();
        }
    }

    @ParameterizedTest(name = "appendfsync {0}")
    @ValueSource(strings = {"everysec", "always"})
    void aCrashUnderLoadLosesNoAcceptedCall(String appendFsync) throws Exception {
        RedisTransportConfig config = FAST.toBuilder().commandTimeout(Duration.ofSeconds(3)).build();
        try (RedisBroker broker = RedisBroker.startLocalAppendOnly(appendFsync)) {
            String service = uniqueService();
            Map<String, AtomicInteger> executions = new ConcurrentHashMap<>();
            server(transport(broker.uri(), config), service, 32, counting(executions));

            int total = 3000;
            int window = 32;
            Semaphore inFlight = new Semaphore(window);
            Map<String, String> outcome = new ConcurrentHashMap<>(); // id -> "ok" or the send's error: one each
            Set<String> accepted = ConcurrentHashMap.newKeySet();
            AtomicInteger lateReplies = new AtomicInteger();
            AtomicLong firstReplyAfterRestart = new AtomicLong();
            AtomicLong restartedAt = new AtomicLong(Long.MAX_VALUE);
            Transport clientSide = transport(broker.uri(), config);
            ClientChannel client = clientSide.openClient(new ClientSettings("c-" + UUID.randomUUID()),
                    (id, body) -> {
                        long now = System.nanoTime();
                        if (now > restartedAt.get()) {
                            firstReplyAfterRestart.compareAndSet(0, now);
                        }
                        String text = new String(body, StandardCharsets.UTF_8);
                        if (outcome.putIfAbsent(id, text.equals("done:" + id) ? "ok" : "wrong reply " + text) == null) {
                            inFlight.release();
                        } else {
                            lateReplies.incrementAndGet(); // a duplicate, or a reply to a send reported failed
                        }
                    });
            client.ready().get(10, TimeUnit.SECONDS);

            AtomicLong killedAt = new AtomicLong();
            Thread crasher = new Thread(() -> {
                await().atMost(DONE_WITHIN).until(() -> outcome.size() >= total / 4);
                killedAt.set(System.nanoTime());
                broker.kill();
                try {
                    Thread.sleep(1000); // the outage
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                restartedAt.set(System.nanoTime());
                broker.restart();
            }, "redis-crasher");
            crasher.start();

            for (int i = 0; i < total; i++) {
                assertThat(inFlight.tryAcquire(DONE_WITHIN.toSeconds(), TimeUnit.SECONDS))
                        .as("a slot in the window within %s (no call hangs); outcomes so far %d", DONE_WITHIN,
                                outcome.size()).isTrue();
                String id = "L" + i;
                client.send(service, request(id, "x")).whenComplete((ok, err) -> {
                    if (err == null) {
                        accepted.add(id);
                    } else if (outcome.putIfAbsent(id, "refused: " + Connector.unwrap(err).getMessage()) == null) {
                        inFlight.release();
                    }
                });
            }
            crasher.join(TimeUnit.MILLISECONDS.convert(DONE_WITHIN));
            await().atMost(DONE_WITHIN).until(() -> outcome.size() == total);
            // an accepted call's reply may still be on its way when a concurrent refusal of another call completes
            await().atMost(DONE_WITHIN).until(() -> accepted.stream().allMatch(id -> "ok".equals(outcome.get(id))));

            List<String> refusals = outcome.values().stream().filter(v -> !v.equals("ok")).toList();
            long duplicates = executions.values().stream().mapToInt(AtomicInteger::get).filter(n -> n > 1).count();
            System.out.printf("Redis kill -9 under load (appendfsync %s): %d calls, %d accepted and answered, "
                            + "%d refused during the outage, %d executed more than once, %d late replies, "
                            + "first reply %d ms after the restart began (outage %d ms)%n",
                    appendFsync, total, accepted.size(), refusals.size(), duplicates, lateReplies.get(),
                    TimeUnit.NANOSECONDS.toMillis(firstReplyAfterRestart.get() - restartedAt.get()),
                    TimeUnit.NANOSECONDS.toMillis(restartedAt.get() - killedAt.get()));
            refusals.stream().distinct().limit(3).forEach(r -> System.out.println("  e.g. " + r));

            assertThat(killedAt.get()).as("the broker was killed mid-run").isPositive();
            assertThat(outcome).hasSize(total);
            // every call Redis confirmed is executed and answered: none lost
            assertThat(accepted).allSatisfy(id -> assertThat(outcome).containsEntry(id, "ok"));
            assertThat(accepted).allSatisfy(id -> assertThat(executions).containsKey(id));
            // a call Redis did not confirm fails with a clear error
            assertThat(refusals).allSatisfy(r -> assertThat(r)
                    .startsWith("refused: Redis at redis://127.0.0.1:" + broker.uri().getPort()
                            + " did not accept the message for rpc:" + service));
            closeOpened();
        }
    }
}
