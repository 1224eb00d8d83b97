package dev.pipeline.rpc.bench;

import dev.pipeline.rpc.bench.ComparisonResult.CpuPerCall;

import java.time.Duration;
import java.util.Optional;

/**
 * CPU time of this JVM and of the broker's process across one measured point, read from
 * {@link ProcessHandle.Info#totalCpuDuration()} (user + system time; on Linux from {@code /proc}, at clock-tick
 * resolution, which a point of a few seconds on two busy cores dwarfs).
 */
final class CpuClock {
    private final Optional<ProcessHandle> broker;
    private final long benchStart;
    private final long brokerStart;
    private final JitClock jit;

    private CpuClock(Optional<ProcessHandle> broker) {
        this.broker = broker;
        this.jit = JitClock.start(broker);
        this.benchStart = cpuNanos(Optional.of(ProcessHandle.current()));
        this.brokerStart = cpuNanos(broker);
    }

    /** Starts counting now; {@code broker} is the broker's process when it is a local one. */
    static CpuClock start(Optional<ProcessHandle> broker) {
        return new CpuClock(broker);
    }

    /** @return the CPU per call since {@link #start}, or empty when this JVM's CPU time cannot be read */
    Optional<CpuPerCall> perCall(long calls) {
        long benchEnd = cpuNanos(Optional.of(ProcessHandle.current()));
        long brokerEnd = cpuNanos(broker);
        if (calls <= 0 || benchStart < 0 || benchEnd < 0) {
            return Optional.empty();
        }
        double bench = (benchEnd - benchStart) / 1e3 / calls;
        double brokerMicros = brokerStart < 0 || brokerEnd < 0 ? Double.NaN : (brokerEnd - brokerStart) / 1e3 / calls;
        return Optional.of(new CpuPerCall(bench, brokerMicros, jit.share()));
    }

    private static long cpuNanos(Optional<ProcessHandle> process) {
        return process.flatMap(p -> p.info().totalCpuDuration()).map(Duration::toNanos).orElse(-1L);
    }
}
