package dev.pipeline.rpc;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The client's timeout thread: it fires due calls, and a client with nothing armed leaves it parked. */
class TimeoutSweeperTest {
    private final ConcurrentHashMap<String, ClientCore.Pending> pending = new ConcurrentHashMap<>();
    private final List<String> timedOut = new CopyOnWriteArrayList<>();
    private final TimeoutSweeper sweeper = new TimeoutSweeper("sweeper-test", pending.values(),
            p -> {
                if (pending.remove(p.correlationId, p)) {
                    timedOut.add(p.correlationId);
                }
            }, 5);

    @AfterEach
    void stop() {
        sweeper.stop();
    }

    private ClientCore.Pending arm(String id, long timeoutMillis) {
        ClientCore.Pending p = new ClientCore.PendingCall(id, new ClientCore.Entry(1, "svc", "m", String.class));
        pending.put(id, p);
        p.deadlineNanos = TimeoutSweeper.deadline(System.nanoTime(), TimeUnit.MILLISECONDS.toNanos(timeoutMillis));
        assertThat(sweeper.ensureStarted()).isTrue();
        return p;
    }

    @Test
    void withNothingArmedTheThreadParksAndTheNextArmedCallWakesIt() {
        arm("first", 20);
        await().atMost(Duration.ofSeconds(10)).until(() -> timedOut.contains("first"));
        // 5 idle ticks of 10 ms, then no more ticks: parked without a timeout
        await().atMost(Duration.ofSeconds(10)).until(sweeper::isAsleep);

        arm("second", 20);
        await().atMost(Duration.ofSeconds(10)).until(() -> timedOut.contains("second"));
        assertThat(timedOut).containsExactly("first", "second");
    }

    @Test
    void anArmedCallKeepsItTickingAndOnceAnsweredItParks() throws Exception {
        ClientCore.Pending p = arm("long", 60_000);
        Thread.sleep(200); // 20 ticks, well past the 5 idle ones: the armed call holds the thread awake
        assertThat(sweeper.isAsleep()).isFalse();
        pending.remove("long", p); // answered
        await().atMost(Duration.ofSeconds(10)).until(sweeper::isAsleep);
        assertThat(timedOut).isEmpty();
    }

    @Test
    void aCallSentButNotYetArmedDoesNotKeepItAwake() {
        ClientCore.Pending unarmed = new ClientCore.PendingCall("sent",
                new ClientCore.Entry(2, "svc", "m", String.class));
        pending.put("sent", unarmed); // the broker has not accepted it yet: no deadline
        arm("other", 10);
        await().atMost(Duration.ofSeconds(10)).until(() -> timedOut.contains("other"));
        await().atMost(Duration.ofSeconds(10)).until(sweeper::isAsleep);
        // armed later (the broker's acknowledgement): ensureStarted wakes the thread, which times it out
        unarmed.deadlineNanos = TimeoutSweeper.deadline(System.nanoTime(), TimeUnit.MILLISECONDS.toNanos(10));
        assertThat(sweeper.ensureStarted()).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> timedOut.contains("sent"));
    }

    @Test
    void stoppingWakesAParkedThreadAndItEnds() {
        arm("x", 10);
        await().atMost(Duration.ofSeconds(10)).until(sweeper::isAsleep);
        Thread parked = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("sweeper-test") && t.getState() == Thread.State.WAITING)
                .findFirst().orElseThrow();
        sweeper.stop();
        await().atMost(Duration.ofSeconds(10)).until(() -> !parked.isAlive());
        assertThat(sweeper.ensureStarted()).isFalse();
    }
}
