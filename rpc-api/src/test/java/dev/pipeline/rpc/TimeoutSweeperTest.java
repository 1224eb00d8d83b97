package dev.pipeline.rpc;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The client's timeout thread: it fires due calls, sleeps until the earliest deadline it knows of (so calls with long
 * timeouts cost no passes over the pending calls), and a client with nothing armed leaves it parked.
 */
class TimeoutSweeperTest {
    private final ConcurrentHashMap<String, ClientCore.Pending> pending = new ConcurrentHashMap<>();
    private final List<String> timedOut = new CopyOnWriteArrayList<>();
    private final TimeoutSweeper sweeper = new TimeoutSweeper("sweeper-test", pending.values(),
            p -> {
                if (pending.remove(p.correlationId, p)) {
                    timedOut.add(p.correlationId);
                }
            });

    @AfterEach
    void stop() {
        sweeper.stop();
    }

    private ClientCore.Pending arm(String id, long timeoutMillis) {
        ClientCore.Pending p = new ClientCore.PendingCall(id, new ClientCore.Entry(1, "svc", "m", String.class));
        pending.put(id, p);
        long deadline = TimeoutSweeper.deadline(System.nanoTime(), TimeUnit.MILLISECONDS.toNanos(timeoutMillis));
        p.deadlineNanos = deadline;
        assertThat(sweeper.armed(deadline)).isTrue();
        return p;
    }

    @Test
    void withNothingArmedTheThreadParksAndTheNextArmedCallWakesIt() {
        arm("first", 20);
        await().atMost(Duration.ofSeconds(10)).until(() -> timedOut.contains("first"));
        await().atMost(Duration.ofSeconds(10)).until(sweeper::isAsleep); // parked without a timeout

        arm("second", 20);
        await().atMost(Duration.ofSeconds(10)).until(() -> timedOut.contains("second"));
        assertThat(timedOut).containsExactly("first", "second");
    }

    @Test
    void callsWithLongTimeoutsCostNoSweepsUntilTheFirstCouldBeDue() throws Exception {
        arm("long-0", 60_000);
        // the thread's first pass finds the call and then sleeps until its deadline
        await().atMost(Duration.ofSeconds(10)).until(() -> sweeper.sweeps() >= 1 && sleepsTimed());
        long sweeps = sweeper.sweeps();
        for (int i = 1; i <= 50; i++) { // a steady stream of calls, each due later than the first
            arm("long-" + i, 60_000);
            Thread.sleep(4);
        }
        Thread.sleep(100); // 10 ticks of the old sweeper, which passed over the calls every 10 ms
        assertThat(sweeper.sweeps()).isEqualTo(sweeps);
        assertThat(timedOut).isEmpty();
    }

    @Test
    void aCallDueBeforeTheOneTheThreadSleepsUntilWakesIt() {
        arm("long", 60_000);
        await().atMost(Duration.ofSeconds(10)).until(() -> sweeper.sweeps() >= 1 && sleepsTimed());
        arm("short", 30);
        await().atMost(Duration.ofSeconds(10)).until(() -> timedOut.contains("short"));
        assertThat(timedOut).containsExactly("short");
        assertThat(pending).containsOnlyKeys("long");
    }

    @Test
    void aCallSentButNotYetArmedDoesNotKeepItAwake() {
        ClientCore.Pending unarmed = new ClientCore.PendingCall("sent",
                new ClientCore.Entry(2, "svc", "m", String.class));
        pending.put("sent", unarmed); // the broker has not accepted it yet: no deadline
        arm("other", 10);
        await().atMost(Duration.ofSeconds(10)).until(() -> timedOut.contains("other"));
        await().atMost(Duration.ofSeconds(10)).until(sweeper::isAsleep);
        // armed later (the broker's acknowledgement): armed(...) wakes the thread, which times it out
        long deadline = TimeoutSweeper.deadline(System.nanoTime(), TimeUnit.MILLISECONDS.toNanos(10));
        unarmed.deadlineNanos = deadline;
        assertThat(sweeper.armed(deadline)).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> timedOut.contains("sent"));
    }

    @Test
    void everyCallArmedFromManyThreadsTimesOutExactlyOnce() throws Exception {
        int threads = 4;
        int perThread = 300;
        List<Thread> armers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int base = t * perThread;
            Thread th = new Thread(() -> {
                ThreadLocalRandom rnd = ThreadLocalRandom.current();
                for (int i = 0; i < perThread; i++) {
                    // a mix of deadlines, some earlier than the one the thread sleeps until, some later
                    arm("c" + (base + i), rnd.nextInt(1, 120));
                    if (rnd.nextInt(8) == 0) {
                        Thread.yield();
                    }
                }
            });
            armers.add(th);
            th.start();
        }
        for (Thread th : armers) {
            th.join();
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> timedOut.size() == threads * perThread);
        assertThat(Set.copyOf(timedOut)).hasSize(threads * perThread);
        assertThat(pending).isEmpty();
        await().atMost(Duration.ofSeconds(10)).until(sweeper::isAsleep);
    }

    @Test
    void stoppingWakesAParkedThreadAndItEnds() {
        arm("x", 10);
        await().atMost(Duration.ofSeconds(10)).until(sweeper::isAsleep);
        Thread parked = sweeperThread(Thread.State.WAITING);
        sweeper.stop();
        await().atMost(Duration.ofSeconds(10)).until(() -> !parked.isAlive());
        assertThat(sweeper.armed(TimeoutSweeper.deadline(System.nanoTime(), 1))).isFalse();
    }

    private boolean sleepsTimed() {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().equals("sweeper-test") && t.getState() == Thread.State.TIMED_WAITING);
    }

    private static Thread sweeperThread(Thread.State state) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("sweeper-test") && t.getState() == state)
                .findFirst().orElseThrow();
    }
}
