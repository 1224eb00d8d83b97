package dev.pipeline.rpc.json;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.internal.LazilyParsedNumber;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import dev.pipeline.rpc.Limits;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link JsonInput} parses bytes itself; these check it agrees with the parser it replaced (strict UTF-8 decoding,
 * then Gson's {@code JsonReader} in STRICT mode building the tree) on valid JSON, on JSON with whitespace anywhere,
 * and on mutated bytes: same tree, or both refuse with the same kind of error.
 */
class JsonInputEquivalenceTest {
    private static final Limits LIMITS = new Limits(1 << 20, 16, 100);

    /** The outcome of a parse: the tree, or the kind of refusal. */
    record Outcome(JsonElement tree, JsonInputException.Kind refused) {
    }

    static Outcome ours(byte[] bytes) {
        try {
            return new Outcome(JsonInput.parse(bytes, LIMITS), null);
        } catch (JsonInputException e) {
            return new Outcome(null, e.kind());
        }
    }

    /** The previous implementation, as the oracle. */
    static Outcome gson(byte[] bytes) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (Exception e) {
            return new Outcome(null, JsonInputException.Kind.SYNTAX);
        }
        try (JsonReader r = new JsonReader(new StringReader(text))) {
            r.setStrictness(Strictness.STRICT);
            r.setNestingLimit(Integer.MAX_VALUE);
            Deque<JsonElement> stack = new ArrayDeque<>();
            Deque<String> names = new ArrayDeque<>();
            JsonElement root = null;
            while (root == null) {
                JsonToken t = r.peek();
                JsonElement v;
                switch (t) {
                    case BEGIN_ARRAY, BEGIN_OBJECT -> {
                        if (stack.size() >= LIMITS.maxDepth()) {
                            return new Outcome(null, JsonInputException.Kind.TOO_DEEP);
                        }
                        JsonElement c;
                        if (t == JsonToken.BEGIN_ARRAY) {
                            r.beginArray();
                            c = new JsonArray();
                        } else {
                            r.beginObject();
                            c = new JsonObject();
                        }
                        if (!stack.isEmpty()) {
                            add(stack.peek(), names, c);
                        }
                        stack.push(c);
                        continue;
                    }
                    case END_ARRAY, END_OBJECT -> {
                        if (t == JsonToken.END_ARRAY) {
                            r.endArray();
                        } else {
                            r.endObject();
                        }
                        JsonElement done = stack.pop();
                        if (stack.isEmpty()) {
                            root = done;
                        }
                        continue;
                    }
                    case NAME -> {
                        names.push(r.nextName());
                        continue;
                    }
                    case STRING -> v = new JsonPrimitive(r.nextString());
                    case NUMBER -> v = new JsonPrimitive(new LazilyParsedNumber(r.nextString()));
                    case BOOLEAN -> v = new JsonPrimitive(r.nextBoolean());
                    case NULL -> {
                        r.nextNull();
                        v = JsonNull.INSTANCE;
                    }
                    default -> {
                        return new Outcome(null, JsonInputException.Kind.SYNTAX);
                    }
                }
                if (stack.isEmpty()) {
                    root = v;
                } else {
                    add(stack.peek(), names, v);
                }
            }
            if (r.peek() != JsonToken.END_DOCUMENT) {
                return new Outcome(null, JsonInputException.Kind.SYNTAX);
            }
            return new Outcome(root, null);
        } catch (Exception e) {
            return new Outcome(null, JsonInputException.Kind.SYNTAX);
        }
    }

    private static void add(JsonElement parent, Deque<String> names, JsonElement v) {
        if (parent instanceof JsonArray a) {
            a.add(v);
        } else {
            ((JsonObject) parent).add(names.pop(), v);
        }
    }

    @Property(tries = 500)
    void agreesOnValidJsonWithAnyWhitespace(@ForAll("texts") byte[] json) {
        Outcome expected = gson(json);
        assertThat(expected.refused()).isNull();
        assertThat(ours(json)).isEqualTo(expected);
    }

    @Property(tries = 1500, edgeCases = net.jqwik.api.EdgeCasesMode.NONE)
    void agreesOnMutatedBytes(@ForAll("mutated") byte[] bytes) {
        assertThat(ours(bytes)).isEqualTo(gson(bytes));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "[", "]", "{", "{}", "[]", "[1,]", "[,1]", "{\"a\":1,}", "{\"a\"}", "{\"a\" 1}",
            "{a:1}", "'a'", "01", "-01", "-", "1.", ".5", "1e", "1e+", "1E5", "-0.0e-0", "+1", "NaN", "Infinity",
            "tru", "truex", "nul", "null null", "[1 2]", "\"\\x\"", "\"\\u12\"", "\"\\u12G4\"", "\"a\tb\"",
            "\"\\ud800\"", "\"\\/\"", "\"é\"", "é", "[1]x", "{\"a\":1}}", "[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]",
            "{\"a\":1,\"a\":2}", "\ufeff[1]", " \n\r\t[ 1 , { \"k\" : null } ] \n"})
    void agreesOnEdgeCases(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        assertThat(ours(bytes)).isEqualTo(gson(bytes));
    }

    @org.junit.jupiter.api.Test
    void theEightByteScanMissesNothing() {
        for (int at = 0; at < 8; at++) {
            for (int v = 0; v < 256; v++) {
                byte[] block = "abcdefgh".getBytes(StandardCharsets.US_ASCII);
                block[at] = (byte) v;
                long x = java.nio.ByteBuffer.wrap(block).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
                boolean special = v == '"' || v == '\\' || v < 0x20 || v >= 0x80;
                assertThat(AsciiScan.needsLook(x)).as("byte 0x%02x at %d", v, at).isEqualTo(special);
            }
        }
    }

    @org.junit.jupiter.api.Test
    void skippingPlainContentStopsAtTheWordOfAnySpecialByte() {
        int length = 32 + 32 + 8 + 5; // two 32-byte steps, one 8-byte step, a tail left to the caller
        for (int at = 0; at < length; at++) {
            for (int v = 0; v < 256; v++) {
                byte[] text = "a".repeat(length).getBytes(StandardCharsets.US_ASCII);
                text[at] = (byte) v;
                boolean special = v == '"' || v == '\\' || v < 0x20 || v >= 0x80;
                for (boolean questionMarks : new boolean[] {false, true}) {
                    int stop = AsciiScan.skipPlain(text, 0, length, questionMarks);
                    boolean stopsBefore = special || (questionMarks && v == '?');
                    // it stops at the word of a special byte (the 32-byte step that holds it is not taken); the
                    // five bytes of the tail are the caller's
                    int expected = stopsBefore && at < length - 5 ? at / 8 * 8 : length - 5;
                    assertThat(stop).as("byte 0x%02x at %d, '?' too: %s", v, at, questionMarks).isEqualTo(expected);
                }
            }
        }
    }

    @org.junit.jupiter.api.Test
    void skippingALongRunStopsAtTheWordOfAnySpecialByteInEveryWindow() {
        // past the 64-byte prefix: windows of 64, 128 and 256 words, a rest of fewer than 32 words, a tail of five
        int length = AsciiScan.SCALAR_PREFIX + 64 * 8 + 128 * 8 + 256 * 8 + 31 * 8 + 5;
        byte[] values = {0, 0x1f, '"', '\\', '?', 0x7f, (byte) 0x80, (byte) 0xff, ' '};
        for (int from : new int[] {0, 3}) { // the run need not start at a multiple of 8 in the message
            byte[] text = new byte[from + length];
            java.util.Arrays.fill(text, (byte) 'a');
            for (int at = from; at < from + length; at++) {
                for (byte v : values) {
                    text[at] = v;
                    boolean special = v == '"' || v == '\\' || (v >= 0 && v < 0x20) || v < 0;
                    for (boolean questionMarks : new boolean[] {false, true}) {
                        int stop = AsciiScan.skipPlain(text, from, from + length, questionMarks);
                        boolean stopsBefore = special || (questionMarks && v == '?');
                        int word = (at - from) / 8 * 8;
                        int expected = from + (stopsBefore && at - from < length - 5 ? word : length - 5);
                        assertThat(stop).as("byte 0x%02x at %d from %d, '?' too: %s", v, at, from, questionMarks)
                                .isEqualTo(expected);
                    }
                }
                text[at] = 'a';
            }
        }
    }

    @Property(tries = 300)
    void agreesOnInvalidUtf8(@ForAll("utf8ish") byte[] bytes) {
        assertThat(ours(bytes)).isEqualTo(gson(bytes));
    }

    @Provide
    Arbitrary<byte[]> texts() {
        JsonOutputEquivalenceTest trees = new JsonOutputEquivalenceTest();
        return Combinators.combine(trees.trees(), Arbitraries.of("", " ", "\n", "\t ", "\r\n  "))
                .as((tree, ws) -> {
                    String compact = JsonOutput.toText(tree);
                    StringBuilder sb = new StringBuilder(ws);
                    boolean inString = false;
                    for (int i = 0; i < compact.length(); i++) {
                        char c = compact.charAt(i);
                        sb.append(c);
                        if (c == '"' && (i == 0 || compact.charAt(i - 1) != '\\' || escapedBackslash(compact, i))) {
                            inString = !inString;
                        }
                        if (!inString && (c == ',' || c == ':' || c == '[' || c == '{')) {
                            sb.append(ws);
                        }
                    }
                    return sb.append(ws).toString().getBytes(StandardCharsets.UTF_8);
                });
    }

    private static boolean escapedBackslash(String s, int quote) {
        int backslashes = 0;
        for (int i = quote - 1; i >= 0 && s.charAt(i) == '\\'; i--) {
            backslashes++;
        }
        return backslashes % 2 == 0;
    }

    @Provide
    Arbitrary<byte[]> mutated() {
        return Combinators.combine(texts(), Arbitraries.integers().between(0, 1000),
                Arbitraries.integers().between(0, 2), Arbitraries.of((byte) '"', (byte) '\\', (byte) ',', (byte) ']',
                        (byte) '}', (byte) '[', (byte) '{', (byte) ':', (byte) '0', (byte) '-', (byte) 'e', (byte) '.',
                        (byte) 'u', (byte) 0xC3, (byte) 0xA9, (byte) 0xED, (byte) 0xFF, (byte) 0x01, (byte) ' '))
                .as((json, at, op, by) -> {
                    if (json.length == 0) {
                        return json;
                    }
                    int i = at % json.length;
                    byte[] out;
                    switch (op) {
                        case 0 -> { // delete
                            out = new byte[json.length - 1];
                            System.arraycopy(json, 0, out, 0, i);
                            System.arraycopy(json, i + 1, out, i, json.length - i - 1);
                        }
                        case 1 -> { // insert
                            out = new byte[json.length + 1];
                            System.arraycopy(json, 0, out, 0, i);
                            out[i] = by;
                            System.arraycopy(json, i, out, i + 1, json.length - i);
                        }
                        default -> { // replace
                            out = json.clone();
                            out[i] = by;
                        }
                    }
                    return out;
                });
    }

    @Provide
    Arbitrary<byte[]> utf8ish() {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(6).map(inner -> {
            byte[] out = new byte[inner.length + 2];
            out[0] = '"';
            System.arraycopy(inner, 0, out, 1, inner.length);
            out[out.length - 1] = '"';
            return out;
        });
    }
}
