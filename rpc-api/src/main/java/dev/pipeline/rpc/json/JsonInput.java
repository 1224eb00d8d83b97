package dev.pipeline.rpc.json;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import com.google.gson.internal.LazilyParsedNumber;
import dev.pipeline.rpc.Limits;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Parses bytes into a {@link JsonElement} within {@link Limits}: size is checked before parsing, nesting depth while
 * parsing (iteratively, so deep input can never overflow the stack), UTF-8 strictly (no overlong forms, no encoded
 * surrogates, nothing past U+10FFFF), JSON strictly (RFC 8259: no comments, NaN, single quotes, leading zeros or
 * trailing data). Numbers keep their exact text, up to {@value #MAX_NUMBER_CHARS} characters. Duplicate object keys:
 * the last one wins. A leading UTF-8 byte order mark is ignored.
 *
 * <p>It reads the bytes directly (no decoding of the whole message to a {@code String}, no {@code Reader}): an
 * ASCII string without escapes becomes a {@code String} in one copy.
 */
public final class JsonInput {
    /**
     * The longest number accepted, in characters: enough for any value a program means (a {@code double} needs 24,
     * a 1000-bit integer 302), and a bound on the work a conversion to {@code BigInteger} can be made to do.
     */
    public static final int MAX_NUMBER_CHARS = 1024;
    private final byte[] b;
    private final int n;
    private final int maxDepth;
    private int pos;

    private JsonInput(byte[] bytes, int maxDepth) {
        this.b = bytes;
        this.n = bytes.length;
        this.maxDepth = maxDepth;
    }

    /**
     * Parses one JSON value, checking the size before it starts and the depth as it goes.
     *
     * @param bytes UTF-8 JSON text
     * @param limits the size and depth bounds
     * @return the parsed value
     * @throws JsonInputException when the input is too large, too deep, not UTF-8 or not JSON
     */
    public static JsonElement parse(byte[] bytes, Limits limits) throws JsonInputException {
        if (bytes.length > limits.maxMessageBytes()) {
            throw new JsonInputException(JsonInputException.Kind.TOO_LARGE, "message of " + bytes.length
                    + " bytes exceeds the limit of " + limits.maxMessageBytes() + " bytes");
        }
        JsonInput in = new JsonInput(bytes, limits.maxDepth());
        if (bytes.length >= 3 && (bytes[0] & 0xFF) == 0xEF && (bytes[1] & 0xFF) == 0xBB && (bytes[2] & 0xFF) == 0xBF) {
            in.pos = 3; // a UTF-8 byte order mark: RFC 8259 lets parsers ignore it (Gson's reader did)
        }
        JsonElement value = in.document();
        in.skipWhitespace();
        if (in.pos != in.n) {
            throw in.syntax("unexpected data after the JSON value");
        }
        return value;
    }

    // ---------------------------------------------------------------- structure (iterative)

    private JsonElement document() throws JsonInputException {
        JsonElement[] stack = new JsonElement[8];
        String[] names = new String[8];
        int depth = 0;
        while (true) {
            skipWhitespace();
            JsonElement value;
            if (pos >= n) {
                throw syntax("unexpected end of input");
            }
            byte c = b[pos];
            if (c == '{' || c == '[') {
                if (depth >= maxDepth) {
                    throw new JsonInputException(JsonInputException.Kind.TOO_DEEP,
                            "JSON nesting exceeds the limit of " + maxDepth + " levels");
                }
                pos++;
                if (depth == stack.length) {
                    stack = Arrays.copyOf(stack, depth * 2);
                    names = Arrays.copyOf(names, depth * 2);
                }
                skipWhitespace();
                if (c == '{') {
                    stack[depth++] = new JsonObject();
                    if (peek() == '}') {
                        pos++;
                        value = stack[--depth];
                    } else {
                        names[depth - 1] = memberName();
                        continue;
                    }
                } else {
                    stack[depth++] = new JsonArray();
                    if (peek() == ']') {
                        pos++;
                        value = stack[--depth];
                    } else {
                        continue;
                    }
                }
            } else {
                value = scalar(c);
            }
            // attach the finished value, then close every container it finishes
            while (true) {
                if (depth == 0) {
                    return value;
                }
                JsonElement parent = stack[depth - 1];
                if (parent instanceof JsonArray array) {
                    array.add(value);
                } else {
                    ((JsonObject) parent).add(names[depth - 1], value);
                }
                skipWhitespace();
                byte next = peek();
                if (next == ',') {
                    pos++;
                    if (parent instanceof JsonObject) {
                        skipWhitespace();
                        names[depth - 1] = memberName();
                    }
                    break; // the next element
                }
                if (next == (parent instanceof JsonArray ? ']' : '}')) {
                    pos++;
                    value = stack[--depth];
                    stack[depth] = null;
                    continue;
                }
                throw syntax(pos >= n ? "unexpected end of input" : "expected ',' or '"
                        + (parent instanceof JsonArray ? ']' : '}') + "'");
            }
        }
    }

    /** {@code "name"} then {@code :}; at the opening quote. */
    private String memberName() throws JsonInputException {
        if (peek() != '"') {
            throw syntax(pos >= n ? "unexpected end of input" : "expected a member name in double quotes");
        }
        String name = knownName();
        if (name == null) {
            name = string();
        }
        skipWhitespace();
        if (peek() != ':') {
            throw syntax("expected ':' after a member name");
        }
        pos++;
        return name;
    }

    /** The member names of JSON-RPC messages: read as shared constants, not a new string each time. */
    private static final String[] KNOWN_NAMES = {"jsonrpc", "id", "method", "params", "result", "error", "code",
        "message", "data"};
    private static final byte[][] KNOWN_NAME_BYTES = new byte[KNOWN_NAMES.length][];

    static {
        for (int i = 0; i < KNOWN_NAMES.length; i++) {
            KNOWN_NAME_BYTES[i] = KNOWN_NAMES[i].getBytes(StandardCharsets.US_ASCII);
        }
    }

    /** At the opening quote: a known member name (and past its closing quote), or null (nothing consumed). */
    private String knownName() {
        int from = pos + 1;
        for (int i = 0; i < KNOWN_NAME_BYTES.length; i++) {
            byte[] k = KNOWN_NAME_BYTES[i];
            int end = from + k.length;
            if (end < n && b[end] == '"' && b[from] == k[0] && Arrays.equals(b, from, end, k, 0, k.length)) {
                pos = end + 1;
                return KNOWN_NAMES[i];
            }
        }
        return null;
    }

    private JsonElement scalar(byte c) throws JsonInputException {
        switch (c) {
            case '"':
                return new JsonPrimitive(string());
            case 't':
                literal("true");
                return new JsonPrimitive(Boolean.TRUE);
            case 'f':
                literal("false");
                return new JsonPrimitive(Boolean.FALSE);
            case 'n':
                literal("null");
                return JsonNull.INSTANCE;
            default:
                if (c == '-' || (c >= '0' && c <= '9')) {
                    return new JsonPrimitive(new LazilyParsedNumber(number()));
                }
                throw syntax("unexpected character " + describe(c));
        }
    }

    private void literal(String word) throws JsonInputException {
        int len = word.length();
        if (pos + len > n) {
            throw syntax("unexpected end of input");
        }
        for (int i = 0; i < len; i++) {
            if (b[pos + i] != word.charAt(i)) {
                throw syntax("unexpected literal (expected " + word + ")");
            }
        }
        pos += len;
        endOfToken();
    }

    /** RFC 8259 number: {@code -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?}. */
    private String number() throws JsonInputException {
        int start = pos;
        if (b[pos] == '-') {
            pos++;
        }
        if (pos >= n) {
            throw syntax("unexpected end of input in a number");
        }
        if (b[pos] == '0') {
            pos++;
        } else if (b[pos] >= '1' && b[pos] <= '9') {
            while (pos < n && isDigit(b[pos])) {
                pos++;
            }
        } else {
            throw syntax("invalid number");
        }
        if (pos < n && b[pos] == '.') {
            pos++;
            if (!digits()) {
                throw syntax("invalid number: no digit after the decimal point");
            }
        }
        if (pos < n && (b[pos] == 'e' || b[pos] == 'E')) {
            pos++;
            if (pos < n && (b[pos] == '+' || b[pos] == '-')) {
                pos++;
            }
            if (!digits()) {
                throw syntax("invalid number: no digit in the exponent");
            }
        }
        endOfToken();
        if (pos - start > MAX_NUMBER_CHARS) {
            throw syntax("number of " + (pos - start) + " characters exceeds the limit of " + MAX_NUMBER_CHARS);
        }
        return new String(b, start, pos - start, StandardCharsets.ISO_8859_1);
    }

    private boolean digits() {
        int start = pos;
        while (pos < n && isDigit(b[pos])) {
            pos++;
        }
        return pos > start;
    }

    /** A scalar must be followed by whitespace, a structural character or the end. */
    private void endOfToken() throws JsonInputException {
        if (pos < n) {
            byte c = b[pos];
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != ',' && c != ']' && c != '}') {
                throw syntax("unexpected character " + describe(c));
            }
        }
    }

    // ---------------------------------------------------------------- strings

    /** A string, at its opening quote. */
    private String string() throws JsonInputException {
        int start = ++pos;
        // fast path: printable ASCII without escapes, many bytes at a time while none of them needs a look
        pos = AsciiScan.skipPlain(b, pos, n, false);
        while (pos < n) {
            byte c = b[pos];
            if (c == '"') {
                String s = new String(b, start, pos - start, StandardCharsets.ISO_8859_1);
                pos++;
                return s;
            }
            if (c == '\\' || c < 0x20) { // also every non-ASCII byte (negative)
                break;
            }
            pos++;
        }
        StringBuilder sb = new StringBuilder(pos - start + 16);
        for (int i = start; i < pos; i++) {
            sb.append((char) b[i]);
        }
        while (true) {
            if (pos >= n) {
                throw syntax("unterminated string");
            }
            int c = b[pos];
            if (c == '"') {
                pos++;
                return sb.toString();
            }
            if (c == '\\') {
                escape(sb);
            } else if (c >= 0x20) {
                sb.append((char) c);
                pos++;
            } else if (c >= 0) {
                throw syntax("unescaped control character in a string");
            } else {
                utf8(sb);
            }
        }
    }

    private void escape(StringBuilder sb) throws JsonInputException {
        if (pos + 1 >= n) {
            throw syntax("unterminated string");
        }
        byte e = b[pos + 1];
        pos += 2;
        switch (e) {
            case '"' -> sb.append('"');
            case '\\' -> sb.append('\\');
            case '/' -> sb.append('/');
            case 'b' -> sb.append('\b');
            case 'f' -> sb.append('\f');
            case 'n' -> sb.append('\n');
            case 'r' -> sb.append('\r');
            case 't' -> sb.append('\t');
            case 'u' -> {
                if (pos + 4 > n) {
                    throw syntax("unterminated \\u escape");
                }
                int v = 0;
                for (int i = 0; i < 4; i++) {
                    int h = Character.digit(b[pos + i], 16);
                    if (h < 0 || b[pos + i] < 0) {
                        throw syntax("invalid \\u escape");
                    }
                    v = (v << 4) | h;
                }
                pos += 4;
                sb.append((char) v);
            }
            default -> throw syntax("invalid escape sequence");
        }
    }

    /** One UTF-8 multi-byte sequence, strictly (RFC 3629), at its lead byte. */
    private void utf8(StringBuilder sb) throws JsonInputException {
        int lead = b[pos] & 0xFF;
        int need;
        int cp;
        int min;
        if (lead >= 0xC2 && lead <= 0xDF) {
            need = 1;
            cp = lead & 0x1F;
            min = 0x80;
        } else if (lead >= 0xE0 && lead <= 0xEF) {
            need = 2;
            cp = lead & 0x0F;
            min = 0x800;
        } else if (lead >= 0xF0 && lead <= 0xF4) {
            need = 3;
            cp = lead & 0x07;
            min = 0x10000;
        } else {
            throw notUtf8();
        }
        if (pos + need >= n) {
            throw notUtf8();
        }
        for (int i = 1; i <= need; i++) {
            int cont = b[pos + i] & 0xFF;
            if ((cont & 0xC0) != 0x80) {
                throw notUtf8();
            }
            cp = (cp << 6) | (cont & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
            throw notUtf8();
        }
        pos += need + 1;
        sb.appendCodePoint(cp);
    }

    // ---------------------------------------------------------------- helpers

    private byte peek() {
        return pos < n ? b[pos] : 0;
    }

    private void skipWhitespace() {
        while (pos < n) {
            byte c = b[pos];
            if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
                return;
            }
            pos++;
        }
    }

    private static boolean isDigit(byte c) {
        return c >= '0' && c <= '9';
    }

    private static String describe(byte c) {
        return c >= 0x20 && c < 0x7F ? "'" + (char) c + "'" : String.format("0x%02x", c & 0xFF);
    }

    private JsonInputException syntax(String what) {
        return new JsonInputException(JsonInputException.Kind.SYNTAX, "invalid JSON: " + what + " at byte " + pos);
    }

    private static JsonInputException notUtf8() {
        return new JsonInputException(JsonInputException.Kind.SYNTAX, "message is not valid UTF-8");
    }
}
