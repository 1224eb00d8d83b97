package dev.pipeline.rpc.json;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.internal.LazilyParsedNumber;
import com.google.gson.stream.JsonWriter;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link JsonOutput} writes the tree itself; these check it writes what Gson's {@code JsonWriter} (strict, not
 * HTML-safe, nulls kept) wrote before, byte for byte, with lone surrogates escaped, and that it refuses what JSON
 * cannot express.
 */
class JsonOutputEquivalenceTest {

    /** The previous implementation: Gson's writer, then lone surrogates escaped. */
    static String gson(JsonElement e) throws Exception {
        StringWriter text = new StringWriter();
        JsonWriter w = new JsonWriter(text);
        w.setStrictness(Strictness.STRICT);
        w.setHtmlSafe(false);
        w.setSerializeNulls(true);
        Codec.GSON.toJson(e, w);
        String json = text.toString();
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < json.length() && Character.isLowSurrogate(json.charAt(i + 1))) {
                out.append(c).append(json.charAt(++i));
            } else if (Character.isSurrogate(c)) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    @Property(tries = 400)
    void writesWhatGsonWrote(@ForAll("trees") JsonElement tree) throws Exception {
        String expected = gson(tree);
        assertThat(JsonOutput.toText(tree)).isEqualTo(expected);
        assertThat(JsonOutput.toBytes(tree)).isEqualTo(expected.getBytes(StandardCharsets.UTF_8));
    }

    @Property(tries = 300)
    void writesRequestsAndResponsesAsTheObjectsMessagesBuilds(@ForAll("trees") JsonElement value,
                                                              @ForAll("strings") String method,
                                                              @ForAll boolean withId, @ForAll boolean withParams) {
        JsonElement id = withId ? new JsonPrimitive(method.length()) : null;
        JsonElement params = withParams ? value : null;
        assertThat(JsonOutput.request(id, method, params))
                .isEqualTo(JsonOutput.toBytes(Messages.request(id, method, params)));
        assertThat(JsonOutput.success(id, value)).isEqualTo(JsonOutput.toBytes(Messages.success(id, value)));
    }

    @Test
    void aLargeMessageThenSmallOnesOnTheSameThreadAreEachWhole() {
        JsonPrimitive big = new JsonPrimitive("y".repeat(100_000)); // grows the thread's buffer past what it keeps
        byte[] first = JsonOutput.success(new JsonPrimitive(1), big);
        assertThat(first).hasSize(100_000 + "{\"jsonrpc\":\"2.0\",\"result\":\"\",\"id\":1}".length());
        assertThat(new String(JsonOutput.success(new JsonPrimitive(2), new JsonPrimitive("z")), StandardCharsets.UTF_8))
                .isEqualTo("{\"jsonrpc\":\"2.0\",\"result\":\"z\",\"id\":2}");
        assertThatThrownBy(() -> JsonOutput.success(new JsonPrimitive(3), new JsonPrimitive(Double.NaN)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(JsonOutput.toText(new JsonPrimitive("after a refusal"))).isEqualTo("\"after a refusal\"");
    }

    @Property(tries = 300)
    void anyStringRoundTripsThroughUtf8(@ForAll("strings") String s) throws Exception {
        byte[] bytes = JsonOutput.toBytes(new JsonPrimitive(s));
        assertThat(JsonInput.parse(bytes, dev.pipeline.rpc.Limits.DEFAULT).getAsString()).isEqualTo(s);
    }

    @Test
    void escapesLikeGson() throws Exception {
        String s = "q\" b\\ \t\b\n\r\f \u0000\u001f \u007f <>&=' \u2028\u2029 é € 😀 \ud800 x \udc00";
        assertThat(JsonOutput.toText(new JsonPrimitive(s))).isEqualTo(gson(new JsonPrimitive(s)))
                .contains("\\ud800", "\\udc00", "\\u2028", "\\u0000", "\\u001f", "\\t", "<>&='");
    }

    @Test
    void aLongStringWithOneSpecialCharAnywhereIsWrittenLikeGson() throws Exception {
        // long strings take the fast path (their Latin-1 bytes copied when no byte needs a look): a char past
        // U+00FF whose low byte is plain ASCII (U+0141 -> 'A'), a Latin-1 char, a real '?', a lone surrogate, a quote
        // and a control char must each still be written exactly
        for (char special : new char[] {'\u0141', 'é', '?', '\ud800', '"', '\u0001', '\u2028'}) {
            for (int at = 0; at < 80; at++) {
                String s = "a".repeat(at) + special + "b".repeat(80 - at);
                assertThat(JsonOutput.toText(new JsonPrimitive(s))).as("U+%04x at %d", (int) special, at)
                        .isEqualTo(gson(new JsonPrimitive(s)));
                byte[] bytes = JsonOutput.toBytes(new JsonPrimitive(s));
                assertThat(JsonInput.parse(bytes, dev.pipeline.rpc.Limits.DEFAULT).getAsString()).isEqualTo(s);
            }
        }
    }

    @Test
    void longStringsAnywhereInAMessageAreWrittenLikeGson() throws Exception {
        // long strings take the fast path: several of them, as keys and values, nested, between short ones and
        // next to one that must be escaped
        String a = "a".repeat(1024);
        String b = "b".repeat(5000);
        String escaped = "c".repeat(2000) + "\n";
        JsonObject inner = new JsonObject();
        inner.addProperty(b, a);
        inner.addProperty("short", "s");
        JsonArray array = new JsonArray();
        array.add(a);
        array.add(1);
        array.add(escaped);
        array.add(inner);
        array.add(b);
        JsonObject tree = new JsonObject();
        tree.add(a, array);
        tree.addProperty("after", "x".repeat(1023));
        assertThat(JsonOutput.toText(tree)).isEqualTo(gson(tree));
        assertThat(JsonOutput.toBytes(tree)).isEqualTo(gson(tree).getBytes(StandardCharsets.UTF_8));
        assertThat(JsonOutput.request(new JsonPrimitive(7), b, array))
                .isEqualTo(JsonOutput.toBytes(Messages.request(new JsonPrimitive(7), b, array)));
        assertThat(JsonOutput.success(new JsonPrimitive(b), array))
                .isEqualTo(JsonOutput.toBytes(Messages.success(new JsonPrimitive(b), array)));
        // a refusal after a long string leaves nothing behind for the next message
        JsonArray refused = new JsonArray();
        refused.add(b);
        refused.add(Double.NaN);
        assertThatThrownBy(() -> JsonOutput.toBytes(refused)).isInstanceOf(IllegalArgumentException.class);
        assertThat(JsonOutput.toText(new JsonPrimitive("z"))).isEqualTo("\"z\"");
    }

    @Test
    void refusesWhatJsonCannotExpress() {
        assertThatThrownBy(() -> JsonOutput.toBytes(new JsonPrimitive(Double.NaN)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> JsonOutput.toBytes(new JsonPrimitive(Float.NEGATIVE_INFINITY)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> JsonOutput.toBytes(new JsonPrimitive(new LazilyParsedNumber("1.2.3"))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(JsonOutput.isJsonNumber("-0.5e+10")).isTrue();
        assertThat(JsonOutput.isJsonNumber("01")).isFalse();
        assertThat(JsonOutput.isJsonNumber("1.")).isFalse();
        assertThat(JsonOutput.isJsonNumber("1e")).isFalse();
        assertThat(JsonOutput.isJsonNumber("")).isFalse();
    }

    @Test
    void nullIsJsonNull() {
        assertThat(JsonOutput.toText(null)).isEqualTo("null");
    }

    @Provide
    Arbitrary<String> strings() {
        return Arbitraries.oneOf(Arbitraries.strings().all().ofMaxLength(40),
                Arbitraries.strings().ascii().ofMinLength(30).ofMaxLength(120),
                Arbitraries.strings().withCharRange(' ', '~').ofMinLength(30).ofMaxLength(120),
                Arbitraries.strings().withCharRange(' ', '~').ofMinLength(31).ofMaxLength(60)
                        .flatMap(base -> Arbitraries.of('\ud800', '\udfff', '?', '"', '\\', '\u0001', 'é', '\u2028')
                                .flatMap(odd -> Arbitraries.integers().between(0, base.length())
                                        .map(at -> base.substring(0, at) + odd + base.substring(at)))),
                Arbitraries.strings().withCharRange('\u0000', '\u00ff').ofMaxLength(40),
                Arbitraries.strings().withCharRange('\ud700', '\ue100').ofMaxLength(20));
    }

    @Provide
    Arbitrary<JsonElement> trees() {
        return tree(3);
    }

    private Arbitrary<JsonElement> tree(int depth) {
        Arbitrary<JsonElement> leaf = Arbitraries.oneOf(
                strings().map(s -> (JsonElement) new JsonPrimitive(s)),
                Arbitraries.integers().map(i -> (JsonElement) new JsonPrimitive(i)),
                Arbitraries.longs().map(l -> (JsonElement) new JsonPrimitive(l)),
                Arbitraries.doubles().map(d -> (JsonElement) new JsonPrimitive(d)),
                Arbitraries.bigIntegers().between(BigInteger.TEN.pow(30).negate(), BigInteger.TEN.pow(30))
                        .map(b -> (JsonElement) new JsonPrimitive(b)),
                Arbitraries.bigDecimals().between(new java.math.BigDecimal("-1e15"), new java.math.BigDecimal("1e15"))
                        .ofScale(3).map(b -> (JsonElement) new JsonPrimitive(b)),
                Arbitraries.of("0", "-1", "1.5e-7", "12345678901234567890", "9007199254740993", "-0.0E+2")
                        .map(t -> (JsonElement) new JsonPrimitive(new LazilyParsedNumber(t))),
                Arbitraries.of(true, false).map(b -> (JsonElement) new JsonPrimitive(b)),
                Arbitraries.just(JsonNull.INSTANCE));
        if (depth == 0) {
            return leaf;
        }
        Arbitrary<JsonElement> child = tree(depth - 1);
        Arbitrary<JsonElement> array = child.list().ofMaxSize(4).map(l -> {
            JsonArray a = new JsonArray();
            l.forEach(a::add);
            return a;
        });
        Arbitrary<JsonElement> object = Arbitraries.maps(strings(), child).ofMaxSize(4).map(m -> {
            JsonObject o = new JsonObject();
            m.forEach(o::add);
            return o;
        });
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(3, leaf), net.jqwik.api.Tuple.of(1, array),
                net.jqwik.api.Tuple.of(1, object));
    }

}
