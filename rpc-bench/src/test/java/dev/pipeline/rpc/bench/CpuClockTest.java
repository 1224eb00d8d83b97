package dev.pipeline.rpc.bench;

import dev.pipeline.rpc.bench.ComparisonResult.CpuPerCall;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
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
            // spin for 600 ms of this thread's CPU time, not of wall time: a loaded machine gives it less
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            long end = threads.getCurrentThreadCpuTime() + 600_000_000L;
            long x = 0;
            while (threads.getCurrentThreadCpuTime() < end) {
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
            assertThat(cpu.get().jitShare()).isBetween(0.0, 4.0); // two compiler threads per process at most, here
        } finally {
            spinner.destroyForcibly();
        }
    }

    @Test
    void readsTheJitTimeOfThisJvmAndOfAChildJvmsCompilerThreads() throws Exception {
        assertThat(JitClock.brokerCompilerMillis(Optional.empty())).isEqualTo(-1);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process spinner = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                Spinner.class.getName()).start();
        try {
            JitClock clock = JitClock.start(Optional.of(spinner.toHandle()));
            Thread.sleep(300);
            double share = clock.share();
            assertThat(share).isBetween(0.0, 4.0);
            if (Files.isDirectory(Path.of("/proc/self/task"))) { // Linux: the child's threads are read
                assertThat(JitClock.brokerCompilerMillis(Optional.of(spinner.toHandle()))).isNotNegative();
            }
        } finally {
            spinner.destroyForcibly().waitFor();
        }
        assertThat(JitClock.brokerCompilerMillis(Optional.of(spinner.toHandle()))).isEqualTo(-1); // gone
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
