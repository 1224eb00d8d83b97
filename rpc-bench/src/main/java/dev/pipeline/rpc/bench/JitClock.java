package dev.pipeline.rpc.bench;

import java.io.IOException;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Time spent compiling (JIT) by this JVM and by the broker's, across one window: on two cores every millisecond a
 * compiler thread runs is taken from the broker or the benchmark, so a point measured while the JIT is still busy
 * measures the JIT. This JVM's figure is {@link CompilationMXBean#getTotalCompilationTime()}; the broker's is the
 * CPU time of its compiler threads ({@code C1/C2 CompilerThre...}) read from {@code /proc/<pid>/task} where there
 * is one (Linux, a local broker), and absent elsewhere.
 */
final class JitClock {
    private static final CompilationMXBean COMPILER = ManagementFactory.getCompilationMXBean();
    private static final long CLOCK_TICKS_PER_SECOND = 100; // USER_HZ, 100 on every Linux we run on

    private final Optional<ProcessHandle> broker;
    private final long startNanos = System.nanoTime();
    private final long benchStart;
    private final long brokerStart;

    private JitClock(Optional<ProcessHandle> broker) {
        this.broker = broker;
        this.benchStart = benchCompileMillis();
        this.brokerStart = brokerCompilerMillis(broker);
    }

    /** Starts counting now; {@code broker} is the broker's process when it is a local one. */
    static JitClock start(Optional<ProcessHandle> broker) {
        return new JitClock(broker);
    }

    /**
     * @return the milliseconds spent compiling since {@link #start} (this JVM's, plus the broker's where readable)
     *         over the wall-clock milliseconds elapsed, or NaN when this JVM does not report its compilation time
     */
    double share() {
        long bench = benchCompileMillis();
        if (bench < 0 || benchStart < 0) {
            return Double.NaN;
        }
        long compiled = bench - benchStart;
        long brokerNow = brokerCompilerMillis(broker);
        if (brokerStart >= 0 && brokerNow >= 0) {
            compiled += brokerNow - brokerStart;
        }
        double wall = (System.nanoTime() - startNanos) / 1e6;
        return wall <= 0 ? 0 : compiled / wall;
    }

    private static long benchCompileMillis() {
        return COMPILER != null && COMPILER.isCompilationTimeMonitoringSupported()
                ? COMPILER.getTotalCompilationTime() : -1;
    }

    /** CPU ms of the process's JIT compiler threads, or -1 when it cannot be read. */
    static long brokerCompilerMillis(Optional<ProcessHandle> process) {
        if (process.isEmpty() || !process.get().isAlive()) {
            return -1;
        }
        Path tasks = Path.of("/proc", Long.toString(process.get().pid()), "task");
        if (!Files.isDirectory(tasks)) {
            return -1;
        }
        long ticks = 0;
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(tasks)) {
            for (Path task : dir) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    int open = stat.indexOf('(');
                    int close = stat.lastIndexOf(')');
                    if (open < 0 || close < open || !stat.substring(open + 1, close).contains("CompilerThre")) {
                        continue;
                    }
                    // after "pid (comm) ": state is field 3; utime and stime are fields 14 and 15
                    String[] f = stat.substring(close + 2).split(" ");
                    ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
                } catch (IOException | RuntimeException e) {
                    // the thread ended meanwhile
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return ticks * 1000 / CLOCK_TICKS_PER_SECOND;
    }
}
