package dev.pipeline.rpc.json;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes JSON values as compact UTF-8 bytes, exactly: numbers keep their text, every Unicode string round-trips
 * (an unpaired surrogate is written as its {@code \\uXXXX} escape, which survives UTF-8), and a value JSON cannot
 * express (NaN, infinities, a number whose text is not a JSON number) is refused.
 *
 * <p>It writes Gson's tree straight into a byte array, with Gson's escaping and without HTML escaping (the same
 * bytes {@code JsonWriter} with strictness STRICT, {@code htmlSafe=false} and {@code serializeNulls} wrote before,
 * at about a third of the cost: no {@code Writer}, no intermediate {@code String}, no re-encoding).
 */
public final class JsonOutput {
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NULL = {'n', 'u', 'l', 'l'};
    private static final byte[] TRUE = {'t', 'r', 'u', 'e'};
    private static final byte[] FALSE = {'f', 'a', 'l', 's', 'e'};
    /** For each ASCII character: 0 = as is, 'u' = six-character escape, else the letter after a backslash. */
    private static final byte[] ESCAPE = new byte[128];

    static {
        for (int c = 0; c < 0x20; c++) {
            ESCAPE[c] = 'u';
        }
        ESCAPE['"'] = '"';
        ESCAPE['\\'] = '\\';
        ESCAPE['\t'] = 't';
        ESCAPE['\b'] = 'b';
        ESCAPE['\n'] = 'n';
        ESCAPE['\r'] = 'r';
        ESCAPE['\f'] = 'f';
    }

    /** The scratch buffer a thread keeps between messages; a larger one (a large message's) is let go after use. */
    private static final int KEEP_BYTES = 16 * 1024;
    private static final int SCRATCH_BYTES = 1024;
    /**
     * Each thread writes into its own scratch buffer, so a message costs one allocation of its exact size (not a
     * small buffer, its doublings and a trimmed copy).
     */
    private static final ThreadLocal<JsonOutput> SCRATCH = ThreadLocal.withInitial(() -> new JsonOutput(SCRATCH_BYTES));

    private byte[] buf;
    private int len;
    private boolean inUse;

    private JsonOutput(int capacity) {
        buf = new byte[capacity];
    }

    /**
     * Writes JSON as bytes.
     *
     * @param value the value to write
     * @return {@code value} ({@code null} meaning JSON null) as compact UTF-8 JSON
     * @throws IllegalArgumentException when {@code value} holds something JSON cannot express (NaN, infinities)
     */
    public static byte[] toBytes(JsonElement value) {
        JsonOutput out = begin();
        try {
            out.value(value);
            return Arrays.copyOf(out.buf, out.len);
        } finally {
            out.end();
        }
    }

    /**
     * Writes JSON as text.
     *
     * @param value the value to write ({@code null} meaning JSON null)
     * @return {@code value} as compact JSON text; unpaired surrogates are escaped so UTF-8 encoding is lossless
     * @throws IllegalArgumentException when {@code value} holds something JSON cannot express (NaN, infinities)
     */
    public static String toText(JsonElement value) {
        JsonOutput out = begin();
        try {
            out.value(value);
            return new String(out.buf, 0, out.len, StandardCharsets.UTF_8);
        } finally {
            out.end();
        }
    }

    private static final byte[] REQUEST_HEAD = bytes("{\"jsonrpc\":\"2.0\",\"method\":");
    private static final byte[] PARAMS_MEMBER = bytes(",\"params\":");
    private static final byte[] ID_MEMBER = bytes(",\"id\":");
    private static final byte[] SUCCESS_HEAD = bytes("{\"jsonrpc\":\"2.0\",\"result\":");

    /**
     * Writes a request or notification directly.
     *
     * @param id the request's id, or {@code null} for a notification
     * @param method the method's name
     * @param params an array or an object, or {@code null} for none
     * @return the bytes {@link #toBytes} writes for {@link Messages#request Messages.request(id, method, params)},
     * without building that object first
     * @throws IllegalArgumentException when {@code id} or {@code params} hold something JSON cannot express
     */
    public static byte[] request(JsonElement id, String method, JsonElement params) {
        JsonOutput out = begin();
        try {
            out.raw(REQUEST_HEAD);
            if (method == null) {
                out.raw(NULL);
            } else {
                out.string(method);
            }
            if (params != null) {
                out.raw(PARAMS_MEMBER);
                out.value(params);
            }
            if (id != null) {
                out.raw(ID_MEMBER);
                out.value(id);
            }
            return out.closeObject();
        } finally {
            out.end();
        }
    }

    /**
     * Writes a success response directly.
     *
     * @param id the request's id
     * @param result the result
     * @return the bytes {@link #toBytes} writes for {@link Messages#success Messages.success(id, result)}, without
     * building that object first
     * @throws IllegalArgumentException when {@code result} or {@code id} hold something JSON cannot express
     */
    public static byte[] success(JsonElement id, JsonElement result) {
        JsonOutput out = begin();
        try {
            out.raw(SUCCESS_HEAD);
            out.value(result);
            out.raw(ID_MEMBER);
            out.value(id);
            return out.closeObject();
        } finally {
            out.end();
        }
    }

    /** Writes the {@code '}'} of the object being written. @return the bytes written */
    private byte[] closeObject() {
        ensure(1);
        buf[len++] = '}';
        return Arrays.copyOf(buf, len);
    }

    private static byte[] bytes(String ascii) {
        return ascii.getBytes(StandardCharsets.US_ASCII);
    }

    private static JsonOutput begin() {
        JsonOutput out = SCRATCH.get();
        if (out.inUse) {
            return new JsonOutput(128); // never expected: nothing the writer calls writes JSON itself
        }
        out.inUse = true;
        out.len = 0;
        return out;
    }

    private void end() {
        inUse = false;
        if (buf.length > KEEP_BYTES) {
            buf = new byte[SCRATCH_BYTES];
        }
    }

    // ---------------------------------------------------------------- the writer

    private void value(JsonElement e) {
        if (e == null || e.isJsonNull()) {
            raw(NULL);
        } else if (e instanceof JsonPrimitive p) {
            primitive(p);
        } else if (e instanceof JsonObject o) {
            ensure(1);
            buf[len++] = '{';
            boolean first = true;
            for (Map.Entry<String, JsonElement> m : o.entrySet()) {
                if (!first) {
                    ensure(1);
                    buf[len++] = ',';
                }
                first = false;
                string(m.getKey());
                ensure(1);
                buf[len++] = ':';
                value(m.getValue());
            }
            ensure(1);
            buf[len++] = '}';
        } else if (e instanceof JsonArray a) {
            ensure(1);
            buf[len++] = '[';
            for (int i = 0, n = a.size(); i < n; i++) {
                if (i > 0) {
                    ensure(1);
                    buf[len++] = ',';
                }
                value(a.get(i));
            }
            ensure(1);
            buf[len++] = ']';
        } else {
            throw new IllegalArgumentException("not a JSON element: " + e.getClass().getName());
        }
    }

    private void primitive(JsonPrimitive p) {
        if (p.isString()) {
            string(p.getAsString());
        } else if (p.isBoolean()) {
            raw(p.getAsBoolean() ? TRUE : FALSE);
        } else {
            ascii(numberText(p.getAsNumber()));
        }
    }

    /** The text of a number as JSON, or an exception when JSON cannot express it. */
    static String numberText(Number n) {
        if (n instanceof Integer || n instanceof Long || n instanceof Short || n instanceof Byte
                || n instanceof BigInteger || n instanceof AtomicInteger || n instanceof AtomicLong) {
            return n.toString();
        }
        if (n instanceof Double || n instanceof Float) {
            double d = n.doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                throw new IllegalArgumentException("JSON forbids NaN and infinities: " + n);
            }
            return n.toString();
        }
        if (n instanceof BigDecimal) {
            return n.toString();
        }
        String text = n.toString(); // Gson's LazilyParsedNumber (our parser's numbers) or a user's Number
        if (!isJsonNumber(text)) {
            throw new IllegalArgumentException("not a JSON number: " + text);
        }
        return text;
    }

    /** Whether {@code s} matches RFC 8259's number: {@code -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?}. */
    static boolean isJsonNumber(String s) {
        int n = s.length();
        int i = 0;
        if (i < n && s.charAt(i) == '-') {
            i++;
        }
        if (i >= n) {
            return false;
        }
        if (s.charAt(i) == '0') {
            i++;
        } else if (s.charAt(i) >= '1' && s.charAt(i) <= '9') {
            while (i < n && isDigit(s.charAt(i))) {
                i++;
            }
        } else {
            return false;
        }
        if (i < n && s.charAt(i) == '.') {
            int start = ++i;
            while (i < n && isDigit(s.charAt(i))) {
                i++;
            }
            if (i == start) {
                return false;
            }
        }
        if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            i++;
            if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
                i++;
            }
            int start = i;
            while (i < n && isDigit(s.charAt(i))) {
                i++;
            }
            if (i == start) {
                return false;
            }
        }
        return i == n;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** A quoted, escaped string as UTF-8. */
    private void string(String s) {
        int n = s.length();
        if (n >= 32) {
            // long strings: the JDK copies a Latin-1 string's bytes in one step (no scan, unlike its UTF-8 encoder);
            // a char past U+00FF becomes '?' there. When none of the bytes needs a look or is a '?' (see
            // needsEscape), the string is ASCII with nothing to escape, and those bytes are the output
            byte[] ascii = s.getBytes(StandardCharsets.ISO_8859_1);
            if (!needsEscape(ascii)) {
                ensure(n + 2);
                buf[len++] = '"';
                System.arraycopy(ascii, 0, buf, len, n);
                len += n;
                buf[len++] = '"';
                return;
            }
        }
        ensure(n + 2);
        buf[len++] = '"';
        int i = 0;
        // the common case: printable ASCII with nothing to escape, one byte per char
        for (; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x80 || ESCAPE[c] != 0) {
                break;
            }
            buf[len++] = (byte) c;
        }
        for (; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                byte esc = ESCAPE[c];
                if (esc == 0) {
                    ensure(1);
                    buf[len++] = (byte) c;
                } else if (esc == 'u') {
                    unicodeEscape(c);
                } else {
                    ensure(2);
                    buf[len++] = '\\';
                    buf[len++] = esc;
                }
            } else if (c < 0x800) {
                ensure(2);
                buf[len++] = (byte) (0xC0 | (c >> 6));
                buf[len++] = (byte) (0x80 | (c & 0x3F));
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, s.charAt(++i));
                ensure(4);
                buf[len++] = (byte) (0xF0 | (cp >> 18));
                buf[len++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                buf[len++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                buf[len++] = (byte) (0x80 | (cp & 0x3F));
            } else if (Character.isSurrogate(c) || c == '\u2028' || c == '\u2029') {
                unicodeEscape(c); // a lone surrogate cannot be UTF-8; U+2028/9 escaped as Gson does
            } else {
                ensure(3);
                buf[len++] = (byte) (0xE0 | (c >> 12));
                buf[len++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                buf[len++] = (byte) (0x80 | (c & 0x3F));
            }
        }
        ensure(1);
        buf[len++] = '"';
    }

    /**
     * Whether the bytes of {@code s.getBytes(ISO_8859_1)} need the char-by-char path: a quote, a backslash or a
     * control character to escape, a non-ASCII byte (a char from U+0080 to U+00FF), or a {@code '?'}, which is what
     * the encoder writes for any char it cannot encode (past U+00FF, surrogates included).
     */
    private static boolean needsEscape(byte[] ascii) {
        for (int i = AsciiScan.skipPlain(ascii, 0, ascii.length, true); i < ascii.length; i++) {
            byte c = ascii[i];
            if (c < 0 || c == '?' || ESCAPE[c] != 0) {
                return true;
            }
        }
        return false;
    }

    private void unicodeEscape(char c) {
        ensure(6);
        buf[len++] = '\\';
        buf[len++] = 'u';
        buf[len++] = HEX[(c >> 12) & 0xF];
        buf[len++] = HEX[(c >> 8) & 0xF];
        buf[len++] = HEX[(c >> 4) & 0xF];
        buf[len++] = HEX[c & 0xF];
    }

    private void ascii(String s) {
        int n = s.length();
        ensure(n);
        for (int i = 0; i < n; i++) {
            buf[len++] = (byte) s.charAt(i);
        }
    }

    private void raw(byte[] bytes) {
        ensure(bytes.length);
        System.arraycopy(bytes, 0, buf, len, bytes.length);
        len += bytes.length;
    }

    private void ensure(int more) {
        if (len + more > buf.length) {
            // room for what usually follows a long string (the rest of a response), so it is not copied again
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more + 256));
        }
    }
}
