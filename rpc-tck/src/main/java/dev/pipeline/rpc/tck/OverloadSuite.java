package dev.pipeline.rpc.tck;

import dev.pipeline.rpc.ErrorCodes;
import dev.pipeline.rpc.RpcClient;
import dev.pipeline.rpc.RpcException;
import dev.pipeline.rpc.RpcServer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Overload through the broker: a server fed about ten times what it can handle in its callers' time bounds what it
 * runs at once, never starts a request whose deadline has passed, answers every call once (a result or a timeout at
 * its caller) and serves normally afterwards.
 *
 * <p>A transport module runs it with one class:
 * <pre>{@code
 * class KafkaOverloadTest extends OverloadSuite {
 *     @Override protected TransportFixture fixture() { return new KafkaTckFixture(); }
 * }
 * }</pre>
 */
public abstract class OverloadSuite extends TckBase {
    private static final int THREADS = 4;
    private static final long WORK_MILLIS = 20;
    /** A server runs about THREADS / WORK_MILLIS = 200 calls per second: 2000 calls of 1 s are ten times that. */
    private static final int CALLS = 2000;
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(1);
    /**
     * How late after its deadline a start counts as a broken rule: the deadline is checked just before the handler
     * runs, and a loaded machine may preempt the thread in between; a server that ignored deadlines would start the
     * last of this backlog about 10 s late.
     */
    private static final long START_SLACK_MILLIS = 500;

    /**
     * Checks: a server fed ten times its capacity runs at most its threads at once, never starts an expired request,
     * and every call completes once.
     *
     * @throws Exception when a step of the check fails with an exception: the test then fails
     */
    @Test
    @DisplayName("a server fed ten times its capacity runs at most its threads at once, never starts an expired"
            + " request, and every call completes once")
    public void overloadedServerSkipsExpiredRequestsAndAnswersEveryCallOnce() throws Exception {
        String service = uniqueService("overload");
        Map<String, Long> deadlineBound = new ConcurrentHashMap<>();
        AtomicInteger running = new AtomicInteger();
        AtomicInteger maxRunning = new AtomicInteger();
        AtomicInteger executions = new AtomicInteger();
        List<String> lateStarts = java.util.Collections.synchronizedList(new ArrayList<>());
        RpcServer server = server(b -> b.concurrency(THREADS));
        server.handle(service, "work", params -> {
            long start = System.currentTimeMillis();
            String token = params.get(0, String.class);
            Long bound = deadlineBound.get(token);
            if (bound != null && start - bound > START_SLACK_MILLIS) {
                lateStarts.add(token + " started " + (start - bound) + " ms after its deadline");
            }
            executions.incrementAndGet();
            maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
            try {
                Thread.sleep(WORK_MILLIS);
            } finally {
                running.decrementAndGet();
            }
            return token;
        });
        server.start();
        RpcClient client = client(b -> b.maxInFlight(CALLS * 2));
        assertThat(client.withTimeout(fixture.callTimeout()).call(service, "work", String.class, "warm-up"))
                .isEqualTo("warm-up");
        deadlineBound.clear();
        executions.set(0);
        maxRunning.set(0);

        RpcClient quick = client.withTimeout(CALL_TIMEOUT);
        List<CompletableFuture<String>> calls = new ArrayList<>(CALLS);
        for (int i = 0; i < CALLS; i++) {
            String token = "t" + i;
            // the deadline the client gives is its clock at the call plus the timeout: at most this
            deadlineBound.put(token, Long.MAX_VALUE);
            CompletableFuture<String> call = quick.callAsync(service, "work", String.class, token);
            deadlineBound.put(token, System.currentTimeMillis() + CALL_TIMEOUT.toMillis());
            calls.add(call);
        }

        int ok = 0;
        int timedOut = 0;
        for (int i = 0; i < CALLS; i++) {
            CompletableFuture<String> call = calls.get(i);
            try {
                assertThat(get(call, fixture.callTimeout().plus(CALL_TIMEOUT))).isEqualTo("t" + i);
                ok++;
            } catch (RpcException e) {
                assertThat(e.code()).as("call %d: %s", i, e.getMessage()).isEqualTo(ErrorCodes.TIMEOUT);
                timedOut++;
            } catch (CompletionException e) {
                throw new AssertionError("call " + i + " failed with " + e.getCause(), e.getCause());
            }
        }
        System.out.printf("overload on %s: %d calls, %d ok, %d timed out, %d executed, at most %d at once%n",
                getClass().getSimpleName(), CALLS, ok, timedOut, executions.get(), maxRunning.get());
        assertThat(ok + timedOut).as("every call completed").isEqualTo(CALLS);
        assertThat(timedOut).as("an overload this large times calls out").isPositive();
        assertThat(lateStarts).as("requests started after their deadline").isEmpty();
        assertThat(maxRunning.get()).as("handlers running at once").isLessThanOrEqualTo(THREADS);

        // the backlog is gone: once the expired requests are skipped, a call is answered as usual
        await().untilAsserted(() -> assertThat(client.withTimeout(fixture.callTimeout())
                .call(service, "work", String.class, "after")).isEqualTo("after"));
        assertThat(lateStarts).as("requests started after their deadline").isEmpty();
    }

    /** Calls made by {@link #clientPendingStateStaysBoundedOverAHundredThousandCalls}. */
    static final int MANY_CALLS = 100_000;
    /** Calls it keeps in flight. */
    static final int WINDOW = 256;

    /**
     * Checks: 100,000 calls, one in ten with a deadline too short to make, keep the client's pending state within the
     * calls in flight and leave it empty.
     *
     * @throws Exception when a step of the check fails with an exception: the test then fails
     */
    @Test
    @DisplayName("100,000 calls, one in ten with a deadline too short to make, keep the client's pending state within"
            + " the calls in flight and leave it empty")
    public void clientPendingStateStaysBoundedOverAHundredThousandCalls() throws Exception {
        String service = uniqueService("pending");
        RpcServer server = server(b -> {
        });
        server.handle(service, "echo", params -> params.get(0, Integer.class));
        server.start();
        RpcClient client = client(b -> b.defaultTimeout(fixture.callTimeout()));
        assertThat(client.call(service, "echo", int.class, -1)).isEqualTo(-1);
        // calls that time out at the client, before or after the server skipped or answered them: their replies,
        // if any, come late and are dropped
        RpcClient hurried = client.withTimeout(Duration.ofMillis(1));
        java.util.concurrent.Semaphore window = new java.util.concurrent.Semaphore(WINDOW);
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger timedOut = new AtomicInteger();
        List<Throwable> wrong = java.util.Collections.synchronizedList(new ArrayList<>());
        int maxPending = 0;
        long t0 = System.nanoTime();
        for (int i = 0; i < MANY_CALLS; i++) {
            window.acquire();
            boolean hurry = i % 10 == 0;
            int n = i;
            (hurry ? hurried : client).<Integer>callAsync(service, "echo", Integer.class, i).whenComplete((r, e) -> {
                Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                if (cause == null && r != null && r == n) {
                    ok.incrementAndGet();
                } else if (hurry && cause instanceof RpcException re && re.code() == ErrorCodes.TIMEOUT) {
                    timedOut.incrementAndGet();
                } else if (wrong.size() < 10) {
                    wrong.add(cause == null ? new AssertionError("call " + n + " got " + r) : cause);
                }
                window.release();
            });
            if (i % 1000 == 0) {
                maxPending = Math.max(maxPending, pendingCount(client));
            }
        }
        assertThat(window.tryAcquire(WINDOW, fixture.callTimeout().toMillis() * 2, TimeUnit.MILLISECONDS))
                .as("every call completed").isTrue();
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        System.out.printf("pending on %s: %d calls in %d ms, %d ok, %d timed out, at most %d pending%n",
                getClass().getSimpleName(), MANY_CALLS, millis, ok.get(), timedOut.get(), maxPending);
        assertThat(wrong).as("calls that failed otherwise").isEmpty();
        assertThat(ok.get() + timedOut.get()).isEqualTo(MANY_CALLS);
        assertThat(maxPending).as("calls pending in the client").isLessThanOrEqualTo(WINDOW);
        await().untilAsserted(() -> assertThat(pendingCount(client)).as("calls pending in the client").isZero());
    }
}
