package dev.pipeline.rpc.tck;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import dev.pipeline.rpc.ErrorCodes;
import dev.pipeline.rpc.RpcBatch;
import dev.pipeline.rpc.RpcClient;
import dev.pipeline.rpc.RpcException;
import dev.pipeline.rpc.RpcServer;
import dev.pipeline.rpc.spi.HandlerOutcome;
import dev.pipeline.rpc.spi.IncomingRequest;
import dev.pipeline.rpc.spi.OutgoingRequest;
import dev.pipeline.rpc.spi.ServerChannel;
import dev.pipeline.rpc.spi.ServerSettings;
import dev.pipeline.rpc.spi.Transport;
import dev.pipeline.rpc.spi.WireHeaders;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Every JSON-RPC 2.0 rule, end to end through the transport under test: through {@link RpcClient} and
 * {@link RpcServer}, and at the wire level (raw bytes sent through the transport SPI's client channel, raw bytes
 * received back), so what goes over the broker is checked exactly.
 *
 * <p>A transport module runs it with one class:
 * <pre>{@code
 * class KafkaSemanticsTest extends SemanticsSuite {
 *     @Override protected TransportFixture fixture() { return new KafkaTckFixture(); }
 * }
 * }</pre>
 */
public abstract class SemanticsSuite extends TckBase {
    /** How long the suite listens to make sure that nothing (more) arrives. */
    private static final Duration QUIET = Duration.ofMillis(500);

    private String svc;
    private String handlerSvc;
    private TckApiImpl impl;
    private RpcClient client;
    private RawClient raw;

    @Override
    void setUpClass() {
        svc = uniqueService("sem");
        handlerSvc = uniqueService("semh");
        impl = new TckApiImpl();
        RpcServer server = server();
        server.expose(svc, TckApi.class, impl);
        server.handle(handlerSvc, "describe", params -> params.named()
                ? params.get("name", String.class) + ":" + params.get("age", int.class)
                : params.get(0, String.class) + ":" + params.get(1, int.class));
        server.start();
        client = client();
        raw = rawClient();
    }

    // ----------------------------------------------------------------------------------------------- params

    /** Checks: positional params through the client. */
    @Test
    @DisplayName("positional params through the client")
    public void positionalParams() {
        assertThat(client.call(svc, "add", int.class, 2, 3)).isEqualTo(5);
        assertThat(client.call(svc, "subtract", int.class, 42, 23)).isEqualTo(19);
        assertThat(client.call(svc, "subtract", int.class, 23, 42)).isEqualTo(-19);
        assertThat(client.<TckApi.Point>call(svc, "move", TckApi.Point.class, new TckApi.Point(1, 2), 3, -4))
                .isEqualTo(new TckApi.Point(4, -2));
        assertThat(client.call(handlerSvc, "describe", String.class, "ada", 36)).isEqualTo("ada:36");
    }

    /** Checks: named params through the client, in any order. */
    @Test
    @DisplayName("named params through the client, in any order")
    public void namedParams() {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("subtrahend", 23);
        params.put("minuend", 42);
        assertThat(client.<Integer>callNamed(svc, "subtract", int.class, params)).isEqualTo(19);
        assertThat(client.<Integer>callNamed(svc, "subtract", int.class, Map.of("minuend", 23, "subtrahend", 42)))
                .isEqualTo(-19);
        assertThat(client.<String>callNamed(handlerSvc, "describe", String.class, Map.of("age", 36, "name", "ada")))
                .isEqualTo("ada:36");
    }

    /** Checks, with raw messages on the wire: the specification's positional and named examples. */
    @Test
    @DisplayName("wire: the specification's positional and named examples")
    public void rawPositionalAndNamed() {
        JsonObject r1 = response(raw.call(svc,
                "{\"jsonrpc\": \"2.0\", \"method\": \"subtract\", \"params\": [42, 23], \"id\": 1}"));
        assertThat(r1.get("result").getAsInt()).isEqualTo(19);
        assertThat(r1.get("id")).isEqualTo(new JsonPrimitive(1));
        JsonObject r2 = response(raw.call(svc,
                "{\"jsonrpc\": \"2.0\", \"method\": \"subtract\", \"params\": {\"subtrahend\": 23, \"minuend\": 42},"
                        + " \"id\": 3}"));
        assertThat(r2.get("result").getAsInt()).isEqualTo(19);
        assertThat(r2.get("id")).isEqualTo(new JsonPrimitive(3));
        JsonObject r3 = response(raw.call(svc,
                "{\"jsonrpc\":\"2.0\",\"method\":\"move\",\"params\":{\"dy\":1,\"p\":{\"x\":1,\"y\":2},\"dx\":2},"
                        + "\"id\":\"m\"}"));
        assertThat(r3.get("result")).isEqualTo(parse("{\"x\":3,\"y\":3}"));
    }

    // ----------------------------------------------------------------------------------------- notifications

    /** Checks: notifications through the client run the method. */
    @Test
    @DisplayName("notifications through the client run the method")
    public void notificationsThroughClient() {
        String token = UUID.randomUUID().toString();
        client.notify(svc, "record", token);
        await().until(() -> impl.recorded.contains(token));
    }

    /**
     * Checks, with raw messages on the wire: a notification gets no reply, ever (with or without a reply address, even
     * on error).
     *
     * @throws Exception when a step of the check fails with an exception: the test then fails
     */
    @Test
    @DisplayName("wire: a notification gets no reply, ever (with or without a reply address, even on error)")
    public void rawNotificationsGetNoReply() throws Exception {
        RawClient fresh = rawClient();
        String t1 = UUID.randomUUID().toString();
        String t2 = UUID.randomUUID().toString();
        // no reply address at all
        fresh.sendNoReply(svc, "{\"jsonrpc\":\"2.0\",\"method\":\"record\",\"params\":[\"" + t1 + "\"]}");
        // a reply address: the server still must not answer a notification
        fresh.send(svc, "{\"jsonrpc\":\"2.0\",\"method\":\"record\",\"params\":[\"" + t2 + "\"]}");
        // notifications that fail: no reply either
        fresh.send(svc, "{\"jsonrpc\":\"2.0\",\"method\":\"no-such-method\",\"params\":[1]}");
        fresh.send(svc, "{\"jsonrpc\":\"2.0\",\"method\":\"add\",\"params\":[\"x\"]}");
        fresh.send(svc, "{\"jsonrpc\":\"2.0\",\"method\":\"fail\",\"params\":[\"boom\"]}");
        await().until(() -> impl.recorded.contains(t1) && impl.recorded.contains(t2));
        String marker = fresh.send(svc, "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":[\"m\"],\"id\":1}");
        fresh.awaitReply(marker);
        Thread.sleep(QUIET.toMillis());
        fresh.assertOnlyRepliesTo(List.of(marker));
    }

    // ----------------------------------------------------------------------------------------------- batches

    /**
     * Checks, with raw messages on the wire: a mixed batch is answered with one array holding one response per request.
     */
    @Test
    @DisplayName("wire: a mixed batch is answered with one array holding one response per request")
    public void rawMixedBatch() {
        String token = UUID.randomUUID().toString();
        String cid = raw.send(svc, "["
                + "{\"jsonrpc\":\"2.0\",\"method\":\"add\",\"params\":[1,2],\"id\":\"1\"},"
                + "{\"jsonrpc\":\"2.0\",\"method\":\"record\",\"params\":[\"" + token + "\"]},"
                + "{\"jsonrpc\":\"2.0\",\"method\":\"subtract\",\"params\":[42,23],\"id\":\"2\"},"
                + "{\"foo\":\"boo\"},"
                + "{\"jsonrpc\":\"2.0\",\"method\":\"foo.get\",\"params\":{\"name\":\"myself\"},\"id\":\"5\"},"
                + "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":[\"x\"],\"id\":\"9\"}"
                + "]");
        JsonElement reply = parse(raw.awaitReply(cid));
        assertThat(reply.isJsonArray()).as("a batch reply is an array: %s", reply).isTrue();
        JsonArray arr = reply.getAsJsonArray();
        assertThat(arr).hasSize(5);
        Map<String, JsonObject> byId = new HashMap<>();
        List<JsonObject> nullIds = new ArrayList<>();
        for (JsonElement e : arr) {
            JsonObject r = response(e);
            if (r.get("id").isJsonNull()) {
                nullIds.add(r);
            } else {
                byId.put(r.get("id").getAsString(), r);
            }
        }
        assertThat(byId.keySet()).containsExactlyInAnyOrder("1", "2", "5", "9");
        assertThat(byId.get("1").get("result").getAsInt()).isEqualTo(3);
        assertThat(byId.get("2").get("result").getAsInt()).isEqualTo(19);
        assertThat(errorCode(byId.get("5"))).isEqualTo(ErrorCodes.METHOD_NOT_FOUND);
        assertThat(byId.get("9").get("result").getAsString()).isEqualTo("x");
        assertThat(nullIds).hasSize(1);
        assertThat(errorCode(nullIds.get(0))).isEqualTo(ErrorCodes.INVALID_REQUEST);
        await().until(() -> impl.recorded.contains(token));
    }

    /**
     * Checks, with raw messages on the wire: a batch of notifications only gets no reply.
     *
     * @throws Exception when a step of the check fails with an exception: the test then fails
     */
    @Test
    @DisplayName("wire: a batch of notifications only gets no reply")
    public void rawAllNotificationBatch() throws Exception {
        RawClient fresh = rawClient();
        String t1 = UUID.randomUUID().toString();
        String t2 = UUID.randomUUID().toString();
        fresh.send(svc, "[{\"jsonrpc\":\"2.0\",\"method\":\"record\",\"params\":[\"" + t1 + "\"]},"
                + "{\"jsonrpc\":\"2.0\",\"method\":\"record\",\"params\":[\"" + t2 + "\"]},"
                + "{\"jsonrpc\":\"2.0\",\"method\":\"no-such-method\"}]");
        await().until(() -> impl.recorded.contains(t1) && impl.recorded.contains(t2));
        String marker = fresh.send(svc, "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":[\"m\"],\"id\":1}");
        fresh.awaitReply(marker);
        Thread.sleep(QUIET.toMillis());
        fresh.assertOnlyRepliesTo(List.of(marker));
    }

    /** Checks, with raw messages on the wire: an empty batch is answered with one -32600 object, not an array. */
    @Test
    @DisplayName("wire: an empty batch is answered with one -32600 object, not an array")
    public void rawEmptyBatch() {
        JsonElement reply = parse(raw.call(svc, "[]"));
        JsonObject r = response(reply);
        assertThat(errorCode(r)).isEqualTo(ErrorCodes.INVALID_REQUEST);
        assertThat(r.get("id").isJsonNull()).isTrue();
    }

    /** Checks, with raw messages on the wire: each invalid element of a batch gets its own -32600. */
    @Test
    @DisplayName("wire: each invalid element of a batch gets its own -32600")
    public void rawInvalidBatchElements() {
        JsonElement reply = parse(raw.call(svc, "[1, 2, 3]"));
        assertThat(reply.isJsonArray()).as("a batch reply is an array: %s", reply).isTrue();
        assertThat(reply.getAsJsonArray()).hasSize(3);
        for (JsonElement e : reply.getAsJsonArray()) {
            JsonObject r = response(e);
            assertThat(errorCode(r)).isEqualTo(ErrorCodes.INVALID_REQUEST);
            assertThat(r.get("id").isJsonNull()).isTrue();
        }
        JsonElement single = parse(raw.call(svc, "[1]"));
        assertThat(single.isJsonArray()).as("a batch reply is an array: %s", single).isTrue();
        assertThat(errorCode(response(single.getAsJsonArray().get(0)))).isEqualTo(ErrorCodes.INVALID_REQUEST);
    }

    /** Checks, with raw messages on the wire: a batch that is not valid JSON gets one -32700. */
    @Test
    @DisplayName("wire: a batch that is not valid JSON gets one -32700")
    public void rawUnparseableBatch() {
        JsonObject r = response(raw.call(svc, "[{\"jsonrpc\": \"2.0\", \"method\": \"sum\", \"params\": [1,2,4],"
                + " \"id\": \"1\"},{\"jsonrpc\": \"2.0\", \"method\"]"));
        assertThat(errorCode(r)).isEqualTo(ErrorCodes.PARSE_ERROR);
        assertThat(r.get("id").isJsonNull()).isTrue();
    }

    /** Checks: batches through the client: each call completes on its own, notifications run. */
    @Test
    @DisplayName("batches through the client: each call completes on its own, notifications run")
    public void batchThroughClient() {
        String token = UUID.randomUUID().toString();
        RpcBatch batch = client.batch(svc);
        CompletableFuture<Integer> sum = batch.call("add", int.class, 40, 2);
        CompletableFuture<Integer> diff = batch.callNamed("subtract", int.class, Map.of("minuend", 5, "subtrahend", 7));
        CompletableFuture<String> failed = batch.call("fail", String.class, "boom");
        CompletableFuture<String> missing = batch.call("no-such-method", String.class);
        batch.notify("record", token);
        get(batch.send());
        assertThat(get(sum)).isEqualTo(42);
        assertThat(get(diff)).isEqualTo(-2);
        assertThat(failure(failed, fixture.callTimeout()).code())
                .isIn(ErrorCodes.SERVER_ERROR, ErrorCodes.INTERNAL_ERROR);
        assertThat(failure(missing, fixture.callTimeout()).code()).isEqualTo(ErrorCodes.METHOD_NOT_FOUND);
        await().until(() -> impl.recorded.contains(token));

        String t2 = UUID.randomUUID().toString();
        String t3 = UUID.randomUUID().toString();
        get(client.batch(svc).notify("record", t2).notify("record", t3).send());
        await().until(() -> impl.recorded.contains(t2) && impl.recorded.contains(t3));

        assertThatThrownBy(() -> client.batch(svc).send()).isInstanceOf(IllegalStateException.class);
    }

    // ------------------------------------------------------------------------------------------- error codes

    /** Checks, with raw messages on the wire: -32700 for invalid JSON, with id null. */
    @Test
    @DisplayName("wire: -32700 for invalid JSON, with id null")
    public void rawParseError() {
        for (String bad : List.of("{\"jsonrpc\": \"2.0\", \"method\": \"foobar, \"params\": \"bar\", \"baz]",
                "", "{", "not json at all", "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":[\"x\"],\"id\":1}}")) {
            JsonObject r = response(raw.call(svc, bad));
            assertThat(errorCode(r)).as("reply to %s", bad).isEqualTo(ErrorCodes.PARSE_ERROR);
            assertThat(r.get("id").isJsonNull()).as("id of the reply to %s", bad).isTrue();
        }
        // invalid UTF-8 is not valid JSON text
        String cid = "tck-" + UUID.randomUUID();
        raw.sendRaw(svc, new byte[]{'{', '"', (byte) 0xC3, (byte) 0x28, '"', ':', '1', '}'}, cid, 0);
        JsonObject r = response(raw.awaitReply(cid));
        assertThat(errorCode(r)).isIn(ErrorCodes.PARSE_ERROR, ErrorCodes.INVALID_REQUEST);
    }

    /** Checks, with raw messages on the wire: -32600 for anything that is not a valid request object. */
    @Test
    @DisplayName("wire: -32600 for anything that is not a valid request object")
    public void rawInvalidRequest() {
        record Case(String json, JsonElement allowedId) {
        }
        List<Case> cases = List.of(
                new Case("{\"jsonrpc\": \"2.0\", \"method\": 1, \"params\": \"bar\"}", null),
                new Case("{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":\"bar\",\"id\":7}", new JsonPrimitive(7)),
                new Case("{\"jsonrpc\":\"1.0\",\"method\":\"echo\",\"params\":[\"x\"],\"id\":8}", new JsonPrimitive(8)),
                new Case("{\"method\":\"echo\",\"params\":[\"x\"],\"id\":9}", new JsonPrimitive(9)),
                new Case("{\"jsonrpc\":\"2.0\",\"params\":[\"x\"],\"id\":10}", new JsonPrimitive(10)),
                new Case("{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":[\"x\"],\"id\":{\"a\":1}}", null),
                new Case("{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":[\"x\"],\"id\":[1]}", null),
                new Case("{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":[\"x\"],\"id\":true}", null),
                new Case("42", null),
                new Case("\"hello\"", null),
                new Case("null", null));
        for (Case c : cases) {
            JsonObject r = response(raw.call(svc, c.json()));
            assertThat(errorCode(r)).as("reply to %s", c.json()).isEqualTo(ErrorCodes.INVALID_REQUEST);
            JsonElement id = r.get("id");
            if (c.allowedId() == null) {
                assertThat(id.isJsonNull()).as("id of the reply to %s: %s", c.json(), r).isTrue();
            } else {
                assertThat(id.isJsonNull() || id.equals(c.allowedId())).as("id of the reply to %s: %s", c.json(), r)
                        .isTrue();
            }
        }
    }

    /** Checks, with raw messages on the wire: -32601 unknown method, -32602 bad params, each with the request's id. */
    @Test
    @DisplayName("wire: -32601 unknown method, -32602 bad params, each with the request's id")
    public void rawMethodAndParamErrors() {
        assertError(raw.call(svc, "{\"jsonrpc\":\"2.0\",\"method\":\"no-such-method\",\"id\":10}"),
                ErrorCodes.METHOD_NOT_FOUND, new JsonPrimitive(10));
        assertError(raw.call(svc, "{\"jsonrpc\":\"2.0\",\"method\":\"rpc.describe\",\"id\":\"r\"}"),
                ErrorCodes.METHOD_NOT_FOUND, new JsonPrimitive("r"));
        assertError(raw.call(svc, "{\"jsonrpc\":\"2.0\",\"method\":\"add\",\"params\":[\"a\",\"b\"],\"id\":11}"),
                ErrorCodes.INVALID_PARAMS, new JsonPrimitive(11));
        assertError(raw.call(svc, "{\"jsonrpc\":\"2.0\",\"method\":\"add\",\"params\":[1],\"id\":12}"),
                ErrorCodes.INVALID_PARAMS, new JsonPrimitive(12));
        assertError(raw.call(svc, "{\"jsonrpc\":\"2.0\",\"method\":\"add\",\"params\":[1,2,3],\"id\":13}"),
                ErrorCodes.INVALID_PARAMS, new JsonPrimitive(13));
        assertError(raw.call(svc, "{\"jsonrpc\":\"2.0\",\"method\":\"subtract\",\"params\":{\"minuend\":1},\"id\":14}"),
                ErrorCodes.INVALID_PARAMS, new JsonPrimitive(14));
        assertError(raw.call(svc, "{\"jsonrpc\":\"2.0\",\"method\":\"move\",\"params\":[[1,2],1,1],\"id\":15}"),
                ErrorCodes.INVALID_PARAMS, new JsonPrimitive(15));
    }

    /**
     * Checks, with raw messages on the wire: only the declared methods are callable; names are matched exactly; -32601
     * for the rest.
     */
    @Test
    @DisplayName("wire: only the declared methods are callable; names are matched exactly; -32601 for the rest")
    public void rawOnlyDeclaredMethodsAreCallable() {
        int id = 100;
        for (String method : List.of("getClass", "hashCode", "equals", "wait", "notify", "notifyAll", "toString",
                "close", "rpc.x", " rpc.x", "RPC.discover", "a.b", "add ", "Add", "add.add")) {
            String request = "{\"jsonrpc\":\"2.0\",\"method\":" + new JsonPrimitive(method) + ",\"params\":[1,2],"
                    + "\"id\":" + id + "}";
            assertError(raw.call(svc, request), ErrorCodes.METHOD_NOT_FOUND, new JsonPrimitive(id));
            id++;
        }
    }

    /** Checks, with raw messages on the wire: -32602 messages name the param and the JSON types, never Java classes. */
    @Test
    @DisplayName("wire: -32602 messages name the param and the JSON types, never Java classes")
    public void rawParamErrorsSpeakJson() {
        String[][] cases = {
                {"add", "[\"a\",1]", "param 'a'", "expected an integer, got a string"},
                {"add", "[1,3000000000]", "param 'b'", "expected an integer from -2147483648 to 2147483647"},
                {"add", "[1.5,1]", "param 'a'", "expected an integer, got 1.5"},
                {"add", "[{},1]", "param 'a'", "expected an integer, got an object"},
                {"echo", "[[1]]", "param 'text'", "expected a string, got an array"},
                {"move", "[{\"x\":\"a\",\"y\":1},1,1]", "param 'p'", "at $.x: expected an integer, got a string"},
                {"move", "[[1,2],1,1]", "param 'p'", "expected an object, got an array"},
        };
        int id = 200;
        for (String[] c : cases) {
            String text = raw.call(svc, "{\"jsonrpc\":\"2.0\",\"method\":\"" + c[0] + "\",\"params\":" + c[1]
                    + ",\"id\":" + id + "}");
            assertError(text, ErrorCodes.INVALID_PARAMS, new JsonPrimitive(id));
            String message = response(text).getAsJsonObject("error").get("message").getAsString();
            assertThat(message).as(text).contains(c[2]).contains(c[3]).doesNotContain("java.")
                    .doesNotContain("class").doesNotContain("Exception").doesNotContain("BigDecimal");
            id++;
        }
    }

    /**
     * Checks, with raw messages on the wire: exceptions become -32000/-32603, RpcExceptions keep their code and data;
     * no stack traces.
     */
    @Test
    @DisplayName("wire: exceptions become -32000/-32603, RpcExceptions keep their code and data; no stack traces")
    public void rawExceptionsMappedToErrors() {
        for (String method : List.of("fail", "failChecked", "failAsync")) {
            String text = raw.call(svc, "{\"jsonrpc\":\"2.0\",\"method\":\"" + method + "\",\"params\":[\"boom\"],"
                    + "\"id\":\"e\"}");
            JsonObject r = response(text);
            assertThat(errorCode(r)).as("%s: %s", method, text).isIn(ErrorCodes.SERVER_ERROR, ErrorCodes.INTERNAL_ERROR);
            assertThat(r.get("id")).isEqualTo(new JsonPrimitive("e"));
            assertNoStackTrace(text);
        }
        String custom = raw.call(svc,
                "{\"jsonrpc\":\"2.0\",\"method\":\"failWith\",\"params\":[-32050,\"custom\"],\"id\":1}");
        JsonObject r = response(custom);
        assertThat(errorCode(r)).isEqualTo(-32050);
        assertThat(r.getAsJsonObject("error").get("message").getAsString()).isEqualTo("custom");
        assertThat(r.getAsJsonObject("error").get("data")).isEqualTo(parse("{\"detail\":\"custom\"}"));
        assertNoStackTrace(custom);
        JsonObject app = response(raw.call(svc,
                "{\"jsonrpc\":\"2.0\",\"method\":\"failWith\",\"params\":[1001,\"application\"],\"id\":2}"));
        assertThat(errorCode(app)).isEqualTo(1001);
    }

    /** Checks: every error code through the client, as an RpcException with code, message and data. */
    @Test
    @DisplayName("every error code through the client, as an RpcException with code, message and data")
    public void errorsThroughClient() {
        assertThat(callFailure(() -> client.callAsync(svc, "no-such-method", String.class)).code())
                .isEqualTo(ErrorCodes.METHOD_NOT_FOUND);
        assertThat(callFailure(() -> client.callAsync(svc, "add", int.class, "a", "b")).code())
                .isEqualTo(ErrorCodes.INVALID_PARAMS);
        assertThat(callFailure(() -> client.callNamedAsync(svc, "subtract", int.class, Map.of("minuend", 1))).code())
                .isEqualTo(ErrorCodes.INVALID_PARAMS);
        RpcException failed = callFailure(() -> client.callAsync(svc, "fail", String.class, "boom"));
        assertThat(failed.code()).isIn(ErrorCodes.SERVER_ERROR, ErrorCodes.INTERNAL_ERROR);
        assertNoStackTrace(failed.getMessage() + " " + failed.data());
        RpcException custom = callFailure(() -> client.callAsync(svc, "failWith", String.class, -32077, "custom"));
        assertThat(custom.code()).isEqualTo(-32077);
        assertThat(custom.getMessage()).contains("custom");
        assertThat(custom.data()).isEqualTo(parse("{\"detail\":\"custom\"}"));
        // the synchronous form throws the same
        Throwable sync = catchThrowable(() -> client.call(svc, "failWith", String.class, 1001, "application"));
        assertThat(sync).isInstanceOf(RpcException.class);
        assertThat(((RpcException) sync).code()).isEqualTo(1001);
    }

    // --------------------------------------------------------------------------------------------------- ids

    /**
     * Checks, with raw messages on the wire: ids of every legal type come back exactly, big integers digit for digit,
     * null as null.
     */
    @Test
    @DisplayName("wire: ids of every legal type come back exactly, big integers digit for digit, null as null")
    public void rawIdsOfEveryType() {
        List<String> ids = List.of("\"abc\"", "\"\"", "\"ключ-😀\"", "\"1\"", "0", "-1", "7", "2147483648",
                "9007199254740993", "12345678901234567890", "-12345678901234567890",
                "123456789012345678901234567890", "1.5", "-0.25");
        for (String id : ids) {
            String text = raw.call(svc, "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":[\"x\"],\"id\":" + id + "}");
            JsonObject r = response(text);
            assertThat(r.get("result").getAsString()).isEqualTo("x");
            JsonElement got = r.get("id");
            JsonElement want = parse(id);
            assertThat(got.isJsonPrimitive()).as("id of %s", text).isTrue();
            if (want.getAsJsonPrimitive().isString()) {
                assertThat(got.getAsJsonPrimitive().isString()).as("id type of %s", text).isTrue();
                assertThat(got.getAsString()).isEqualTo(want.getAsString());
            } else {
                assertThat(got.getAsJsonPrimitive().isNumber()).as("id type of %s", text).isTrue();
                assertThat(new BigDecimal(got.getAsJsonPrimitive().getAsNumber().toString()))
                        .as("id of %s", text).isEqualByComparingTo(new BigDecimal(id));
                if (!id.contains(".")) {
                    assertThat(got.getAsJsonPrimitive().getAsNumber().toString())
                            .as("integer id %s digit for digit in %s", id, text).isEqualTo(id);
                }
            }
        }
        // id null: a request (not a notification), answered with id null
        JsonObject r = response(raw.call(svc, "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":[\"n\"],\"id\":null}"));
        assertThat(r.get("result").getAsString()).isEqualTo("n");
        assertThat(r.get("id").isJsonNull()).isTrue();
    }

    // ----------------------------------------------------------------------------------------------- unicode

    /**
     * Checks, with raw messages on the wire: Unicode, escaped and raw, including surrogate pairs and U+0000,
     * round-trips exactly.
     *
     * @throws CharacterCodingException when a reply is not valid UTF-8
     */
    @Test
    @DisplayName("wire: Unicode, escaped and raw, including surrogate pairs and \\u0000, round-trips exactly")
    public void rawUnicode() throws CharacterCodingException {
        String literal = "héllo wörld ✓ 日本語 😀 🇫🇷 \\u0000 \\ud83d\\ude00 \\u2028 \\\" \\\\ \\/ \\t";
        String expected = "héllo wörld ✓ 日本語 😀 🇫🇷 \u0000 \ud83d\ude00 \u2028 \" \\ / \t";
        String cid = "tck-" + UUID.randomUUID();
        raw.sendRaw(svc, ("{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":[\"" + literal + "\"],\"id\":\"ü\"}")
                .getBytes(StandardCharsets.UTF_8), cid, 0);
        raw.awaitReply(cid);
        byte[] body = raw.repliesFor(cid).get(0).body();
        String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body)).toString();
        JsonObject r = response(text);
        assertThat(r.get("result").getAsString()).isEqualTo(expected);
        assertThat(r.get("id").getAsString()).isEqualTo("ü");
        // the method name too
        JsonObject unknown = response(raw.call(svc, "{\"jsonrpc\":\"2.0\",\"method\":\"méthode-😀\",\"id\":1}"));
        assertThat(errorCode(unknown)).isEqualTo(ErrorCodes.METHOD_NOT_FOUND);
    }

    /** Checks: Unicode through the client, including surrogate pairs and U+0000. */
    @Test
    @DisplayName("Unicode through the client, including surrogate pairs and \\u0000")
    public void unicodeThroughClient() {
        for (String s : List.of("", "héllo wörld", "日本語テキスト", "😀🇫🇷👩‍👩‍👧", "nul\u0000inside", "\u2028\u2029",
                "quotes \" and \\ backslash", "\ud834\udd1e clef", "\t\r\n\f\b", "\u007f\u0080\u00ff\uffff")) {
            assertThat(client.call(svc, "echo", String.class, s)).isEqualTo(s);
        }
    }

    // ------------------------------------------------------------------------------------------------- sizes

    /**
     * Checks, with raw messages on the wire: a request of exactly the maximum size is carried; one byte more fails
     * clearly.
     */
    @Test
    @DisplayName("wire: a request of exactly the maximum size is carried; one byte more fails clearly")
    public void rawLargestMessage() {
        int max = maxMessageBytes();
        String prefix = "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":[\"";
        String suffix = "\"],\"id\":1}";
        int pad = max - prefix.length() - suffix.length();
        assertThat(pad).as("maximum message size %s leaves room for a request", max).isPositive();
        byte[] exact = (prefix + "a".repeat(pad) + suffix).getBytes(StandardCharsets.US_ASCII);
        assertThat(exact).hasSize(max);
        String cid = "tck-" + UUID.randomUUID();
        raw.sendRaw(svc, exact, cid, 0);
        JsonObject r = response(raw.awaitReply(cid));
        assertThat(r.has("result")).as("reply to a request of %s bytes: %s", max, abbreviate(r.toString())).isTrue();
        assertThat(r.get("result").getAsString()).hasSize(pad);

        byte[] over = (prefix + "a".repeat(pad + 1) + suffix).getBytes(StandardCharsets.US_ASCII);
        String cid2 = "tck-" + UUID.randomUUID();
        CompletableFuture<Void> sent = raw.sendAsync(svc, over, cid2, 0);
        try {
            sent.get(fixture.callTimeout().toMillis(), TimeUnit.MILLISECONDS);
            // accepted by the broker: the server must answer with an error
            JsonObject err = response(raw.awaitReply(cid2));
            assertThat(err.has("error")).as("reply to a request of %s bytes (max %s): %s", max + 1, max,
                    abbreviate(err.toString())).isTrue();
            assertThat(err.getAsJsonObject("error").get("message").getAsString()).isNotBlank();
        } catch (ExecutionException e) {
            assertThat(String.valueOf(e.getCause().getMessage())).as("why a too large message was refused")
                    .isNotBlank();
        } catch (TimeoutException e) {
            throw new AssertionError("sending a too large message neither failed nor completed");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Checks, with raw messages on the wire: a reply that grows past what the transport carries is answered -32603,
     * never a timeout.
     */
    @Test
    @DisplayName("wire: a reply that grows past what the transport carries is answered -32603, never a timeout")
    public void rawReplyLargerThanTheTransportCarries() {
        // U+2028 is 3 bytes of UTF-8 in the request and 6 bytes escaped in the reply: the reply doubles
        int max = maxMessageBytes();
        String prefix = "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":[\"";
        String suffix = "\"],\"id\":\"grow\"}";
        int chars = (max - prefix.length() - suffix.length()) / 3;
        byte[] request = (prefix + "\u2028".repeat(chars) + suffix).getBytes(StandardCharsets.UTF_8);
        assertThat(request.length).isLessThanOrEqualTo(max);
        String cid = "tck-" + UUID.randomUUID();
        raw.sendRaw(svc, request, cid, 0);
        JsonObject r = response(raw.awaitReply(cid));
        long replyBytes = 6L * chars + 40;
        if (replyBytes > caps.maxMessageBytes()) {
            assertThat(errorCode(r)).as("reply %s", abbreviate(r.toString())).isEqualTo(ErrorCodes.INTERNAL_ERROR);
            assertThat(r.getAsJsonObject("error").get("message").getAsString()).contains("exceeds");
            assertThat(r.get("id").getAsString()).isEqualTo("grow");
        } else {
            assertThat(r.get("result").getAsString()).hasSize(chars);
        }
    }

    /** Checks: large payloads through the client up to the maximum, a clear error above it. */
    @Test
    @DisplayName("large payloads through the client up to the maximum, a clear error above it")
    public void largePayloadsThroughClient() {
        int max = maxMessageBytes();
        for (int size : new int[]{1 << 10, 64 << 10, max / 2, max - 512}) {
            if (size <= 0 || size > max - 512) {
                continue;
            }
            String s = "x".repeat(size);
            assertThat(client.call(svc, "echo", String.class, s)).hasSize(size).isEqualTo(s);
        }
        String tooBig = "y".repeat(max + 1);
        RpcException e = callFailure(() -> client.callAsync(svc, "echo", String.class, tooBig));
        assertThat(e.code()).as("a too large call fails clearly instead of timing out: %s", e)
                .isNotEqualTo(ErrorCodes.TIMEOUT);
        // and the service still works
        assertThat(client.call(svc, "echo", String.class, "after")).isEqualTo("after");
    }

    // ------------------------------------------------------------------------------------ proxies and async

    /** Checks: typed proxies: synchronous methods. */
    @Test
    @DisplayName("typed proxies: synchronous methods")
    public void typedProxySync() {
        TckApi api = client.proxy(TckApi.class, svc);
        assertThat(api.add(2, 40)).isEqualTo(42);
        assertThat(api.subtract(42, 23)).isEqualTo(19);
        assertThat(api.echo("😀\u0000")).isEqualTo("😀\u0000");
        assertThat(api.move(new TckApi.Point(0, 0), 1, 2)).isEqualTo(new TckApi.Point(1, 2));
        Throwable t = catchThrowable(() -> api.fail("boom"));
        assertThat(t).isInstanceOf(RpcException.class);
        assertThat(((RpcException) t).code()).isIn(ErrorCodes.SERVER_ERROR, ErrorCodes.INTERNAL_ERROR);
        Throwable custom = catchThrowable(() -> api.failWith(-32010, "custom"));
        assertThat(custom).isInstanceOf(RpcException.class);
        assertThat(((RpcException) custom).code()).isEqualTo(-32010);
        String token = UUID.randomUUID().toString();
        api.record(token);
        await().until(() -> impl.recorded.contains(token));
    }

    /** Checks: typed proxies: CompletableFuture methods. */
    @Test
    @DisplayName("typed proxies: CompletableFuture methods")
    public void typedProxyAsync() {
        TckApi api = client.proxy(TckApi.class, svc);
        CompletableFuture<Integer> sum = api.addAsync(20, 22);
        CompletableFuture<String> echo = api.echoAsync("async 😀");
        CompletableFuture<String> failed = api.failAsync("boom");
        assertThat(get(sum)).isEqualTo(42);
        assertThat(get(echo)).isEqualTo("async 😀");
        assertThat(failure(failed, fixture.callTimeout()).code()).isIn(ErrorCodes.SERVER_ERROR,
                ErrorCodes.INTERNAL_ERROR);
    }

    /** Checks: async calls: many in flight at once, each completing with its own result. */
    @Test
    @DisplayName("async calls: many in flight at once, each completing with its own result")
    public void asyncCalls() {
        List<CompletableFuture<Integer>> calls = new ArrayList<>();
        List<CompletableFuture<Integer>> named = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            calls.add(client.callAsync(svc, "add", int.class, i, 1000));
            named.add(client.callNamedAsync(svc, "subtract", int.class, Map.of("minuend", i, "subtrahend", 1)));
        }
        for (int i = 0; i < 200; i++) {
            assertThat(get(calls.get(i))).isEqualTo(i + 1000);
            assertThat(get(named.get(i))).isEqualTo(i - 1);
        }
    }

    // ------------------------------------------------------------------------------------- transport SPI

    /**
     * Checks, through the transport SPI directly: bodies and metadata cross the broker byte for byte; no reply without
     * a reply address.
     *
     * @throws Exception when a step of the check fails with an exception: the test then fails
     */
    @Test
    @DisplayName("SPI: bodies and metadata cross the broker byte for byte; no reply without a reply address")
    public void spiCarriesBytesAndMetadataExactly() throws Exception {
        String service = uniqueService("spi");
        java.util.concurrent.BlockingQueue<IncomingRequest> seen = new java.util.concurrent.LinkedBlockingQueue<>();
        Transport transport = track(TckTransports.open(fixture));
        ServerChannel server = transport.openServer(service, new ServerSettings(16, Duration.ofSeconds(2)),
                request -> {
                    seen.add(request);
                    byte[] reply = new byte[request.body().length + 1];
                    reply[0] = (byte) 0xFF; // not JSON, not even UTF-8: a transport must not care
                    System.arraycopy(request.body(), 0, reply, 1, request.body().length);
                    return CompletableFuture.completedFuture(HandlerOutcome.reply(reply));
                });
        track(server);
        server.start();
        RawClient fresh = rawClient();

        byte[] body = new byte[4096];
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) (i * 31 + 7); // every byte value, invalid UTF-8 included
        }
        long deadline = System.currentTimeMillis() + fixture.callTimeout().toMillis() + 60_000;
        String traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        String cid = "tck-spi-" + UUID.randomUUID();
        String tracestate = "tck=v1,other=x";
        get(fresh.sendAsync(service, new OutgoingRequest(body, cid, deadline, traceparent, tracestate, 0)));
        IncomingRequest in = seen.poll(fixture.callTimeout().toMillis(), TimeUnit.MILLISECONDS);
        assertThat(in).as("the server channel received the request").isNotNull();
        assertThat(in.body()).as("request body").isEqualTo(body);
        assertThat(in.correlationId()).as(WireHeaders.RPC_ID).isEqualTo(cid);
        assertThat(in.replyTo()).as(WireHeaders.REPLY_TO).isNotBlank();
        assertThat(in.deadlineEpochMillis()).as(WireHeaders.DEADLINE).isEqualTo(deadline);
        assertThat(in.clientId()).as(WireHeaders.CLIENT).isEqualTo(fresh.clientId());
        assertThat(in.traceparent()).as(WireHeaders.TRACEPARENT).isEqualTo(traceparent);
        assertThat(in.tracestate()).as(WireHeaders.TRACESTATE).isEqualTo(tracestate);
        fresh.awaitReply(cid);
        byte[] expectedReply = new byte[body.length + 1];
        expectedReply[0] = (byte) 0xFF;
        System.arraycopy(body, 0, expectedReply, 1, body.length);
        assertThat(fresh.repliesFor(cid)).hasSize(1);
        assertThat(fresh.repliesFor(cid).get(0).body()).as("reply body").isEqualTo(expectedReply);

        // a message without correlation id: no reply address, no deadline, so nothing is sent back
        byte[] note = "no reply for me".getBytes(StandardCharsets.UTF_8);
        get(fresh.sendAsync(service, new OutgoingRequest(note, null, 0, null)));
        IncomingRequest n = seen.poll(fixture.callTimeout().toMillis(), TimeUnit.MILLISECONDS);
        assertThat(n).as("the server channel received the notification").isNotNull();
        assertThat(n.body()).isEqualTo(note);
        assertThat(n.correlationId()).as(WireHeaders.RPC_ID + " of a notification").isNull();
        assertThat(n.replyTo()).as(WireHeaders.REPLY_TO + " of a notification").isNull();
        assertThat(n.deadlineEpochMillis()).isZero();
        String marker = "tck-spi-" + UUID.randomUUID();
        get(fresh.sendAsync(service, new OutgoingRequest(new byte[]{1}, marker, 0, null)));
        fresh.awaitReply(marker);
        Thread.sleep(QUIET.toMillis());
        fresh.assertOnlyRepliesTo(List.of(cid, marker));
    }

    // --------------------------------------------------------------------------------------------- helpers

    private RpcException callFailure(java.util.function.Supplier<CompletableFuture<?>> call) {
        return failure(call.get(), fixture.callTimeout());
    }

    private static void assertError(String text, int code, JsonElement id) {
        JsonObject r = response(text);
        assertThat(errorCode(r)).as("error code in %s", text).isEqualTo(code);
        assertThat(r.get("id")).as("id in %s", text).isEqualTo(id);
        assertNoStackTrace(text);
    }

    static void assertNoStackTrace(String text) {
        assertThat(text).as("no stack trace leaked: %s", text)
                .doesNotContain(".java:")
                .doesNotContain("\tat ")
                .doesNotContain("\\tat ")
                .doesNotContain("at dev.pipeline.")
                .doesNotContain("at java.");
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...(" + s.length() + " chars)";
    }
}
