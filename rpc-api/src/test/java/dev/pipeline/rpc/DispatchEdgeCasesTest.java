package dev.pipeline.rpc;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import dev.pipeline.rpc.json.Codec;
import dev.pipeline.rpc.json.JsonOutput;
import dev.pipeline.rpc.json.Messages;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static dev.pipeline.rpc.ServerTestSupport.assertJsonEquals;
import static dev.pipeline.rpc.ServerTestSupport.dispatch;
import static dev.pipeline.rpc.ServerTestSupport.tree;
import static org.assertj.core.api.Assertions.assertThat;

/** Edge cases of the dispatcher through the raw entry point. */
class DispatchEdgeCasesTest {
    public static class Service {
        public Object echo(Object value) {
            return value;
        }

        public String echoText(String text) {
            return text;
        }

        public BigInteger square(BigInteger n) {
            return n.multiply(n);
        }

        public BigDecimal half(BigDecimal n) {
            return n.divide(BigDecimal.valueOf(2));
        }

        public long next(long n) {
            return n + 1;
        }

        public Map<String, Object> wrap(Map<String, Object> map) {
            return Map.of("wrapped", map);
        }

        public void nothing() {
        }

        public int fail(String secret) {
            throw new IllegalStateException("secret detail " + secret);
        }

        public int failChecked() throws IOException {
            throw new IOException("disk /var/secret is full");
        }

        public int recurse(int depth) {
            return recurse(depth + 1) + 1;
        }

        public int refuse(int code) {
            throw new RpcException(code, "refused on purpose", Codec.toJson(Map.of("reason", "test", "n", 1)));
        }

        public CompletableFuture<Integer> later(int n) {
            return CompletableFuture.supplyAsync(() -> n * 2, CompletableFuture.delayedExecutor(20,
                    TimeUnit.MILLISECONDS));
        }

        public CompletionStage<String> stage(String s) {
            return CompletableFuture.completedFuture(s + "!");
        }

        public CompletableFuture<Integer> laterFail(boolean rpc) {
            return CompletableFuture.supplyAsync(() -> {
                if (rpc) {
                    throw new RpcException(-32042, "async refusal");
                }
                throw new IllegalArgumentException("async secret");
            });
        }

        public CompletableFuture<String> nullFuture() {
            return null;
        }

        public double notANumber() {
            return Double.NaN;
        }
    }

    private RpcServer server;

    @BeforeEach
    void setUp() {
        server = DefaultRpcServer.dispatchOnly(ServerConfig.builder()
                .limits(new Limits(4096, 8, 5)).concurrency(4).build());
        server.expose("s", new Service());
        server.handle("s", "nan", p -> new JsonPrimitive(Double.NaN));
    }

    @AfterEach
    void tearDown() {
        server.close();
    }

    private String call(String message) {
        return dispatch(server, "s", message);
    }

    private static String request(Object id, String method, String params) {
        return "{\"jsonrpc\":\"2.0\",\"method\":\"" + method + "\"" + (params == null ? "" : ",\"params\":" + params)
               + ",\"id\":" + id + "}";
    }

    private static JsonObject error(String reply) {
        return tree(reply).getAsJsonObject().getAsJsonObject("error");
    }

    @Test
    void bigNumbersRoundTripDigitForDigit() {
        assertThat(call(request("12345678901234567890", "echo", "[9007199254740993]")))
                .isEqualTo("{\"jsonrpc\":\"2.0\",\"result\":9007199254740993,\"id\":12345678901234567890}");
        assertThat(call(request("9007199254740993", "echo", "[12345678901234567890]")))
                .isEqualTo("{\"jsonrpc\":\"2.0\",\"result\":12345678901234567890,\"id\":9007199254740993}");
        assertThat(call(request(1, "square", "[12345678901234567890]")))
                .contains("\"result\":152415787532388367501905199875019052100");
        assertThat(call(request(1, "next", "[9007199254740992]"))).contains("\"result\":9007199254740993");
        assertThat(call(request(1, "half", "[0.1000000000000000000001]")))
                .contains("\"result\":0.05000000000000000000005");
        assertThat(call(request(1, "wrap", "[{\"n\":12345678901234567890,\"d\":1.10}]")))
                .contains("{\"wrapped\":{\"n\":12345678901234567890,\"d\":1.10}}");
        assertThat(call(request("-0.000000000000000000001e-5", "nothing", null)))
                .isEqualTo("{\"jsonrpc\":\"2.0\",\"result\":null,\"id\":-0.000000000000000000001e-5}");
    }

    @Test
    void unicodeRoundTrips() {
        String text = "nul\u0000 emoji\uD83D\uDE00 lone\uD800 rtl\u05D0 한국어 \"quoted\" back\\slash \u2028";
        String message = JsonOutput.toText(Messages.request(new JsonPrimitive("\uD83D\uDE00id\u0000"), "echoText",
                Codec.toJson(List.of(text))));
        String reply = dispatch(server, "s", message.getBytes(StandardCharsets.UTF_8));
        JsonObject response = tree(reply).getAsJsonObject();
        assertThat(response.get("result").getAsString()).isEqualTo(text);
        assertThat(response.get("id").getAsString()).isEqualTo("\uD83D\uDE00id\u0000");
    }

    @Test
    void idsAreEchoedExactly() {
        assertThat(call(request("null", "echo", "[1]"))).isEqualTo("{\"jsonrpc\":\"2.0\",\"result\":1,\"id\":null}");
        assertThat(call(request("\"abc\"", "echo", "[1]"))).endsWith("\"id\":\"abc\"}");
        assertThat(call(request("1.50", "echo", "[1]"))).endsWith("\"id\":1.50}");
        assertThat(call(request("-7", "echo", "[1]"))).endsWith("\"id\":-7}");
        assertThat(call(request("1E+3", "echo", "[1]"))).endsWith("\"id\":1E+3}");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{}", "[]", "true"})
    void invalidIdIsAnsweredWithIdNull(String id) {
        assertJsonEquals(call(request(id, "echo", "[1]")),
                "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32600,\"message\":\"Invalid Request\"},\"id\":null}");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"jsonrpc\":\"1.0\",\"method\":\"echo\",\"id\":3}",
            "{\"method\":\"echo\",\"id\":3}",
            "{\"jsonrpc\":2.0,\"method\":\"echo\",\"id\":3}",
            "{\"jsonrpc\":\"2.0\",\"id\":3}",
            "{\"jsonrpc\":\"2.0\",\"method\":null,\"id\":3}",
            "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":1,\"id\":3}",
            "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":null,\"id\":3}",
    })
    void invalidRequestsEchoTheirValidId(String message) {
        assertJsonEquals(call(message),
                "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32600,\"message\":\"Invalid Request\"},\"id\":3}");
    }

    @ParameterizedTest
    @ValueSource(strings = {"1", "\"x\"", "null", "true"})
    void nonObjectMessagesAreInvalidRequests(String message) {
        assertJsonEquals(call(message),
                "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32600,\"message\":\"Invalid Request\"},\"id\":null}");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "{", "[1,]", "{'a':1}", "NaN", "[1] [2]", "{}\uFEFF", "nul"})
    void unparseableIsParseError(String message) {
        assertJsonEquals(call(message),
                "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32700,\"message\":\"Parse error\"},\"id\":null}");
    }

    @Test
    void invalidUtf8IsParseError() {
        byte[] bad = {'{', '"', (byte) 0xC3, (byte) 0x28, '"', ':', '1', '}'};
        assertJsonEquals(dispatch(server, "s", bad),
                "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32700,\"message\":\"Parse error\"},\"id\":null}");
    }

    @Test
    void tooLargeIsInvalidRequestNamingTheLimit() {
        String reply = call(request(1, "echoText", "[\"" + "x".repeat(5000) + "\"]"));
        assertJsonEquals(reply,
                "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32600,\"message\":\"Invalid Request\"},\"id\":null}");
        assertThat(error(reply).get("message").getAsString()).contains("exceeds the limit of 4096 bytes");
    }

    @Test
    void tooDeepIsInvalidRequestNamingTheLimit() {
        String deep = "[".repeat(8) + "]".repeat(8);
        assertThat(call(request(1, "echo", "[" + "[".repeat(6) + "]".repeat(6) + "]"))).contains("\"result\"");
        String reply = call(request(1, "echo", deep));
        assertThat(error(reply).get("code").getAsInt()).isEqualTo(-32600);
        assertThat(error(reply).get("message").getAsString()).contains("nesting exceeds the limit of 8 levels");
        // very deep input within the size limit: refused without a stack overflow
        String deeper = "[".repeat(2000) + "]".repeat(2000);
        assertThat(error(call(deeper)).get("code").getAsInt()).isEqualTo(-32600);
    }

    @Test
    void batchSizeIsBounded() {
        String one = request(1, "echo", "[1]");
        assertThat(tree(call("[" + String.join(",", java.util.Collections.nCopies(5, one)) + "]"))
                .getAsJsonArray()).hasSize(5);
        String reply = call("[" + String.join(",", java.util.Collections.nCopies(6, one)) + "]");
        assertJsonEquals(reply,
                "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32600,\"message\":\"Invalid Request\"},\"id\":null}");
        assertThat(error(reply).get("message").getAsString()).contains("batch of 6 requests exceeds the limit of 5");
    }

    @Test
    void rpcExceptionBecomesItsError() {
        assertJsonEquals(call(request(7, "refuse", "[-32050]")),
                "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32050,\"message\":\"refused on purpose\","
                + "\"data\":{\"reason\":\"test\",\"n\":1}},\"id\":7}");
    }

    @Test
    void otherExceptionsDoNotLeak() {
        for (String message : List.of(request(1, "fail", "[\"xyzzy\"]"), request(1, "failChecked", "[]"),
                request(1, "laterFail", "[false]"))) {
            String reply = call(message);
            assertThat(reply).isEqualTo(
                    "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32000,\"message\":\"Server error\"},\"id\":1}");
        }
    }

    @Test
    void stackOverflowInAMethodDoesNotKillTheServer() {
        assertThat(call(request(1, "recurse", "[0]")))
                .isEqualTo("{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32000,\"message\":\"Server error\"},\"id\":1}");
        assertThat(call(request(2, "echo", "[\"still here\"]"))).contains("\"result\":\"still here\"");
    }

    @Test
    void asynchronousMethods() {
        assertThat(call(request(1, "later", "[21]"))).isEqualTo("{\"jsonrpc\":\"2.0\",\"result\":42,\"id\":1}");
        assertThat(call(request(1, "stage", "[\"hi\"]"))).contains("\"result\":\"hi!\"");
        assertThat(call(request(1, "nullFuture", "[]"))).contains("\"result\":null");
        assertJsonEquals(call(request(1, "laterFail", "[true]")),
                "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32042,\"message\":\"async refusal\"},\"id\":1}");
    }

    @Test
    void voidMethodAnswersNull() {
        assertThat(call(request(1, "nothing", null))).isEqualTo("{\"jsonrpc\":\"2.0\",\"result\":null,\"id\":1}");
        assertThat(call(request(1, "nothing", "[]"))).isEqualTo("{\"jsonrpc\":\"2.0\",\"result\":null,\"id\":1}");
        assertThat(call(request(1, "nothing", "{}"))).isEqualTo("{\"jsonrpc\":\"2.0\",\"result\":null,\"id\":1}");
    }

    @Test
    void unconvertibleResultIsInternalError() {
        assertJsonEquals(call(request(1, "notANumber", null)),
                "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32603,\"message\":\"Internal error\"},\"id\":1}");
        assertJsonEquals(call(request(1, "nan", null)),
                "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32603,\"message\":\"Internal error\"},\"id\":1}");
    }

    @Test
    void unknownServiceAndMethod() {
        String reply = dispatch(server, "nope", request(1, "echo", "[1]"));
        assertJsonEquals(reply,
                "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32601,\"message\":\"Method not found\"},\"id\":1}");
        assertThat(error(reply).get("message").getAsString()).contains("no service 'nope'");
        assertThat(error(call(request(1, "missing", null))).get("message").getAsString())
                .contains("service 's' has no method 'missing'");
        assertThat(dispatch(server, "nope", "{\"jsonrpc\":\"2.0\",\"method\":\"echo\"}")).isNull();
        assertThat(error(call(request(1, "rpc.describe", null))).get("code").getAsInt()).isEqualTo(-32601);
    }

    @Test
    void notificationsAreNeverAnsweredEvenWhenTheyFail() {
        for (String params : List.of("[\"x\"]", "[1,2,3]", "{\"zzz\":1}")) {
            assertThat(call("{\"jsonrpc\":\"2.0\",\"method\":\"fail\",\"params\":" + params + "}")).isNull();
        }
        assertThat(call("{\"jsonrpc\":\"2.0\",\"method\":\"recurse\",\"params\":[0]}")).isNull();
        assertThat(call("[{\"jsonrpc\":\"2.0\",\"method\":\"fail\",\"params\":[\"x\"]},"
                        + "{\"jsonrpc\":\"2.0\",\"method\":\"nope\"}]")).isNull();
    }

    @Test
    void batchKeepsRequestOrderWhateverTheCompletionOrder() {
        CountDownLatch release = new CountDownLatch(1);
        List<String> order = java.util.Collections.synchronizedList(new ArrayList<>());
        server.handle("s", "slow", p -> CompletableFuture.supplyAsync(() -> {
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            order.add("slow");
            return "slow";
        }));
        server.handle("s", "fast", p -> {
            order.add("fast");
            release.countDown();
            return "fast";
        });
        String reply = call("[" + request("\"a\"", "slow", null) + "," + request("\"b\"", "fast", null) + "]");
        assertThat(reply).isEqualTo("[{\"jsonrpc\":\"2.0\",\"result\":\"slow\",\"id\":\"a\"},"
                                    + "{\"jsonrpc\":\"2.0\",\"result\":\"fast\",\"id\":\"b\"}]");
        assertThat(order).containsExactly("fast", "slow");
    }

    @Test
    void batchElementsRunInParallel() {
        CountDownLatch together = new CountDownLatch(3);
        server.handle("s", "meet", p -> {
            together.countDown();
            return together.await(20, TimeUnit.SECONDS); // true only if all three ran at the same time
        });
        String reply = call("[" + request(1, "meet", null) + "," + request(2, "meet", null) + ","
                            + request(3, "meet", null) + "]");
        JsonArray responses = tree(reply).getAsJsonArray();
        assertThat(responses).hasSize(3);
        for (JsonElement r : responses) {
            assertThat(r.getAsJsonObject().get("result").getAsBoolean()).isTrue();
        }
    }

    @Test
    void everyReplyIsAValidResponse() {
        for (String message : List.of(request(1, "echo", "[1]"), request(1, "fail", "[\"x\"]"), "[1,2]", "{",
                request(1, "refuse", "[1]"))) {
            JsonElement reply = tree(call(message));
            for (JsonElement r : reply.isJsonArray() ? reply.getAsJsonArray() : List.of(reply)) {
                Messages.parseResponse(r); // throws when invalid
            }
        }
    }
}
