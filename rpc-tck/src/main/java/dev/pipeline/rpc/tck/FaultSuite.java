package dev.pipeline.rpc.tck;

import dev.pipeline.rpc.ErrorCodes;
import dev.pipeline.rpc.Health;
import dev.pipeline.rpc.RpcClient;
import dev.pipeline.rpc.RpcException;
import dev.pipeline.rpc.RpcMetrics;
import dev.pipeline.rpc.RpcServer;
import dev.pipeline.rpc.RpcTimeoutException;
import dev.pipeline.rpc.spi.WireHeaders;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Faults on real brokers: a fatal error on a transport thread, a network cut between a client or a server and the
 * broker (a {@link dev.pipeline.rpc.tck.broker.TcpProxy}, cut for {@value #CUT_PROPERTY} seconds, default 5), and the
 * broker killed with {@code kill -9} under load and started again on the same address with its data. Every call completes exactly once at its caller (a
 * result or a clear error by its deadline), no accepted request is lost, and the process never keeps running while
 * it serves nothing.
 */
public abstract class FaultSuite extends TckBase {
    static final int DURING = 16;
    /** System property: how long the network cut tests cut, in seconds (default 5; 60 for the long case). */
    public static final String CUT_PROPERTY = "pipeline.tck.cutSeconds";
    /** The timeout of the calls under a fault. */
    static final Duration FAULT_CALL_TIMEOUT = Duration.ofSeconds(20);
    /** The calls' timeout while the broker is killed and restarted. */
    static final Duration KILL_CALL_TIMEOUT = Duration.ofSeconds(10);

    private ProxiedBroker proxied;

    private synchronized ProxiedBroker proxiedBroker() {
        if (proxied == null) {
            assertThat(fixture.canProxy()).as("the fixture puts a proxy in front of its broker (%s)", fixture)
                    .isTrue();
            inClass(() -> proxied = track(fixture.proxied()));
            LOG.info("fault suite on {}: {}", fixture, proxied);
        }
        return proxied;
    }

    /**
     * Checks: an OutOfMemoryError on the server's transport thread is logged and reported; the server serves
     * again and no call hangs.
     */
    @Test
    @DisplayName("faults: an OutOfMemoryError on the server's transport thread is logged and reported; the server "
            + "serves again and no call hangs")
    public void fatalErrorOnTheServerTransportThread() {
        assertThat(fixture.canInjectRaw()).as("the fixture injects raw messages (%s)", fixture).isTrue();
        String svc = uniqueService("fatal-server");
        AtomicInteger thrown = new AtomicInteger();
        AtomicReference<String> on = new AtomicReference<>();
        // a metrics registry that runs out of heap once: it is called on the transport's thread for a request
        // whose deadline passed while it waited on the broker
        RpcMetrics hostile = new RpcMetrics() {
            @Override
            public void rejectedInput(String service, String transport, String reason) {
                if ("expired".equals(reason) && thrown.getAndIncrement() == 0) {
                    on.set(Thread.currentThread().getName());
                    throw new OutOfMemoryError("Java heap space (thrown by the test's metrics registry)");
                }
            }
        };
        RpcServer server = server(b -> b.metrics(hostile));
        server.expose(svc, TckApi.class, new TckApiImpl());
        server.start();
        RpcClient client = client();
        assertThat(get(client.<Integer>callAsync(svc, "add", Integer.class, 1, 2))).isEqualTo(3);
        assertThat(server.health()).isEqualTo(Health.up());

        fixture.injectRaw(svc, "{\"jsonrpc\":\"2.0\",\"method\":\"add\",\"params\":[1,1],\"id\":1}"
                .getBytes(StandardCharsets.UTF_8), Map.of(WireHeaders.DEADLINE, "1"));
        List<CompletableFuture<Integer>> during = new ArrayList<>();
        for (int i = 0; i < DURING; i++) {
            during.add(client.callAsync(svc, "add", Integer.class, i, 1));
        }
        await().until(() -> thrown.get() > 0);
        await().untilAsserted(() -> {
            Health h = server.health();
            assertThat(h.status()).as("health after the error: %s", h).isNotEqualTo(Health.Status.UP);
            assertThat(String.join("\n", h.reasons())).contains("OutOfMemoryError").contains(svc);
        });
        LOG.info("fault suite on {}: the error hit thread {}; health {}", fixture, on.get(), server.health());
        for (int i = 0; i < DURING; i++) {
            assertThat(get(during.get(i))).as("call %d made around the error", i).isEqualTo(i + 1);
        }
        assertThat(get(client.<Integer>callAsync(svc, "add", Integer.class, 20, 22))).isEqualTo(42);
        Health after = server.health();
        assertThat(after.status()).as("serving again: %s", after).isEqualTo(Health.Status.DEGRADED);
        assertThat(String.join("\n", after.reasons())).contains("OutOfMemoryError");
    }

    /**
     * Checks: a request whose handling throws a StackOverflowError on the server's transport thread every time
     * is dead-lettered with the error after a few attempts; the server moves on and serves.
     */
    @Test
    @DisplayName("faults: a request whose handling throws a StackOverflowError on the server's transport thread every "
            + "time is dead-lettered with the error after a few attempts; the server moves on and serves")
    public void poisonRequestThatKillsTheTransportThreadEveryTimeIsDeadLettered() {
        assertThat(fixture.canInjectRaw()).as("the fixture injects raw messages (%s)", fixture).isTrue();
        assertThat(fixture.canReadDeadLetters()).as("the fixture reads dead letters (%s)", fixture).isTrue();
        String svc = uniqueService("poison-fatal");
        AtomicInteger thrown = new AtomicInteger();
        // a metrics registry that overflows its stack for every request whose deadline passed while it waited on
        // the broker (the only such request here is the poison): it is called on the transport's thread
        RpcMetrics hostile = new RpcMetrics() {
            @Override
            public void rejectedInput(String service, String transport, String reason) {
                if ("expired".equals(reason)) {
                    thrown.incrementAndGet();
                    throw new StackOverflowError("thrown by the test's metrics registry, every time");
                }
            }
        };
        RpcServer server = server(b -> b.metrics(hostile));
        server.expose(svc, TckApi.class, new TckApiImpl());
        server.start();
        RpcClient client = client();
        assertThat(get(client.<Integer>callAsync(svc, "add", Integer.class, 1, 2))).isEqualTo(3);

        fixture.injectRaw(svc, "{\"jsonrpc\":\"2.0\",\"method\":\"add\",\"params\":[1,1],\"id\":\"poison\"}"
                .getBytes(StandardCharsets.UTF_8), Map.of(WireHeaders.DEADLINE, "1"));
        List<CompletableFuture<Integer>> during = new ArrayList<>();
        for (int i = 0; i < DURING; i++) {
            during.add(client.callAsync(svc, "add", Integer.class, i, 1));
        }
        await().until(() -> thrown.get() > 0);
        await().untilAsserted(() -> assertThat(server.health().status()).as("health while the poison is retried")
                .isNotEqualTo(Health.Status.UP));

        List<RawMessage> dead = fixture.deadLetters(svc, 1, Duration.ofSeconds(120));
        assertThat(dead).as("dead letters of %s", svc).hasSize(1);
        assertThat(dead.get(0).text()).contains("\"poison\"");
        assertThat(dead.get(0).headers().get(WireHeaders.DLQ_REASON)).as("the dead letter's reason")
                .contains("StackOverflowError").contains("every time");
        int attempts = thrown.get();
        LOG.info("fault suite on {}: the poison was attempted {} times, then dead-lettered: {}", fixture, attempts,
                dead.get(0).headers().get(WireHeaders.DLQ_REASON));
        for (int i = 0; i < DURING; i++) {
            assertThat(get(during.get(i))).as("call %d made around the poison", i).isEqualTo(i + 1);
        }
        // calls on every partition or entry after it are answered: nothing is held behind the poison
        List<CompletableFuture<Integer>> after = new ArrayList<>();
        for (int i = 0; i < 4 * DURING; i++) {
            after.add(client.callAsync(svc, "add", Integer.class, i, 2));
        }
        for (int i = 0; i < after.size(); i++) {
            assertThat(get(after.get(i))).as("call %d after the poison", i).isEqualTo(i + 2);
        }
        assertThat(thrown.get()).as("attempts at the poison after its dead letter").isEqualTo(attempts);
        assertThat(fixture.deadLetters(svc, 2, Duration.ofSeconds(10))).as("dead letters").hasSize(1);
        Health h = server.health();
        assertThat(h.status()).as("serving again: %s", h).isEqualTo(Health.Status.DEGRADED);
        assertThat(String.join("\n", h.reasons())).contains("StackOverflowError");
    }

    /**
     * Checks: an OutOfMemoryError on the client's reply thread is logged; replies still flow and no call hangs.
     *
     * @throws Exception when a step of the check fails with an exception: the test then fails
     */
    @Test
    @DisplayName("faults: an OutOfMemoryError on the client's reply thread is logged; replies still flow and no "
            + "call hangs")
    public void fatalErrorOnTheClientReplyThread() throws Exception {
        String svc = uniqueService("fatal-client");
        AtomicInteger thrown = new AtomicInteger();
        // a metrics registry that runs out of heap once, when a reply comes after its call timed out: it is called
        // on the transport's reply thread
        RpcMetrics hostile = new RpcMetrics() {
            @Override
            public void lateReply(String transport) {
                if (thrown.getAndIncrement() == 0) {
                    throw new OutOfMemoryError("Java heap space (thrown by the test's metrics registry)");
                }
            }
        };
        RpcServer server = server(b -> {
        });
        server.expose(svc, TckApi.class, new TckApiImpl());
        server.handle(svc, "slow", params -> {
            Thread.sleep(1500);
            return "late";
        });
        server.start();
        RpcClient client = client(b -> b.metrics(hostile));
        assertThat(get(client.<Integer>callAsync(svc, "add", Integer.class, 1, 2))).isEqualTo(3);

        RpcException timedOut = failure(client.withTimeout(Duration.ofMillis(300)).callAsync(svc, "slow",
                String.class), Duration.ofSeconds(10));
        assertThat(timedOut.code()).isEqualTo(ErrorCodes.TIMEOUT);
        await().until(() -> thrown.get() > 0); // the late reply came and the metrics threw on the reply thread
        List<CompletableFuture<Integer>> after = new ArrayList<>();
        for (int i = 0; i < DURING; i++) {
            after.add(client.callAsync(svc, "add", Integer.class, i, 2));
        }
        for (int i = 0; i < DURING; i++) {
            assertThat(get(after.get(i))).as("call %d after the error", i).isEqualTo(i + 2);
        }
        assertThat(client.call(svc, "add", int.class, 40, 2)).isEqualTo(42);
    }

    /**
     * Checks: a network cut between the client and the broker: every call completes once, none lost, calls flow
     * again after the heal.
     *
     * @throws Exception when a step of the check fails with an exception: the test then fails
     */
    @Test
    @DisplayName("faults: a network cut between the client and the broker: every call completes once, none lost, "
            + "calls flow again after the heal")
    public void networkCutBetweenClientAndBroker() throws Exception {
        cut(true);
    }

    /**
     * Checks: a network cut between the server and the broker: every call completes once, none lost, calls flow
     * again after the heal.
     *
     * @throws Exception when a step of the check fails with an exception: the test then fails
     */
    @Test
    @DisplayName("faults: a network cut between the server and the broker: every call completes once, none lost, "
            + "calls flow again after the heal")
    public void networkCutBetweenServerAndBroker() throws Exception {
        cut(false);
    }

    private void cut(boolean clientSide) throws Exception {
        ProxiedBroker pb = proxiedBroker();
        int cutSeconds = Integer.getInteger(CUT_PROPERTY, 5);
        String svc = uniqueService(clientSide ? "cut-client" : "cut-server");
        Set<String> executed = ConcurrentHashMap.newKeySet();
        AtomicInteger expired = new AtomicInteger();
        RpcServer server = server(clientSide ? pb.directUri() : pb.proxiedUri(), b -> b.metrics(expiries(expired)));
        server.handle(svc, "exec", params -> {
            String token = params.get(0, String.class);
            executed.add(token);
            return token;
        });
        server.start();
        RpcClient client = client(clientSide ? pb.proxiedUri() : pb.directUri(),
                b -> b.defaultTimeout(FAULT_CALL_TIMEOUT));
        assertThat(client.call(svc, "exec", String.class, "warm-up")).isEqualTo("warm-up");

        Duration hangAfter = FAULT_CALL_TIMEOUT.plusSeconds(cutSeconds + 60L);
        try (Load load = new Load(client, svc, 4, hangAfter)) {
            Thread.sleep(2000);
            pb.proxy().cut();
            long cutAt = System.nanoTime();
            Thread.sleep(cutSeconds * 1000L);
            pb.proxy().heal();
            long healedAt = System.nanoTime();
            awaitFlowing(load, healedAt, hangAfter.plusSeconds(30));
            Thread.sleep(2000);
            load.stop();
            check(load, executed, expired, "network cut (" + (clientSide ? "client" : "server") + " side, "
                    + cutSeconds + " s)", cutAt, healedAt, null);
        }
    }

    /**
     * Checks: the broker killed with kill -9 under load and started again on the same address: callers get a
     * result or a clear error by their deadline, calls succeed again, nothing pending leaks.
     *
     * @throws Exception when a step of the check fails with an exception: the test then fails
     */
    @Test
    @DisplayName("faults: the broker killed with kill -9 under load and started again on the same address: callers "
            + "get a result or a clear error by their deadline, calls succeed again, nothing pending leaks")
    public void brokerKilledUnderLoad() throws Exception {
        assertThat(fixture.canKillBroker()).as("the fixture kills its broker (%s)", fixture).isTrue();
        String svc = uniqueService("kill9");
        Set<String> executed = ConcurrentHashMap.newKeySet();
        AtomicInteger expired = new AtomicInteger();
        RpcServer server = server(b -> b.metrics(expiries(expired)));
        server.handle(svc, "exec", params -> {
            String token = params.get(0, String.class);
            executed.add(token);
            return token;
        });
        server.start();
        RpcClient client = client(b -> b.defaultTimeout(KILL_CALL_TIMEOUT));
        assertThat(client.call(svc, "exec", String.class, "warm-up")).isEqualTo("warm-up");
        Duration hangAfter = Duration.ofSeconds(120);
        String address = java.net.URI.create(fixture.uri()).getAuthority();
        try (Load load = new Load(client, svc, 8, hangAfter)) {
            Thread.sleep(3000);
            long before = load.okBetween(System.nanoTime() - 2_000_000_000L, System.nanoTime()) / 2;
            fixture.killBroker();
            long killedAt = System.nanoTime();
            Thread.sleep(3000);
            fixture.startKilledBroker();
            long upAt = System.nanoTime();
            awaitFlowing(load, upAt, hangAfter.plusSeconds(30));
            Thread.sleep(10_000);
            load.stop();
            // printed before the checks, so that a failing run shows it too
            logThroughputBack(load, before, upAt, (upAt - killedAt) / 1_000_000);
            check(load, executed, expired, "broker kill -9", killedAt, upAt, address);
            // the call's clock starts with its send: a producer holding a send for the dead broker (Kafka: up to
            // delivery.timeout.ms, 120 s) does not make it outlast its timeout (a bound, not a timing goal)
            long slowest = load.outcomes.stream().mapToLong(o -> (o.endNanos - o.startNanos) / 1_000_000).max()
                    .orElse(0);
            assertThat(slowest).as("the slowest call, in ms, against its %s timeout", KILL_CALL_TIMEOUT)
                    .isLessThan(KILL_CALL_TIMEOUT.plusSeconds(10).toMillis());
        }
        await().untilAsserted(() -> assertThat(pendingCount(client)).as("calls pending in the client").isZero());
    }

    /**
     * Prints the time from the broker being up to throughput back at its earlier level (the end of the first second
     * after {@code upAt} with at least 80% of the calls per second before the kill), the successful calls per 500 ms
     * for the 8 s after it was up, and when each caller's first call succeeded after it.
     */
    private void logThroughputBack(Load load, long before, long upAt, long downMillis) {
        long back = -1;
        for (long t = upAt; t + 1_000_000_000L <= load.stoppedAt; t += 100_000_000L) {
            if (load.okBetween(t, t + 1_000_000_000L) >= before * 8 / 10) {
                back = t + 1_000_000_000L - upAt;
                break;
            }
        }
        StringBuilder perHalfSecond = new StringBuilder();
        for (long t = upAt; t < upAt + 8_000_000_000L && t < load.stoppedAt; t += 500_000_000L) {
            perHalfSecond.append(perHalfSecond.length() == 0 ? "" : " ").append(load.okBetween(t, t + 500_000_000L));
        }
        List<Long> firstOk = new ArrayList<>();
        for (int caller : load.lastByCaller().keySet()) {
            firstOk.add(load.outcomes.stream().filter(o -> o.caller == caller && o.error == null && o.endNanos >= upAt)
                    .mapToLong(o -> (o.endNanos - upAt) / 1_000_000).min().orElse(-1));
        }
        LOG.info("fault suite on {}: broker kill -9: down {} ms; {} calls/s before; broker up to throughput back: {};"
                        + " ok per 500 ms after it was up: {}; each caller's first success after it, ms: {}", fixture,
                downMillis, before, back < 0 ? "not within the run" : (back / 1_000_000) + " ms", perHalfSecond,
                firstOk);
    }

    /** Waits until a call started after {@code sinceNanos} succeeded, at most {@code max}. */
    private static void awaitFlowing(Load load, long sinceNanos, Duration max) {
        org.awaitility.Awaitility.await().atMost(max).pollInterval(Duration.ofMillis(50))
                .until(() -> load.firstOkStartedAfter(sinceNanos) > 0);
    }

    /**
     * The guarantees under a fault: no call hung; each failure a clear RpcException (naming {@code address} when
     * it is a transport error, if given); every call that timed out (accepted by the broker) ran; each caller's last
     * call succeeded. Prints what happened.
     */
    private void check(Load load, Set<String> executed, AtomicInteger expired, String what, long faultAt,
                       long endedAt, String address) {
        List<Load.Outcome> all = new ArrayList<>(load.outcomes);
        List<Load.Outcome> hung = all.stream().filter(o -> o.hung).toList();
        assertThat(hung).as("calls that neither completed nor failed within %s", load.hangAfter).isEmpty();
        Map<String, Integer> errors = new java.util.TreeMap<>();
        List<String> timedOut = new ArrayList<>();
        long ok = 0;
        long notAccepted = 0;
        long maxMillis = 0;
        for (Load.Outcome o : all) {
            maxMillis = Math.max(maxMillis, (o.endNanos - o.startNanos) / 1_000_000);
            if (o.error == null) {
                assertThat(o.result).isEqualTo(o.token);
                ok++;
                continue;
            }
            assertThat(o.error).as("a call fails with an RpcException").isInstanceOf(RpcException.class);
            RpcException e = (RpcException) o.error;
            assertThat(e.getMessage()).as("error message").isNotBlank();
            assertThat(e.code()).as("%s", e.getMessage()).isIn(ErrorCodes.TIMEOUT, ErrorCodes.TRANSPORT_ERROR);
            assertThat(e.getMessage()).as("no raw metadata wording").doesNotContain("not present in metadata");
            if (address != null && e.code() == ErrorCodes.TRANSPORT_ERROR) {
                assertThat(e.getMessage()).as("a transport error names the broker").contains(address);
            }
            if (e.code() == ErrorCodes.TIMEOUT) {
                // accepted by the broker, or not by the call's deadline (a send the producer held through the
                // outage and gave up on): only the accepted ones must run or be skipped as expired
                assertThat(e).as("a timeout says whether its request was accepted")
                        .isInstanceOf(RpcTimeoutException.class);
                if (((RpcTimeoutException) e).requestAccepted()) {
                    timedOut.add(o.token);
                } else {
                    notAccepted++;
                }
            }
            String kind = e.code() + " " + e.getMessage().replaceAll("tck-[a-z0-9-]+", "<svc>")
                    .replaceAll("[0-9]+ ms", "N ms").replaceAll("within [0-9.]+ ?[a-z]+", "within T");
            errors.merge(kind.length() > 200 ? kind.substring(0, 200) : kind, 1, Integer::sum);
        }
        // a call that timed out after the broker accepted its request ran, or runs later, or was skipped by the
        // server because its deadline (set when it was sent) had passed when the server read it: a request that
        // waited out a broker outage in the producer or on the broker
        org.awaitility.Awaitility.await().atMost(fixture.redeliveryTimeout().plus(FAULT_CALL_TIMEOUT))
                .pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> assertThat(timedOut.stream().filter(t -> !executed.contains(t)).count())
                        .as("accepted requests neither executed nor skipped as expired (lost): %s of %s",
                                timedOut.stream().filter(t -> !executed.contains(t)).toList(), expired.get())
                        .isLessThanOrEqualTo(expired.get()));
        for (Map.Entry<Integer, Load.Outcome> last : load.lastByCaller().entrySet()) {
            assertThat(last.getValue().error).as("the last call of caller %d, after the fault", last.getKey())
                    .isNull();
        }
        long firstOk = load.firstOkStartedAfter(endedAt);
        long firstOkEnd = load.firstOkEndedAfter(endedAt);
        LOG.info("fault suite on {}: {}: {} calls, {} ok, {} failed {}, 0 hung, 0 lost, {} timed out before the "
                        + "broker accepted them, {} skipped by the server as expired; max call {} ms; fault "
                        + "lasted {} ms; from its end to the first successful reply {} ms, to the first success of a "
                        + "call started after it {} ms", fixture, what, all.size(), ok, all.size() - ok, errors,
                notAccepted, expired.get(), maxMillis, (endedAt - faultAt) / 1_000_000,
                (firstOkEnd - endedAt) / 1_000_000,
                (firstOk - endedAt) / 1_000_000);
    }

    /** @return server metrics counting the requests skipped because their deadline had passed */
    private static RpcMetrics expiries(AtomicInteger expired) {
        return new RpcMetrics() {
            @Override
            public void rejectedInput(String service, String transport, String reason) {
                if ("expired".equals(reason)) {
                    expired.incrementAndGet();
                }
            }
        };
    }

    /** Callers looping {@code exec(token)} calls, one at a time each, every outcome recorded. */
    static final class Load implements AutoCloseable {
        record Outcome(int caller, String token, long startNanos, long endNanos, String result, Throwable error,
                       boolean hung) {
        }

        final java.util.concurrent.ConcurrentLinkedQueue<Outcome> outcomes =
                new java.util.concurrent.ConcurrentLinkedQueue<>();
        final Duration hangAfter;
        private final List<Thread> threads = new ArrayList<>();
        private volatile boolean stop;
        volatile long stoppedAt;

        Load(RpcClient client, String svc, int callers, Duration hangAfter) {
            this.hangAfter = hangAfter;
            for (int i = 0; i < callers; i++) {
                int caller = i;
                Thread t = new Thread(() -> {
                    for (int n = 0; !stop; n++) {
                        String token = "c" + caller + "-" + n;
                        long t0 = System.nanoTime();
                        CompletableFuture<String> f = client.callAsync(svc, "exec", String.class, token);
                        String result = null;
                        Throwable error = null;
                        boolean hung = false;
                        try {
                            result = f.get(hangAfter.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
                        } catch (java.util.concurrent.ExecutionException e) {
                            error = e.getCause();
                        } catch (java.util.concurrent.TimeoutException e) {
                            hung = true;
                        } catch (InterruptedException e) {
                            return;
                        }
                        outcomes.add(new Outcome(caller, token, t0, System.nanoTime(), result, error, hung));
                        if (error != null) {
                            try {
                                Thread.sleep(50); // a caller that retries after an error, not in a busy loop
                            } catch (InterruptedException e) {
                                return;
                            }
                        }
                    }
                }, "fault-load-" + i);
                t.setDaemon(true);
                threads.add(t);
                t.start();
            }
        }

        void stop() throws InterruptedException {
            stop = true;
            for (Thread t : threads) {
                t.join(hangAfter.toMillis() + 10_000);
            }
            stoppedAt = System.nanoTime();
        }

        long okBetween(long from, long to) {
            return outcomes.stream().filter(o -> o.error == null && !o.hung && o.endNanos >= from && o.endNanos < to)
                    .count();
        }

        long firstOkStartedAfter(long nanos) {
            return outcomes.stream().filter(o -> o.error == null && !o.hung && o.startNanos >= nanos)
                    .mapToLong(o -> o.endNanos).min().orElse(0);
        }

        long firstOkEndedAfter(long nanos) {
            return outcomes.stream().filter(o -> o.error == null && !o.hung && o.endNanos >= nanos)
                    .mapToLong(o -> o.endNanos).min().orElse(0);
        }

        Map<Integer, Outcome> lastByCaller() {
            Map<Integer, Outcome> last = new java.util.TreeMap<>();
            for (Outcome o : outcomes) {
                last.merge(o.caller, o, (a, b) -> b.startNanos > a.startNanos ? b : a);
            }
            return last;
        }

        @Override
        public void close() throws InterruptedException {
            if (!stop) {
                stop();
            }
        }
    }
}
