package dev.pipeline.rpc.json;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Eight bytes at a time (one {@code long}, SWAR): whether a run of plain ASCII string content holds a byte that
 * needs a closer look. Shared by {@link JsonInput} (the fast path of a string) and {@link JsonOutput} (long ASCII
 * strings). Never a false negative; a false positive only sends the caller to its byte-by-byte loop.
 */
final class AsciiScan {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    static final long HIGHS = 0x8080808080808080L;
    private static final long QUOTES = ONES * '"';
    private static final long BACKSLASHES = ONES * '\\';
    private static final long SPACES = ONES * 0x20;
    private static final long QUESTION_MARKS = ONES * '?';
    /** Bytes tested word by word before a run counts as long. */
    static final int SCALAR_PREFIX = 64;
    /** Bytes left after the prefix for the run to go through {@link #skipLong}. */
    static final int LONG_RUN = 256;
    private static final int FIRST_WINDOW = 64;
    private static final int WINDOW_WORDS = 2048;
    private static final long[] ZEROS = new long[WINDOW_WORDS];
    /** Each thread's window (16 KiB), as the writer keeps a scratch buffer per thread. */
    private static final ThreadLocal<long[]> WINDOW = ThreadLocal.withInitial(() -> new long[WINDOW_WORDS]);

    private AsciiScan() {
    }

    /** The eight bytes of {@code b} from {@code i} (little-endian: byte {@code i} is the lowest). */
    static long word(byte[] b, int i) {
        return (long) LONGS.get(b, i);
    }

    /** Whether any of the eight bytes is a quote, a backslash, a control character or not ASCII. */
    static boolean needsLook(long x) {
        // a byte's high bit ends up set when it is non-ASCII (x), below 0x20 (x - 0x20), or equal to '"' or '\\'
        // (zero after the xor, so it borrows); borrows into higher bytes only add false positives
        return (look(x, false) & HIGHS) != 0;
    }

    /**
     * Skips plain string content: every byte of {@code b} from {@code from} up to the index returned needs no look
     * ({@link #needsLook}, and with {@code questionMarks} no {@code '?'} either). The index is {@code from} plus a
     * multiple of 8, at most {@code end}; the caller checks what is left byte by byte. Short runs go 32 bytes per
     * step with one test (a third faster than a test per word on 10 KB); once {@value #SCALAR_PREFIX} bytes proved
     * plain and at least {@value #LONG_RUN} more are left, the run goes through {@link #skipLong}.
     */
    static int skipPlain(byte[] b, int from, int end, boolean questionMarks) {
        int i = from;
        int prefixEnd = Math.min(end, from + SCALAR_PREFIX);
        while (i + 32 <= prefixEnd && clean32(b, i, questionMarks)) {
            i += 32;
        }
        if (i - from == SCALAR_PREFIX && end - i >= LONG_RUN) {
            i = skipLong(b, i, end, questionMarks);
        }
        while (i + 32 <= end && clean32(b, i, questionMarks)) {
            i += 32;
        }
        while (i + 8 <= end && (look(word(b, i), questionMarks) & HIGHS) == 0) {
            i += 8;
        }
        return i;
    }

    private static boolean clean32(byte[] b, int i, boolean questionMarks) {
        return ((look(word(b, i), questionMarks) | look(word(b, i + 8), questionMarks)
                | look(word(b, i + 16), questionMarks) | look(word(b, i + 24), questionMarks)) & HIGHS) == 0;
    }

    /**
     * A long run, in windows that C2 vectorizes: the window's bytes are copied into a {@code long[]} (one bulk
     * copy), each word is replaced by its look ({@link #look}, the loop over a plain {@code long[]} becomes SIMD
     * instructions, which loads from a {@code byte[]} through a view do not), and {@link Arrays#mismatch} against
     * zeros (an intrinsic) finds the first word that needs a look. About 2.3 times as fast as the word-by-word test
     * on 10 KB (JMH, docs/benchmarks.md); the JDK 17 offers no vectorized search for a range of byte values, and its
     * Vector API is an incubator module a library cannot require. Windows start at {@value #FIRST_WINDOW} words and
     * double while plain, so a special byte early in a long run costs little copying.
     *
     * @return {@code from} plus a multiple of 8: the first word that needs a look, or where fewer than 32 words are
     * left
     */
    private static int skipLong(byte[] b, int from, int end, boolean questionMarks) {
        long[] w = WINDOW.get();
        int i = from;
        int window = FIRST_WINDOW;
        while (true) {
            int words = Math.min(window, (end - i) >>> 3);
            if (words < 32) {
                return i;
            }
            ByteBuffer.wrap(b, i, words << 3).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(w, 0, words);
            if (questionMarks) {
                for (int j = 0; j < words; j++) {
                    long x = w[j];
                    w[j] = (((x ^ QUOTES) - ONES) | ((x ^ BACKSLASHES) - ONES) | (x - SPACES) | x
                            | ((x ^ QUESTION_MARKS) - ONES)) & HIGHS;
                }
            } else {
                for (int j = 0; j < words; j++) {
                    long x = w[j];
                    w[j] = (((x ^ QUOTES) - ONES) | ((x ^ BACKSLASHES) - ONES) | (x - SPACES) | x) & HIGHS;
                }
            }
            int m = Arrays.mismatch(w, 0, words, ZEROS, 0, words);
            if (m >= 0) {
                return i + (m << 3);
            }
            i += words << 3;
            window = Math.min(window << 1, WINDOW_WORDS);
        }
    }

    /** The bytes whose high bit is set need a look (see {@link #needsLook}; a '?' too, with {@code questionMarks}). */
    static long look(long x, boolean questionMarks) {
        long m = ((x ^ QUOTES) - ONES) | ((x ^ BACKSLASHES) - ONES) | (x - SPACES) | x;
        return questionMarks ? m | ((x ^ QUESTION_MARKS) - ONES) : m;
    }
}
