package dev.pipeline.rpc.json;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Eight bytes at a time (one {@code long}, SWAR): whether a run of plain ASCII string content holds a byte that
 * needs a closer look. Shared by {@link JsonInput} (the fast path of a string) and {@link JsonOutput} (long ASCII
 * strings). Never a false negative; a false positive only sends the caller to its byte-by-byte loop.
 */
final class AsciiScan {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;
    private static final long QUOTES = ONES * '"';
    private static final long BACKSLASHES = ONES * '\\';
    private static final long SPACES = ONES * 0x20;
    private static final long QUESTION_MARKS = ONES * '?';

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
        long m = ((x ^ QUOTES) - ONES) | ((x ^ BACKSLASHES) - ONES) | (x - SPACES) | x;
        return (m & HIGHS) != 0;
    }

    /** Whether any of eight ASCII bytes (no high bit set) is a {@code '?'}. */
    static boolean hasQuestionMark(long ascii) {
        return (((ascii ^ QUESTION_MARKS) - ONES) & HIGHS) != 0;
    }
}
