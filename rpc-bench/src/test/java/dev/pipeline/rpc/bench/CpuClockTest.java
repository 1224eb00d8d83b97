package dev.pipeline.rpc.bench;

import dev.pipeline.rpc.bench.ComparisonResult.CpuPerCall;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class CpuClockTest {
    @Test
    void countsThisJvmsAndAnotherProcesssCpuPerCall() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // a spinning child process stands in for the broker
        Process spinner = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                Spinner.class.getName()).start();
        try {
            CpuClock clock = CpuClock.start(Optional.of(spinner.toHandle()));
            long end = System.nanoTime() + 600_000_000L;
            long x = 0;
            while (System.nanoTime() < end) {
                x += Long.numberOfTrailingZeros(x + System.nanoTime());
            }
            Optional<CpuPerCall> cpu = clock.perCall(1000);
            assertThat(x).isNotNegative();
            assertThat(cpu).isPresent();
            // ~600 ms of this thread's CPU over 1000 calls: ~600 µs per call (more with JIT and GC threads)
            assertThat(cpu.get().benchMicros()).isBetween(300.0, 5000.0);
            assertThat(cpu.get().brokerMicros()).isGreaterThan(50.0);
            assertThat(CpuClock.start(Optional.empty()).perCall(10).orElseThrow().brokerMicros()).isNaN();
            assertThat(CpuClock.start(Optional.empty()).perCall(0)).isEmpty();
        } finally {
            spinner.destroyForcibly();
        }
    }

    /** Spins for a few seconds. */
    public static final class Spinner {
        public static void main(String[] args) {
            long end = System.nanoTime() + 10_000_000_000L;
            long x = 0;
            while (System.nanoTime() < end) {
                x += Long.numberOfTrailingZeros(x + System.nanoTime());
            }
            System.out.println(x);
        }
    }
}
