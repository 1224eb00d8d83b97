package dev.pipeline.rpc.json;

import com.google.gson.JsonElement;
import dev.pipeline.rpc.Limits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonInputOutputTest {
    private static JsonElement parse(String s) throws JsonInputException {
        return JsonInput.parse(s.getBytes(StandardCharsets.UTF_8), Limits.DEFAULT);
    }

    private static String roundTrip(String s) throws JsonInputException {
        return new String(JsonOutput.toBytes(parse(s)), StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "[9007199254740993,12345678901234567890,-0,1.10,1e400,0.000000000000000000001]",
            "{\"a\":[1,{\"b\":null}],\"c\":\"x\"}",
            "\"\\u0000 and \\ud83d\\ude00 and \\ud800 lone\"",
            "[true,false,null,\"\"]",
    })
    void roundTripsExactly(String json) throws Exception {
        String once = roundTrip(json);
        assertThat(roundTrip(once)).isEqualTo(once);
        assertThat(parse(once)).isEqualTo(parse(json));
    }

    @Test
    void keepsBigNumbersDigitForDigit() throws Exception {
        assertThat(roundTrip("[9007199254740993,12345678901234567890]"))
                .isEqualTo("[9007199254740993,12345678901234567890]");
        Object big = Codec.fromJson(parse("12345678901234567890"), BigInteger.class);
        assertThat(big).isEqualTo(new BigInteger("12345678901234567890"));
        Map<String, Object> map = Codec.fromJson(parse("{\"n\":9007199254740993}"),
                com.google.gson.reflect.TypeToken.getParameterized(Map.class, String.class, Object.class).getType());
        assertThat(Codec.toJson(map).toString()).isEqualTo("{\"n\":9007199254740993}");
    }

    @Test
    void unicodeSurvivesUtf8() throws Exception {
        String s = "\u0000 \uD83D\uDE00 한국어 \uD800";
        byte[] bytes = JsonOutput.toBytes(Codec.toJson(List.of(s)));
        String back = JsonInput.parse(bytes, Limits.DEFAULT).getAsJsonArray().get(0).getAsString();
        assertThat(back).isEqualTo(s);
    }

    @Test
    void refusesTooDeepWithoutStackOverflow() {
        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        assertThatThrownBy(() -> JsonInput.parse(deep.getBytes(StandardCharsets.UTF_8), new Limits(1 << 20, 64, 10)))
                .isInstanceOf(JsonInputException.class)
                .satisfies(e -> assertThat(((JsonInputException) e).kind()).isEqualTo(JsonInputException.Kind.TOO_DEEP));
    }

    @Test
    void depthLimitIsExact() throws Exception {
        Limits limits = new Limits(1 << 20, 3, 10);
        JsonInput.parse("[[[1]]]".getBytes(StandardCharsets.UTF_8), limits);
        assertThatThrownBy(() -> JsonInput.parse("[[[[1]]]]".getBytes(StandardCharsets.UTF_8), limits))
                .isInstanceOf(JsonInputException.class);
    }

    @Test
    void refusesTooLargeBeforeParsing() {
        byte[] big = new byte[2000];
        assertThatThrownBy(() -> JsonInput.parse(big, new Limits(1000, 64, 10)))
                .isInstanceOf(JsonInputException.class)
                .satisfies(e -> assertThat(((JsonInputException) e).kind()).isEqualTo(JsonInputException.Kind.TOO_LARGE));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "{", "[1,]", "{'a':1}", "NaN", "[1] [2]", "{\"a\" 1}", "// c\n1", "\"\\x\"", "[01]"})
    void refusesInvalidJson(String json) {
        assertThatThrownBy(() -> parse(json)).isInstanceOf(JsonInputException.class)
                .satisfies(e -> assertThat(((JsonInputException) e).kind()).isEqualTo(JsonInputException.Kind.SYNTAX));
    }

    @Test
    void refusesInvalidUtf8() {
        byte[] bad = {'"', (byte) 0xC3, (byte) 0x28, '"'};
        assertThatThrownBy(() -> JsonInput.parse(bad, Limits.DEFAULT)).isInstanceOf(JsonInputException.class);
    }

    @Test
    void validatesRequestsByTheSpec() throws Exception {
        assertThat(Messages.validateRequest(parse("{\"jsonrpc\":\"2.0\",\"method\":\"m\",\"id\":null}")).request().id().isJsonNull()).isTrue();
        assertThat(Messages.validateRequest(parse("{\"jsonrpc\":\"2.0\",\"method\":\"m\"}")).request().isNotification()).isTrue();
        assertThat(Messages.validateRequest(parse("{\"jsonrpc\":\"2.0\",\"method\":1,\"params\":\"bar\"}")).valid()).isFalse();
        assertThat(Messages.validateRequest(parse("{\"jsonrpc\":\"2.0\",\"method\":\"m\",\"params\":null}")).valid()).isFalse();
        assertThat(Messages.validateRequest(parse("{\"jsonrpc\":\"2.0\",\"method\":\"m\",\"id\":{}}")).errorResponse().get("id").isJsonNull()).isTrue();
        assertThat(Messages.validateRequest(parse("{\"jsonrpc\":\"1.0\",\"method\":\"m\",\"id\":7}")).errorResponse().get("id").getAsInt()).isEqualTo(7);
        assertThat(Messages.validateRequest(parse("1")).valid()).isFalse();
    }

    @Test
    void parsesResponsesStrictly() throws Exception {
        assertThat(Messages.parseResponse(parse("{\"jsonrpc\":\"2.0\",\"result\":null,\"id\":1}")).isError()).isFalse();
        assertThat(Messages.parseResponse(parse("{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32601,\"message\":\"x\"},\"id\":null}")).error().code()).isEqualTo(-32601);
        assertThatThrownBy(() -> Messages.parseResponse(parse("{\"jsonrpc\":\"2.0\",\"result\":1,\"error\":{\"code\":1,\"message\":\"\"},\"id\":1}")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Messages.parseResponse(parse("{\"jsonrpc\":\"2.0\",\"result\":1}")))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
