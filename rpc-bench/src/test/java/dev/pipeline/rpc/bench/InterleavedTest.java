package dev.pipeline.rpc.bench;

import dev.pipeline.rpc.tck.latency.LatencyResult;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;

import static org.assertj.core.api.Assertions.assertThat;

class InterleavedTest {
    @Test
    void theImplementationsCallInTurnInAnOrderShuffledEachCycle() {
        List<String> calls = new ArrayList<>();
        List<Interleaved.Entrant> entrants = new ArrayList<>();
        for (String name : List.of("a", "b", "c")) {
            entrants.add(new Interleaved.Entrant(name, payload -> {
                calls.add(name);
                // completes on another thread, as a broker's reply would
                return CompletableFuture.supplyAsync(() -> payload, ForkJoinPool.commonPool());
            }));
        }
        Map<String, LatencyResult> results = Interleaved.run("p", 10, entrants, Duration.ofMillis(300),
                Duration.ofSeconds(10));

        assertThat(results).containsOnlyKeys("a", "b", "c");
        assertThat(calls.size()).isGreaterThanOrEqualTo(6);
        // every cycle makes one call of each implementation, in an order that is not always the same
        List<List<String>> cycles = new ArrayList<>();
        for (int i = 0; i + 3 <= calls.size(); i += 3) {
            assertThat(calls.subList(i, i + 3)).as("cycle %d", i / 3).containsExactlyInAnyOrder("a", "b", "c");
            cycles.add(calls.subList(i, i + 3));
        }
        assertThat(new HashSet<>(cycles)).as("the cycles' orders").hasSizeGreaterThan(1);
        for (String name : List.of("a", "b", "c")) {
            LatencyResult r = results.get(name);
            assertThat(r.calls()).isEqualTo(calls.stream().filter(name::equals).count());
            assertThat(r.mode()).isEqualTo("sequential");
            assertThat(r.inFlight()).isEqualTo(1);
            assertThat(r.payloadBytes()).isEqualTo(10);
            assertThat(r.errors()).isZero();
            assertThat(r.p50Micros()).isPositive();
            assertThat(r.throughputPerSecond()).isPositive();
        }
    }

    @Test
    void aStalledImplementationLeavesTheRotationAndFailedCallsAreCountedApart() {
        List<Interleaved.Entrant> entrants = List.of(
                new Interleaved.Entrant("ok", CompletableFuture::completedFuture),
                new Interleaved.Entrant("stuck", payload -> new CompletableFuture<>()),
                new Interleaved.Entrant("failing", payload -> CompletableFuture.failedFuture(
                        new IllegalStateException("boom"))));
        long start = System.nanoTime();
        Map<String, LatencyResult> results = Interleaved.run("p", 1, entrants, Duration.ofMillis(400),
                Duration.ofMillis(200));

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        assertThat(results.get("stuck")).isNull();
        assertThat(results.get("ok").calls()).isGreaterThan(10);
        assertThat(results.get("ok").errors()).isZero();
        LatencyResult failing = results.get("failing");
        assertThat(failing.calls()).isZero();
        assertThat(failing.errors()).isGreaterThan(10);
        assertThat(failing.firstError()).contains("boom");
    }
}
