package dev.pipeline.rpc.json;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * Scans of 10 KB of plain ASCII string content, the parser's test (quote, backslash, control, non-ASCII), for
 * {@link AsciiScan#skipPlain}: a word-by-word SWAR test, the vectorized windows it
 * uses, variants that did not make it, and two yardsticks (a copy, three {@code String.indexOf}). Run:
 * {@code ./mvnw -q -pl rpc-api -Pjmh test-compile exec:exec -Djmh.args="ScanBenchmark"}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class ScanBenchmark {
    private static final long HIGHS = AsciiScan.HIGHS;

    @Param({"10240"})
    public int size;
    private byte[] data;
    private final long[] words = new long[2048];
    private final long[] zeros = new long[2048];

    @Setup
    public void setUp() {
        data = new byte[size + 16];
        Arrays.fill(data, (byte) 'x');
    }

    /** What {@link AsciiScan#skipPlain} does now. */
    @Benchmark
    public int skipPlain() {
        return AsciiScan.skipPlain(data, 1, 1 + size, false);
    }

    /** The word-by-word SWAR test alone, four words per test (the alternative to skipPlain's vectorized windows). */
    @Benchmark
    public int wordByWord() {
        int i = 1;
        int end = 1 + size;
        while (i + 32 <= end && ((look(word(i)) | look(word(i + 8)) | look(word(i + 16)) | look(word(i + 24)))
                & HIGHS) == 0) {
            i += 32;
        }
        return i;
    }

    private long word(int i) {
        return AsciiScan.word(data, i);
    }

    private static long look(long x) {
        return AsciiScan.look(x, false);
    }

    /** Bulk copy into a long[], transform in place, find the first non-zero word with Arrays.mismatch (kept). */
    @Benchmark
    public int copyTransformMismatch() {
        int n = size >>> 3;
        ByteBuffer.wrap(data, 1, n * 8).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(words, 0, n);
        long[] w = words;
        for (int j = 0; j < n; j++) {
            w[j] = look(w[j]) & HIGHS;
        }
        int m = Arrays.mismatch(w, 0, n, zeros, 0, n);
        return m < 0 ? 1 + n * 8 : 1 + m * 8;
    }

    /** VarHandle loads fused with the transform into a long[], then mismatch: C2 does not vectorize the loads. */
    @Benchmark
    public int fusedMismatch() {
        int n = size >>> 3;
        long[] w = words;
        byte[] b = data;
        for (int j = 0; j < n; j++) {
            w[j] = look(AsciiScan.word(b, 1 + 8 * j)) & HIGHS;
        }
        int m = Arrays.mismatch(w, 0, n, zeros, 0, n);
        return m < 0 ? 1 + n * 8 : 1 + m * 8;
    }

    /** Bulk copy, then an OR reduction over the long[] per block of 64 words. */
    @Benchmark
    public int copyReduce() {
        int n = size >>> 3;
        ByteBuffer.wrap(data, 1, n * 8).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(words, 0, n);
        long[] w = words;
        long acc = 0;
        for (int j = 0; j < n; j++) {
            acc |= look(w[j]);
        }
        return (acc & HIGHS) == 0 ? 1 + n * 8 : 1;
    }

    /** A Latin-1 String's vectorized indexOf for three chars (the yardstick). */
    private String text;

    @Setup
    public void text() {
        text = "x".repeat(size);
    }

    @Benchmark
    public int indexOf3() {
        return text.indexOf('"') + text.indexOf('\\') + text.indexOf('?');
    }

    @Benchmark
    public byte[] copy() {
        return Arrays.copyOfRange(data, 1, 1 + size);
    }
}
