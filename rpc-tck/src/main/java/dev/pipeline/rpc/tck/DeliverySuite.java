package dev.pipeline.rpc.tck;

import com.google.gson.JsonObject;
import dev.pipeline.rpc.ErrorCodes;
import dev.pipeline.rpc.RpcClient;
import dev.pipeline.rpc.RpcException;
import dev.pipeline.rpc.RpcServer;
import dev.pipeline.rpc.ServerConfig;
import dev.pipeline.rpc.spi.Capability;
import dev.pipeline.rpc.spi.WireHeaders;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Delivery through the broker: load sharing, isolation, concurrency, crashes, deadlines, late replies, closing,
 * persistence, poison messages, broker restarts. Adapts to the transport's declared
 * {@linkplain dev.pipeline.rpc.spi.TransportCapabilities capabilities}: for a capability the transport lacks, the
 * test checks that the operation fails clearly (an {@link RpcException}, never a hang) instead of being skipped.
 *
 * <p>A transport module runs it with one class:
 * <pre>{@code
 * class KafkaDeliveryTest extends DeliverySuite {
 *     @Override protected TransportFixture fixture() { return new KafkaTckFixture(); }
 * }
 * }</pre>
 */
public abstract class DeliverySuite extends TckBase {
    private static final Duration QUIET = Duration.ofMillis(500);
    /** Timeout of calls that are meant to fail because the transport lacks a capability. */
    private static final Duration SHORT = Duration.ofSeconds(3);

    /** One server instance whose method {@code work(token)} answers {@code name:token} and records the token. */
    final class Worker {
        final String name;
        final RpcServer server;
        final Set<String> tokens = ConcurrentHashMap.newKeySet();
        final AtomicInteger executions = new AtomicInteger();

        Worker(String service, String name, Consumer<ServerConfig.Builder> config) {
            this.name = name;
            this.server = server(config);
            server.handle(service, "work", params -> {
                String token = params.get(0, String.class);
                executions.incrementAndGet();
                tokens.add(token);
                return name + ":" + token;
            });
        }

        Worker start() {
            server.start();
            return this;
        }
    }

    Worker worker(String service, String name) {
        return new Worker(service, name, b -> {
        }).start();
    }

    // ------------------------------------------------------------------------------------------- sharing

    /** Checks: load is shared by two server instances of one service (LOAD_SHARING). */
    @Test
    @DisplayName("load is shared by two server instances of one service (LOAD_SHARING)")
    public void loadSharedByTwoInstances() {
        String svc = uniqueService("load");
        Worker a = worker(svc, "A");
        Worker b = new Worker(svc, "B", x -> {
        });
        RpcClient client = client();
        if (!caps.has(Capability.LOAD_SHARING)) {
            // lacking: a second instance either refuses to start, clearly, or the calls are still all answered
            try {
                b.start();
            } catch (RuntimeException e) {
                assertThat(e.getMessage()).as("why a second instance cannot start").isNotBlank();
            }
            callRounds(client, svc, 5, 40);
            return;
        }
        b.start();
        // a new instance may need a rebalance before it gets work: call in rounds until both have answered
        AtomicInteger rounds = new AtomicInteger();
        org.awaitility.Awaitility.await().atMost(fixture.redeliveryTimeout().plus(fixture.callTimeout()))
                .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10)).until(() -> {
                    rounds.incrementAndGet();
                    callRounds(client, svc, 1, 50);
                    return !a.tokens.isEmpty() && !b.tokens.isEmpty();
                });
        LOG.info("load sharing: A took {}, B took {} after {} rounds", a.executions, b.executions, rounds);
        assertThat(a.tokens).isNotEmpty();
        assertThat(b.tokens).isNotEmpty();
    }

    /** Makes {@code rounds} rounds of {@code perRound} concurrent calls and checks each answer. */
    private void callRounds(RpcClient client, String svc, int rounds, int perRound) {
        for (int r = 0; r < rounds; r++) {
            List<String> tokens = new ArrayList<>();
            List<CompletableFuture<String>> calls = new ArrayList<>();
            for (int i = 0; i < perRound; i++) {
                String token = UUID.randomUUID().toString();
                tokens.add(token);
                calls.add(client.callAsync(svc, "work", String.class, token));
            }
            for (int i = 0; i < perRound; i++) {
                assertThat(get(calls.get(i))).endsWith(":" + tokens.get(i));
            }
        }
    }

    /** Checks: two services on one broker are isolated from each other. */
    @Test
    @DisplayName("two services on one broker are isolated from each other")
    public void twoServicesIsolated() {
        String svcA = uniqueService("iso-a");
        String svcB = uniqueService("iso-b");
        Worker a = worker(svcA, "A");
        Worker b = worker(svcB, "B");
        RpcClient client = client();
        List<CompletableFuture<String>> toA = new ArrayList<>();
        List<CompletableFuture<String>> toB = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            toA.add(client.callAsync(svcA, "work", String.class, "a" + i));
            toB.add(client.callAsync(svcB, "work", String.class, "b" + i));
        }
        for (int i = 0; i < 100; i++) {
            assertThat(get(toA.get(i))).isEqualTo("A:a" + i);
            assertThat(get(toB.get(i))).isEqualTo("B:b" + i);
        }
        assertThat(a.tokens).hasSize(100).allMatch(t -> t.startsWith("a"));
        assertThat(b.tokens).hasSize(100).allMatch(t -> t.startsWith("b"));
    }

    /** Checks: 1,000 concurrent calls from several clients: each answered once, to the right caller. */
    @Test
    @DisplayName("1,000 concurrent calls from several clients: each answered once, to the right caller")
    public void thousandConcurrentCallsFromSeveralClients() {
        String svc = uniqueService("many");
        List<Worker> workers = new ArrayList<>();
        workers.add(worker(svc, "A"));
        if (caps.has(Capability.LOAD_SHARING)) {
            workers.add(worker(svc, "B"));
        }
        int clients = 4;
        int perClient = 250;
        List<RpcClient> cs = new ArrayList<>();
        List<CountingMetrics> metrics = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            CountingMetrics m = new CountingMetrics();
            metrics.add(m);
            cs.add(client(b -> b.metrics(m)));
        }
        Map<String, CompletableFuture<String>> calls = new ConcurrentHashMap<>();
        List<Thread> senders = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            RpcClient client = cs.get(c);
            int clientIndex = c;
            Thread t = new Thread(() -> {
                for (int i = 0; i < perClient; i++) {
                    String token = "c" + clientIndex + "-" + i + "-" + UUID.randomUUID();
                    calls.put(token, client.callAsync(svc, "work", String.class, token));
                }
            }, "tck-sender-" + c);
            senders.add(t);
            t.start();
        }
        for (Thread t : senders) {
            try {
                t.join(fixture.callTimeout().toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        assertThat(calls).hasSize(clients * perClient);
        List<String> wrong = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        for (Map.Entry<String, CompletableFuture<String>> e : calls.entrySet()) {
            try {
                String result = get(e.getValue());
                if (!result.endsWith(":" + e.getKey())) {
                    wrong.add(e.getKey() + " -> " + result);
                }
            } catch (RuntimeException | AssertionError ex) {
                failed.add(e.getKey() + " -> " + ex);
            }
        }
        assertThat(failed).as("calls that failed (of %s)", calls.size()).isEmpty();
        assertThat(wrong).as("calls answered with another call's result").isEmpty();
        Set<String> executed = new HashSet<>();
        workers.forEach(w -> executed.addAll(w.tokens));
        assertThat(executed).containsAll(calls.keySet());
        long late = metrics.stream().mapToLong(m -> m.lateReplies.get()).sum();
        int executions = workers.stream().mapToInt(w -> w.executions.get()).sum();
        LOG.info("1000 calls: executions {}, late/duplicate replies {}, per instance {}", executions, late,
                workers.stream().map(w -> w.name + "=" + w.executions).toList());
    }

    /**
     * A transport may let a blocking caller read the reply stream itself (Kafka lends its reply consumer to a waiting
     * caller): with many blocking callers, only one can read at a time, and the one reading delivers the others'
     * replies and async replies too. Every call must still get its own result, none may hang.
     *
     * @throws Exception when a step of the check fails with an exception: the test then fails
     */
    @Test
    @DisplayName("blocking calls from many threads on one client, beside async calls: each gets its own result")
    public void blockingCallsFromManyThreadsBesideAsyncCalls() throws Exception {
        String svc = uniqueService("blocking");
        worker(svc, "A");
        RpcClient client = client();
        assertThat(client.call(svc, "work", String.class, "warm-up")).isEqualTo("A:warm-up");
        int threads = 12;
        int perThread = 40;
        int async = 200;
        CountDownLatch go = new CountDownLatch(1);
        List<String> problems = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicInteger answered = new AtomicInteger();
        Map<String, CompletableFuture<String>> asyncCalls = new ConcurrentHashMap<>();
        List<Thread> callers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int index = t;
            callers.add(new Thread(() -> {
                try {
                    go.await();
                    for (int i = 0; i < perThread; i++) {
                        String token = "b" + index + "-" + i;
                        String result = client.call(svc, "work", String.class, token);
                        if (("A:" + token).equals(result)) {
                            answered.incrementAndGet();
                        } else {
                            problems.add(token + " -> " + result);
                        }
                    }
                } catch (Throwable e) {
                    problems.add("caller " + index + ": " + e);
                }
            }, "tck-blocking-" + t));
        }
        callers.add(new Thread(() -> {
            try {
                go.await();
                for (int i = 0; i < async; i++) {
                    String token = "a-" + i;
                    asyncCalls.put(token, client.callAsync(svc, "work", String.class, token));
                    if (i % 20 == 0) {
                        Thread.sleep(2); // spread them over the blocking calls
                    }
                }
            } catch (Throwable e) {
                problems.add("async sender: " + e);
            }
        }, "tck-async"));
        callers.forEach(Thread::start);
        go.countDown();
        // 40 calls take well under a second; a call whose reply nobody reads takes the whole call timeout
        long joinMillis = fixture.callTimeout().multipliedBy(2).toMillis();
        for (Thread t : callers) {
            t.join(joinMillis);
            assertThat(t.isAlive()).as("%s still waits after %s ms", t.getName(), joinMillis).isFalse();
        }
        asyncCalls.forEach((token, call) -> {
            try {
                String result = get(call);
                if (!("A:" + token).equals(result)) {
                    problems.add(token + " -> " + result);
                }
            } catch (RuntimeException | AssertionError e) {
                problems.add(token + " -> " + e);
            }
        });
        assertThat(problems).as("calls that failed or got another call's result").isEmpty();
        assertThat(answered).hasValue(threads * perThread);
        assertThat(asyncCalls).hasSize(async);
        assertThat(client.call(svc, "work", String.class, "after")).as("a call once the crowd has gone")
                .isEqualTo("A:after");
    }

    // -------------------------------------------------------------------------------------------- failures

    /**
     * Checks: a server stopped abruptly mid-call: another instance answers the request (REDELIVERY_AFTER_CRASH).
     *
     * @throws Exception when a step of the check fails with an exception: the test then fails
     */
    @Test
    @DisplayName("a server stopped abruptly mid-call: another instance answers the request (REDELIVERY_AFTER_CRASH)")
    public void serverStoppedAbruptlyMidCall() throws Exception {
        String svc = uniqueService("crash");
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicReference<String> blockedIn = new AtomicReference<>();
        Map<String, RpcServer> servers = new ConcurrentHashMap<>();
        for (String name : List.of("A", "B")) {
            RpcServer s = server(b -> b.shutdownGrace(Duration.ZERO));
            s.handle(svc, "work", params -> {
                String token = params.get(0, String.class);
                if (token.equals("victim") && blockedIn.compareAndSet(null, name)) {
                    entered.countDown();
                    release.await();
                    return "released:" + name;
                }
                return name + ":" + token;
            });
            s.start();
            servers.put(name, s);
        }
        track(release::countDown); // closed first: frees the blocked handler thread
        boolean redelivers = caps.has(Capability.REDELIVERY_AFTER_CRASH);
        Duration timeout = redelivers ? fixture.redeliveryTimeout().plus(fixture.callTimeout()) : SHORT;
        RpcClient client = client(b -> b.defaultTimeout(timeout));
        CompletableFuture<String> call = client.callAsync(svc, "work", String.class, "victim");
        assertThat(entered.await(fixture.callTimeout().toMillis(), TimeUnit.MILLISECONDS))
                .as("the call reached a handler").isTrue();
        String victim = blockedIn.get();
        String survivor = victim.equals("A") ? "B" : "A";
        // close with zero grace while the handler is blocked: must return without waiting for it
        get(CompletableFuture.runAsync(servers.get(victim)::close), fixture.callTimeout());
        if (redelivers) {
            String answer;
            try {
                answer = get(call, timeout.plusSeconds(5));
            } catch (RpcException e) {
                throw new AssertionError("the transport declares REDELIVERY_AFTER_CRASH, but the request of an instance"
                        + " closed abruptly was not answered by the other one: " + e, e);
            }
            assertThat(answer).isEqualTo(survivor + ":victim");
        } else {
            RpcException e = failure(call, timeout.plusSeconds(5), "the transport does not declare"
                    + " REDELIVERY_AFTER_CRASH, so the call must fail clearly; if it does redeliver, declare it");
            assertThat(e.code()).isIn(ErrorCodes.TIMEOUT, ErrorCodes.TRANSPORT_ERROR);
        }
        // the surviving instance keeps serving
        assertThat(client.call(svc, "work", String.class, "after")).isEqualTo(survivor + ":after");
    }

    /** Checks: handlers that block run in parallel, never more at once than the server's concurrency. */
    @Test
    @DisplayName("handlers that block run in parallel, never more at once than the server's concurrency")
    public void blockingHandlersRunInParallelUpToTheConcurrency() {
        String svc = uniqueService("parallel");
        int together = 5; // more than the cores of a small machine: the pool must add threads for blocked handlers
        CountDownLatch met = new CountDownLatch(together);
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        RpcServer server = server(b -> b.concurrency(together));
        server.handle(svc, "meet", params -> {
            met.countDown();
            return met.await(fixture.callTimeout().toMillis() / 2, TimeUnit.MILLISECONDS);
        });
        server.handle(svc, "nap", params -> {
            most.accumulateAndGet(running.incrementAndGet(), Math::max);
            try {
                Thread.sleep(30);
            } finally {
                running.decrementAndGet();
            }
            return true;
        });
        server.start();
        RpcClient client = client();
        List<CompletableFuture<Boolean>> meetings = new ArrayList<>();
        for (int i = 0; i < together; i++) {
            meetings.add(client.callAsync(svc, "meet", Boolean.class));
        }
        for (CompletableFuture<Boolean> m : meetings) {
            assertThat(get(m)).as("all %d blocking handlers ran at the same time", together).isTrue();
        }
        List<CompletableFuture<Boolean>> naps = new ArrayList<>();
        for (int i = 0; i < 4 * together; i++) {
            naps.add(client.callAsync(svc, "nap", Boolean.class));
        }
        for (CompletableFuture<Boolean> n : naps) {
            assertThat(get(n)).isTrue();
        }
        assertThat(most.get()).as("handlers running at once").isBetween(2, together);
    }

    /**
     * Checks: a handler that blocks the only call in flight does not hold up the next call.
     *
     * @throws Exception when a step of the check fails with an exception: the test then fails
     */
    @Test
    @DisplayName("a handler that blocks the only call in flight does not hold up the next call")
    public void aBlockedLoneCallDoesNotHoldUpTheNext() throws Exception {
        String svc = uniqueService("lone");
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        RpcServer server = server();
        server.handle(svc, "block", params -> {
            entered.countDown();
            return release.await(fixture.callTimeout().toMillis() / 2, TimeUnit.MILLISECONDS);
        });
        server.handle(svc, "free", params -> {
            release.countDown();
            return "freed";
        });
        server.start();
        track(release::countDown);
        RpcClient client = client();
        // an idle server: the handler that blocks must not hold up what fetches the next call
        CompletableFuture<Boolean> blocked = client.callAsync(svc, "block", Boolean.class);
        assertThat(entered.await(fixture.callTimeout().toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        assertThat(client.call(svc, "free", String.class)).isEqualTo("freed");
        assertThat(get(blocked)).as("the blocked handler was released by the next call").isTrue();
        assertThat(client.call(svc, "free", String.class)).isEqualTo("freed");
    }

    /**
     * Checks: a call past its deadline is not executed.
     *
     * @throws Exception when a step of the check fails with an exception: the test then fails
     */
    @Test
    @DisplayName("a call past its deadline is not executed")
    public void callPastDeadlineNotExecuted() throws Exception {
        String svc = uniqueService("deadline");
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Set<String> executed = ConcurrentHashMap.newKeySet();
        RpcServer server = server(b -> b.concurrency(1));
        server.handle(svc, "block", params -> {
            entered.countDown();
            release.await();
            return "unblocked";
        });
        server.handle(svc, "work", params -> {
            String token = params.get(0, String.class);
            executed.add(token);
            return token;
        });
        server.start();
        track(release::countDown);
        RpcClient client = client();
        CompletableFuture<String> blocker = client.callAsync(svc, "block", String.class);
        assertThat(entered.await(fixture.callTimeout().toMillis(), TimeUnit.MILLISECONDS))
                .as("the blocking call reached the only handler thread").isTrue();
        CompletableFuture<String> expiring = client.withTimeout(Duration.ofMillis(300))
                .callAsync(svc, "work", String.class, "expired");
        assertThat(failure(expiring, fixture.callTimeout()).code()).isEqualTo(ErrorCodes.TIMEOUT);
        release.countDown();
        assertThat(get(blocker)).isEqualTo("unblocked");
        assertThat(client.call(svc, "work", String.class, "marker")).isEqualTo("marker");
        Thread.sleep(QUIET.toMillis());
        assertThat(executed).as("a request whose deadline passed while it waited for a handler thread must not run"
                        + " (the deadline is checked when the work would start, not when the message arrives)")
                .doesNotContain("expired");
    }

    /**
     * Checks: a timed-out call's late reply is dropped (and counted).
     *
     * @throws Exception when a step of the check fails with an exception: the test then fails
     */
    @Test
    @DisplayName("a timed-out call's late reply is dropped (and counted)")
    public void lateReplyDropped() throws Exception {
        String svc = uniqueService("late");
        CountDownLatch release = new CountDownLatch(1);
        Set<String> entered = ConcurrentHashMap.newKeySet();
        RpcServer server = server();
        server.handle(svc, "slow", params -> {
            String token = params.get(0, String.class);
            if (token.startsWith("late")) {
                entered.add(token);
                release.await();
            }
            return token;
        });
        server.start();
        track(release::countDown);
        CountingMetrics metrics = new CountingMetrics();
        RpcClient client = client(b -> b.metrics(metrics));
        assertThat(client.call(svc, "slow", String.class, "warm-up")).isEqualTo("warm-up");
        // a call that times out while its handler runs; on a loaded machine the request may expire before a handler
        // takes it (then it is rightly never run): try again with a longer timeout
        CompletableFuture<String> late = null;
        for (int attempt = 0; attempt < 4 && late == null; attempt++) {
            String token = "late-" + attempt;
            CompletableFuture<String> call = client.withTimeout(Duration.ofMillis(500L << attempt))
                    .callAsync(svc, "slow", String.class, token);
            RpcException e = failure(call, fixture.callTimeout());
            assertThat(e.code()).isEqualTo(ErrorCodes.TIMEOUT);
            if (entered.contains(token)) {
                late = call;
            }
        }
        assertThat(late).as("a handler took one of the calls before its deadline").isNotNull();
        release.countDown();
        await().untilAsserted(() -> assertThat(metrics.lateReplies.get())
                .as("the late reply is counted as dropped").isGreaterThanOrEqualTo(1));
        assertThat(late).isCompletedExceptionally();
        assertThat(client.call(svc, "slow", String.class, "next")).isEqualTo("next");
    }

    /**
     * Checks: a client closed with calls pending fails them at once with CLIENT_CLOSED.
     *
     * @throws Exception when a step of the check fails with an exception: the test then fails
     */
    @Test
    @DisplayName("a client closed with calls pending fails them at once with CLIENT_CLOSED")
    public void clientClosedFailsPendingCalls() throws Exception {
        String svc = uniqueService("close");
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        RpcServer server = server();
        server.handle(svc, "slow", params -> {
            entered.countDown();
            release.await();
            return "done";
        });
        server.start();
        track(release::countDown);
        RpcClient client = client(b -> b.defaultTimeout(Duration.ofMinutes(5)));
        List<CompletableFuture<String>> pending = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            pending.add(client.callAsync(svc, "slow", String.class));
        }
        assertThat(entered.await(fixture.callTimeout().toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        get(CompletableFuture.runAsync(client::close), fixture.callTimeout());
        for (CompletableFuture<String> f : pending) {
            assertThat(f.isDone()).as("a pending call is completed when close() returns").isTrue();
            assertThat(failure(f, Duration.ofMillis(1)).code()).isEqualTo(ErrorCodes.CLIENT_CLOSED);
        }
        // using a closed client fails clearly too
        Throwable after = org.assertj.core.api.Assertions.catchThrowable(
                () -> get(client.callAsync(svc, "slow", String.class), Duration.ofSeconds(5)));
        assertThat(after).as("a call on a closed client fails").isNotNull();
        assertThat(after.getMessage()).isNotBlank();
    }

    /** Checks: a server restarted picks up requests sent while it was down (PERSISTENT). */
    @Test
    @DisplayName("a server restarted picks up requests sent while it was down (PERSISTENT)")
    public void serverRestartPicksUpRequests() {
        String svc = uniqueService("restart");
        Worker first = worker(svc, "first");
        RpcClient client = client(b -> b.defaultTimeout(fixture.callTimeout().plus(fixture.redeliveryTimeout())));
        RawClient raw = rawClient();
        assertThat(client.call(svc, "work", String.class, "warm")).isEqualTo("first:warm");
        first.server.close();
        if (caps.has(Capability.PERSISTENT)) {
            CompletableFuture<String> call = client.callAsync(svc, "work", String.class, "while-down");
            // the raw send returns once the broker accepted it: it is surely stored before the restart
            String cid = raw.send(svc, "{\"jsonrpc\":\"2.0\",\"method\":\"work\",\"params\":[\"raw-down\"],\"id\":1}");
            Worker second = worker(svc, "second");
            assertThat(get(call, fixture.callTimeout().plus(fixture.redeliveryTimeout())))
                    .isEqualTo("second:while-down");
            assertThat(response(raw.awaitReply(cid)).get("result").getAsString()).isEqualTo("second:raw-down");
            assertThat(second.tokens).contains("while-down", "raw-down");
        } else {
            RpcException e = failure(client.withTimeout(SHORT).callAsync(svc, "work", String.class, "while-down"),
                    SHORT.plus(fixture.callTimeout()), "the transport does not declare PERSISTENT, so a call with no"
                            + " server running must fail clearly");
            assertThat(e.code()).isIn(ErrorCodes.TIMEOUT, ErrorCodes.TRANSPORT_ERROR);
            worker(svc, "second");
        }
        assertThat(client.call(svc, "work", String.class, "after")).isEqualTo("second:after");
    }

    /**
     * Checks: poison messages are answered -32700, go to the dead-letter destination (DEAD_LETTER), and the stream
     * keeps flowing.
     */
    @Test
    @DisplayName("poison messages are answered -32700, go to the dead-letter destination (DEAD_LETTER), and the"
            + " stream keeps flowing")
    public void poisonMessagesGoToDeadLetters() {
        String svc = uniqueService("poison");
        worker(svc, "A");
        RpcClient client = client();
        assertThat(client.call(svc, "work", String.class, "before")).isEqualTo("A:before");
        RawClient raw = rawClient();
        byte[] poison1 = ("\u0001 not json " + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
        byte[] poison2 = ("{\"unterminated\": " + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
        // poison with a reply address: answered with a parse error
        String cid = "tck-" + UUID.randomUUID();
        raw.sendRaw(svc, poison1, cid, 0);
        JsonObject r = response(raw.awaitReply(cid));
        assertThat(errorCode(r)).isEqualTo(ErrorCodes.PARSE_ERROR);
        // poison without a reply address, written straight to the broker when the fixture can
        if (fixture.canInjectRaw()) {
            fixture.injectRaw(svc, poison2, Map.of());
        } else {
            raw.sendRaw(svc, poison2, null, 0);
        }
        // the stream keeps flowing
        callRounds(client, svc, 2, 20);
        if (caps.has(Capability.DEAD_LETTER)) {
            if (!fixture.canReadDeadLetters()) {
                fail("the transport declares DEAD_LETTER but " + fixture
                        + " cannot read dead letters: implement TransportFixture.deadLetters");
            }
            List<RawMessage> dead = fixture.deadLetters(svc, 2, fixture.callTimeout());
            assertThat(dead).extracting(RawMessage::text)
                    .contains(new String(poison1, StandardCharsets.UTF_8), new String(poison2, StandardCharsets.UTF_8));
            for (RawMessage m : dead) {
                assertThat(m.headers().get(WireHeaders.DLQ_REASON)).as("reason on %s", m).isNotBlank();
            }
        } else if (fixture.canReadDeadLetters()) {
            assertThat(fixture.deadLetters(svc, 0, Duration.ZERO))
                    .as("no dead letters on a transport without DEAD_LETTER").isEmpty();
        }
    }

    // ---------------------------------------------------------------------------------------------- clients

    /** Checks: the first call right after a client starts is answered. */
    @Test
    @DisplayName("the first call right after a client starts is answered")
    public void firstCallAfterClientStart() {
        String svc = uniqueService("first");
        worker(svc, "A");
        for (int i = 0; i < 3; i++) {
            try (RpcClient client = client()) {
                assertThat(client.call(svc, "work", String.class, "first" + i)).isEqualTo("A:first" + i);
            }
            try (RawClient raw = new RawClient(fixture)) {
                String reply = raw.call(svc, "{\"jsonrpc\":\"2.0\",\"method\":\"work\",\"params\":[\"r\"],\"id\":1}");
                assertThat(response(reply).get("result").getAsString()).isEqualTo("A:r");
            }
        }
    }

    /**
     * Checks: several client instances at once each get only their own replies.
     *
     * @throws Exception when a step of the check fails with an exception: the test then fails
     */
    @Test
    @DisplayName("several client instances at once each get only their own replies")
    public void severalClientsGetOnlyTheirOwnReplies() throws Exception {
        String svc = uniqueService("own");
        worker(svc, "A");
        List<RawClient> raws = new ArrayList<>();
        List<List<String>> sent = new ArrayList<>();
        for (int c = 0; c < 3; c++) {
            raws.add(rawClient());
            sent.add(new ArrayList<>());
        }
        for (int i = 0; i < 20; i++) {
            for (int c = 0; c < raws.size(); c++) {
                sent.get(c).add(raws.get(c).send(svc,
                        "{\"jsonrpc\":\"2.0\",\"method\":\"work\",\"params\":[\"c" + c + "-" + i + "\"],\"id\":" + i + "}"));
            }
        }
        for (int c = 0; c < raws.size(); c++) {
            for (int i = 0; i < 20; i++) {
                String reply = raws.get(c).awaitReply(sent.get(c).get(i));
                assertThat(response(reply).get("result").getAsString()).isEqualTo("A:c" + c + "-" + i);
            }
        }
        Thread.sleep(QUIET.toMillis());
        for (int c = 0; c < raws.size(); c++) {
            raws.get(c).assertOnlyRepliesTo(sent.get(c));
        }
        // and through clients, concurrently
        List<RpcClient> clients = List.of(client(), client(), client());
        List<List<CompletableFuture<String>>> calls = new ArrayList<>();
        for (int c = 0; c < clients.size(); c++) {
            List<CompletableFuture<String>> mine = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                mine.add(clients.get(c).callAsync(svc, "work", String.class, "k" + c + "-" + i));
            }
            calls.add(mine);
        }
        for (int c = 0; c < clients.size(); c++) {
            for (int i = 0; i < 100; i++) {
                assertThat(get(calls.get(c).get(i))).isEqualTo("A:k" + c + "-" + i);
            }
        }
    }

    // ----------------------------------------------------------------------------------------------- broker

    /** Checks: the broker restarted mid-run: calls resume without restarting clients or servers. */
    @Test
    @DisplayName("the broker restarted mid-run: calls resume without restarting clients or servers")
    public void brokerRestartedMidRun() {
        Assumptions.assumeTrue(fixture.canRestartBroker(),
                () -> fixture + " cannot restart its broker (e.g. a broker given by address): not tested");
        String svc = uniqueService("brokerrestart");
        worker(svc, "A");
        RpcClient client = client();
        assertThat(client.call(svc, "work", String.class, "before")).isEqualTo("A:before");
        fixture.restartBroker();
        Duration recovery = fixture.redeliveryTimeout().plus(fixture.callTimeout());
        RpcClient shortCalls = client.withTimeout(Duration.ofSeconds(5));
        AtomicInteger attempts = new AtomicInteger();
        org.awaitility.Awaitility.await().atMost(recovery).pollInterval(Duration.ofMillis(200))
                .ignoreExceptions().until(() -> {
                    attempts.incrementAndGet();
                    return shortCalls.call(svc, "work", String.class, "probe").equals("A:probe");
                });
        LOG.info("calls resumed after the broker restart ({} attempts)", attempts);
        callRounds(client, svc, 2, 20);
    }
}
