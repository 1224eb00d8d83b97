package dev.pipeline.rpc.tck.selftest;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.pipeline.rpc.Rpc;
import dev.pipeline.rpc.RpcClient;
import dev.pipeline.rpc.RpcServer;
import dev.pipeline.rpc.tck.latency.LatencyKit;
import dev.pipeline.rpc.tck.latency.LatencyReport;
import dev.pipeline.rpc.tck.latency.LatencyResult;
import dev.pipeline.rpc.tck.latency.RoundTrip;
import dev.pipeline.rpc.tck.latency.Workload;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The latency kit counts, reports and never asserts time; checked here on a local function and on inproc. */
class LatencyKitTest {

    @Test
    void countsSequentialAndPipelinedRoundTripsAndErrors() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            AtomicInteger calls = new AtomicInteger();
            AtomicInteger maxConcurrent = new AtomicInteger();
            AtomicInteger current = new AtomicInteger();
            RoundTrip op = payload -> {
                int n = calls.incrementAndGet();
                int c = current.incrementAndGet();
                maxConcurrent.accumulateAndGet(c, Math::max);
                return CompletableFuture.supplyAsync(() -> {
                    current.decrementAndGet();
                    if (n % 100 == 0) {
                        throw new IllegalStateException("every hundredth fails");
                    }
                    return payload.length();
                }, pool);
            };
            LatencyResult seq = LatencyKit.run(Workload.builder("seq").payloadBytes(10).warmupCalls(50).calls(1000)
                    .build(), op);
            assertThat(seq.mode()).isEqualTo("sequential");
            assertThat(seq.calls() + seq.errors()).isEqualTo(1000);
            assertThat(seq.errors()).isBetween(9L, 11L);
            assertThat(seq.firstError()).contains("every hundredth fails");
            assertThat(maxConcurrent.get()).isEqualTo(1);
            assertPercentilesOrdered(seq);

            calls.set(0);
            LatencyResult pipe = LatencyKit.run(Workload.builder("pipe").inFlight(16).warmupCalls(0).calls(5000)
                    .build(), op);
            assertThat(pipe.mode()).isEqualTo("pipelined");
            assertThat(pipe.calls() + pipe.errors()).isEqualTo(5000);
            assertThat(calls.get()).isEqualTo(5000);
            assertThat(maxConcurrent.get()).isLessThanOrEqualTo(16);
            assertPercentilesOrdered(pipe);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void callerThreadsEachWaitForTheirOwnBlockingRoundTrip() {
        AtomicInteger calls = new AtomicInteger();
        AtomicInteger current = new AtomicInteger();
        AtomicInteger maxConcurrent = new AtomicInteger();
        java.util.Set<String> threads = java.util.concurrent.ConcurrentHashMap.newKeySet();
        RoundTrip blocking = payload -> { // blocks its caller, as client.call(..) does
            int n = calls.incrementAndGet();
            maxConcurrent.accumulateAndGet(current.incrementAndGet(), Math::max);
            threads.add(Thread.currentThread().getName());
            java.util.concurrent.locks.LockSupport.parkNanos(200_000);
            current.decrementAndGet();
            return n % 100 == 0 ? CompletableFuture.failedFuture(new IllegalStateException("every hundredth"))
                    : CompletableFuture.completedFuture(payload);
        };
        LatencyResult r = LatencyKit.run(Workload.builder("threads").inFlight(8).callerThreads(true).warmupCalls(0)
                .calls(2000).build(), blocking);
        assertThat(r.mode()).isEqualTo("threads");
        assertThat(r.calls() + r.errors()).isEqualTo(2000);
        assertThat(calls).hasValue(2000);
        assertThat(r.errors()).isEqualTo(20);
        assertThat(r.firstError()).contains("every hundredth");
        assertThat(threads).hasSize(8).allMatch(n -> n.startsWith("latency-caller-"));
        assertThat(maxConcurrent.get()).isBetween(2, 8);
        assertPercentilesOrdered(r);
    }

    @Test
    void aCallerThreadWhoseRoundTripNeverCompletesFailsTheRunClearly() {
        Workload w = Workload.builder("stuck threads").inFlight(2).callerThreads(true).warmupCalls(0).calls(10)
                .drainTimeout(Duration.ofMillis(200)).build();
        assertThatThrownBy(() -> LatencyKit.run(w, p -> new CompletableFuture<>()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("2 round trips still in flight");
    }

    @Test
    void durationBoundsARunWithUnboundedCalls() {
        LatencyResult r = LatencyKit.run(Workload.builder("timed").warmupCalls(0).calls(Long.MAX_VALUE)
                .duration(Duration.ofMillis(200)).build(), p -> CompletableFuture.completedFuture(p));
        assertThat(r.calls()).isPositive();
        assertThat(r.errors()).isZero();
    }

    @Test
    void aRoundTripThatNeverCompletesFailsClearly() {
        Workload w = Workload.builder("stuck").warmupCalls(0).calls(3).inFlight(2)
                .drainTimeout(Duration.ofMillis(200)).build();
        assertThatThrownBy(() -> LatencyKit.run(w, p -> new CompletableFuture<>()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("still in flight");
    }

    @Test
    void workloadValidatesItsValues() {
        assertThatThrownBy(() -> Workload.builder(" ")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Workload.builder("w").inFlight(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Workload.builder("w").payloadBytes(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Workload.builder("w").calls(Long.MAX_VALUE).build())
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void writesJsonAndMarkdown(@TempDir Path dir) throws Exception {
        LatencyResult r = LatencyKit.run(Workload.builder("local|fn").warmupCalls(10).calls(100).build(),
                p -> CompletableFuture.completedFuture(p));
        List<Path> files = LatencyReport.write(dir.resolve("out"), "report", List.of(r, r));
        JsonArray json = JsonParser.parseString(Files.readString(files.get(0))).getAsJsonArray();
        assertThat(json).hasSize(2);
        JsonObject o = json.get(0).getAsJsonObject();
        assertThat(o.keySet()).contains("name", "mode", "inFlight", "payloadBytes", "calls", "errors", "seconds",
                "throughputPerSecond", "p50Micros", "p90Micros", "p99Micros", "p999Micros", "maxMicros");
        assertThat(o.get("calls").getAsLong()).isEqualTo(100);
        String md = Files.readString(files.get(1));
        assertThat(md.lines().toList()).hasSize(4);
        assertThat(md).contains("p50 (µs)", "p99.9 (µs)", "throughput", "local\\|fn");
    }

    @Test
    void measuresAPipelineClientOnInproc() {
        String uri = "inproc:latency-" + UUID.randomUUID();
        try (RpcServer server = Rpc.server(uri)) {
            RoundTrip.exposeEcho(server, "echo").start();
            try (RpcClient client = Rpc.client(uri)) {
                RoundTrip op = RoundTrip.rpcEcho(client, "echo");
                LatencyResult seq = LatencyKit.run(Workload.builder("inproc-seq").payloadBytes(256).warmupCalls(200)
                        .calls(2000).build(), op);
                LatencyResult pipe = LatencyKit.run(Workload.builder("inproc-pipe").payloadBytes(256).inFlight(32)
                        .warmupCalls(200).calls(10_000).build(), op);
                assertThat(seq.errors()).isZero();
                assertThat(pipe.errors()).isZero();
                assertThat(seq.calls()).isEqualTo(2000);
                assertThat(pipe.calls()).isEqualTo(10_000);
                System.out.print(LatencyReport.markdown(List.of(seq, pipe)));
            }
        }
    }

    private static void assertPercentilesOrdered(LatencyResult r) {
        assertThat(r.p50Micros()).isLessThanOrEqualTo(r.p90Micros());
        assertThat(r.p90Micros()).isLessThanOrEqualTo(r.p99Micros());
        assertThat(r.p99Micros()).isLessThanOrEqualTo(r.p999Micros());
        assertThat(r.p999Micros()).isLessThanOrEqualTo(r.maxMicros());
    }
}
