package dev.pipeline.rpc;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.pipeline.rpc.json.JsonInput;
import dev.pipeline.rpc.spi.ClientChannel;
import dev.pipeline.rpc.spi.ClientSettings;
import dev.pipeline.rpc.spi.OutgoingRequest;
import dev.pipeline.rpc.spi.Transport;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Client → {@code inproc:} → the real server, through the public API; and raw JSON-RPC bytes through inproc. */
class ClientServerEndToEndTest {
    private String uri;
    private RpcServer server;
    private SimpleMeterRegistry registry;
    private final List<AutoCloseable> open = new ArrayList<>();
    private final Calculator calculator = new Calculator();

    public record Point(int x, int y) {
    }

    /** The exposed service. */
    public static final class Calculator {
        final List<String> recorded = new CopyOnWriteArrayList<>();
        final CountDownLatch gate = new CountDownLatch(1);
        final Set<String> threads = ConcurrentHashMap.newKeySet();

        public int subtract(int minuend, int subtrahend) {
            return minuend - subtrahend;
        }

        public BigInteger square(BigInteger n) {
            return n.multiply(n);
        }

        public Point mirror(Point p) {
            return new Point(p.y(), p.x());
        }

        public Optional<String> maybe(boolean present) {
            return present ? Optional.of("here") : Optional.empty();
        }

        public CompletableFuture<String> later(String s) {
            return CompletableFuture.supplyAsync(() -> s + "!");
        }

        public void record(String what) {
            recorded.add(what);
        }

        public void refuse() {
            throw new RpcException(-32042, "refused", new com.google.gson.JsonPrimitive("because"));
        }

        public void crash() {
            throw new IllegalStateException("secret internal detail");
        }

        public String slow() throws InterruptedException {
            gate.await(30, TimeUnit.SECONDS);
            return "finally";
        }

        public String who(String tag) {
            threads.add(tag);
            return tag;
        }

        // section 7 of the specification
        public int sum(int a, int b, int c) {
            return a + b + c;
        }

        public void notify_hello(int n) {
            recorded.add("hello " + n);
        }

        public void update(int a, int b, int c, int d, int e) {
            recorded.add("update");
        }

        public List<Object> get_data() {
            return List.of("hello", 5);
        }
    }

    /** The same service as a typed interface. */
    public interface CalculatorApi {
        int subtract(int minuend, int subtrahend);

        CompletableFuture<String> later(String s);

        Point mirror(Point p);

        void record(String what);

        default int negate(int n) {
            return subtract(0, n);
        }
    }

    @BeforeEach
    void setUp() {
        uri = "inproc:e2e-" + UUID.randomUUID();
        registry = new SimpleMeterRegistry();
        server = Rpc.server(uri, ServerConfig.builder().shutdownGrace(Duration.ofMillis(200))
                .metrics(new MicrometerRpcMetrics(registry)).build());
        server.expose("calc", calculator);
        server.start();
    }

    @AfterEach
    void tearDown() throws Exception {
        calculator.gate.countDown();
        for (AutoCloseable c : open) {
            c.close();
        }
        server.close();
    }

    private RpcClient client() {
        RpcClient c = Rpc.client(uri, ClientConfig.builder().metrics(new MicrometerRpcMetrics(registry)).build());
        open.add(c);
        return c;
    }

    @Test
    void callsByPositionAndByName() throws Exception {
        RpcClient client = client();
        assertThat(client.call("calc", "subtract", int.class, 42, 23)).isEqualTo(19);
        int named = client.callNamed("calc", "subtract", int.class, Map.of("subtrahend", 23, "minuend", 42));
        assertThat(named).isEqualTo(19);
        CompletableFuture<Integer> async = client.callAsync("calc", "subtract", int.class, 23, 42);
        assertThat(async.get(10, TimeUnit.SECONDS)).isEqualTo(-19);
        CompletableFuture<String> later = client.callAsync("calc", "later", String.class, "x");
        assertThat(later.get(10, TimeUnit.SECONDS)).isEqualTo("x!");
    }

    @Test
    void typesRoundTrip() {
        RpcClient client = client();
        BigInteger big = new BigInteger("12345678901234567890");
        assertThat(client.call("calc", "square", BigInteger.class, big)).isEqualTo(big.multiply(big));
        assertThat(client.call("calc", "mirror", Point.class, new Point(1, 2))).isEqualTo(new Point(2, 1));
        Optional<String> present = client.call("calc", "maybe", new com.google.gson.reflect.TypeToken<Optional<String>>() {
        }.getType(), true);
        assertThat(present).contains("here");
        Optional<String> absent = client.call("calc", "maybe", new com.google.gson.reflect.TypeToken<Optional<String>>() {
        }.getType(), false);
        assertThat(absent).isEmpty();
    }

    @Test
    void errorsComeBackTyped() {
        RpcClient client = client();
        assertThatThrownBy(() -> client.call("calc", "refuse", Void.class))
                .isInstanceOfSatisfying(RpcException.class, e -> {
                    assertThat(e.code()).isEqualTo(-32042);
                    assertThat(e.getMessage()).isEqualTo("refused");
                    assertThat(e.data().getAsString()).isEqualTo("because");
                });
        assertThatThrownBy(() -> client.call("calc", "crash", Void.class))
                .isInstanceOfSatisfying(RpcException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCodes.SERVER_ERROR);
                    assertThat(e.toString()).doesNotContain("secret internal detail");
                });
        assertThatThrownBy(() -> client.call("calc", "nope", int.class))
                .isInstanceOfSatisfying(RpcException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCodes.METHOD_NOT_FOUND));
        assertThatThrownBy(() -> client.call("calc", "subtract", int.class, "a", "b"))
                .isInstanceOfSatisfying(RpcException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCodes.INVALID_PARAMS));
        assertThatThrownBy(() -> client.withTimeout(Duration.ofSeconds(60)).call("nosuchservice", "x", int.class))
                .isInstanceOfSatisfying(RpcException.class, // no instance of that service ever: said at once
                        e -> assertThat(e.code()).isEqualTo(ErrorCodes.NO_SERVER));
    }

    @Test
    void proxy() throws Exception {
        CalculatorApi api = client().proxy(CalculatorApi.class, "calc");
        assertThat(api.subtract(5, 3)).isEqualTo(2);
        assertThat(api.negate(7)).isEqualTo(-7);
        assertThat(api.later("y").get(10, TimeUnit.SECONDS)).isEqualTo("y!");
        assertThat(api.mirror(new Point(3, 4))).isEqualTo(new Point(4, 3));
        api.record("via proxy");
        assertThat(calculator.recorded).contains("via proxy");
    }

    @Test
    void notificationRunsAndIsNotAnswered() {
        RpcClient client = client();
        client.notify("calc", "record", "fire and forget");
        await().until(() -> calculator.recorded.contains("fire and forget"));
        assertThat(((DefaultRpcClient) client).pendingCount()).isZero();
        assertThat(registry.find(MicrometerRpcMetrics.CLIENT_LATE_REPLIES).counters()).isEmpty();
    }

    @Test
    void batch() throws Exception {
        RpcClient client = client();
        RpcBatch batch = client.batch("calc");
        CompletableFuture<Integer> a = batch.call("subtract", int.class, 42, 23);
        CompletableFuture<Integer> b = batch.callNamed("subtract", int.class, Map.of("minuend", 1, "subtrahend", 2));
        CompletableFuture<Integer> missing = batch.call("missing", int.class);
        batch.notify("record", "in batch");
        batch.send().get(10, TimeUnit.SECONDS);
        assertThat(a.get(10, TimeUnit.SECONDS)).isEqualTo(19);
        assertThat(b.get(10, TimeUnit.SECONDS)).isEqualTo(-1);
        assertThat(missing).failsWithin(Duration.ofSeconds(10)).withThrowableThat().havingCause()
                .isInstanceOfSatisfying(RpcException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCodes.METHOD_NOT_FOUND));
        assertThat(calculator.recorded).contains("in batch");

        client.batch("calc").notify("record", "n1").notify("record", "n2").send().get(10, TimeUnit.SECONDS);
        await().until(() -> calculator.recorded.containsAll(List.of("n1", "n2")));
        assertThat(((DefaultRpcClient) client).pendingCount()).isZero();
    }

    @Test
    void batchRefusedAsAWholeFailsEveryCallWithTheServersError() throws Exception {
        RpcServer strict = Rpc.server(uri, ServerConfig.builder().limits(new Limits(1 << 20, 64, 2)).build());
        open.add(strict);
        strict.expose("strict", new Calculator());
        strict.start();
        RpcBatch batch = client().batch("strict");
        List<CompletableFuture<Integer>> calls = List.of(batch.call("subtract", int.class, 3, 1),
                batch.call("subtract", int.class, 3, 2), batch.call("subtract", int.class, 3, 3));
        batch.send().get(10, TimeUnit.SECONDS);
        for (CompletableFuture<Integer> f : calls) {
            assertThat(f).failsWithin(Duration.ofSeconds(10)).withThrowableThat().havingCause()
                    .isInstanceOfSatisfying(RpcException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCodes.INVALID_REQUEST));
        }
    }

    @Test
    void timeoutThenLateReplyIsDroppedAndCounted() {
        RpcClient client = client().withTimeout(Duration.ofMillis(100));
        assertThatThrownBy(() -> client.call("calc", "slow", String.class)).isInstanceOf(RpcTimeoutException.class);
        calculator.gate.countDown();
        await().until(() -> registry.find(MicrometerRpcMetrics.CLIENT_LATE_REPLIES).counters().stream()
                .mapToDouble(c -> c.count()).sum() == 1);
        assertThat(registry.get(MicrometerRpcMetrics.CLIENT_TIMEOUTS).counter().count()).isEqualTo(1);
    }

    @Test
    void metricsOnBothSides() {
        RpcClient client = client();
        client.call("calc", "subtract", int.class, 2, 1);
        assertThat(registry.get(MicrometerRpcMetrics.CLIENT_CALLS).tags("service", "calc", "method", "subtract",
                "transport", "inproc", "outcome", "ok").timer().count()).isEqualTo(1);
        await().until(() -> registry.find(MicrometerRpcMetrics.SERVER_REQUESTS).tags("service", "calc",
                "transport", "inproc").timers().stream().mapToLong(t -> t.count()).sum() >= 1);
    }

    @Test
    void twoServerInstancesShareOneService() throws Exception {
        RpcServer second = Rpc.server(uri);
        open.add(second);
        Calculator other = new Calculator();
        second.expose("calc", other);
        second.start();
        RpcClient client = client();
        List<CompletableFuture<String>> calls = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            calls.add(client.callAsync("calc", "who", String.class, "c" + i));
        }
        for (CompletableFuture<String> f : calls) {
            f.get(10, TimeUnit.SECONDS);
        }
        assertThat(calculator.threads).isNotEmpty();
        assertThat(other.threads).isNotEmpty();
        assertThat(calculator.threads.size() + other.threads.size()).isEqualTo(200);
    }

    @Test
    void manyConcurrentCallers() throws Exception {
        RpcClient client = client();
        List<CompletableFuture<Integer>> calls = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            calls.add(client.callAsync("calc", "subtract", int.class, i, 1));
        }
        for (int i = 0; i < calls.size(); i++) {
            assertThat(calls.get(i).get(30, TimeUnit.SECONDS)).isEqualTo(i - 1);
        }
        assertThat(((DefaultRpcClient) client).pendingCount()).isZero();
    }

    // ------------------------------------------------------------------ section 7, as raw bytes through inproc

    private final Map<String, byte[]> rawReplies = new ConcurrentHashMap<>();

    private ClientChannel rawChannel() throws Exception {
        Transport t = Transports.open(uri, Map.of());
        open.add(t);
        ClientChannel ch = t.openClient(new ClientSettings("raw-" + UUID.randomUUID()), rawReplies::put);
        ch.ready().get(10, TimeUnit.SECONDS);
        return ch;
    }

    private JsonElement exchange(ClientChannel ch, String id, String request) throws Exception {
        ch.send("calc", new OutgoingRequest(request.getBytes(StandardCharsets.UTF_8), id, 0, null))
                .get(10, TimeUnit.SECONDS);
        await().until(() -> rawReplies.containsKey(id));
        return JsonInput.parse(rawReplies.get(id), Limits.DEFAULT);
    }

    private static void assertResult(JsonElement response, Object id, Object result) {
        JsonObject o = response.getAsJsonObject();
        assertThat(o.get("jsonrpc").getAsString()).isEqualTo("2.0");
        assertThat(o.has("error")).as("no error in %s", o).isFalse();
        assertThat(o.get("result")).isEqualTo(dev.pipeline.rpc.json.Codec.toJson(result));
        assertThat(o.get("id")).isEqualTo(dev.pipeline.rpc.json.Codec.toJson(id));
    }

    private static void assertError(JsonElement response, Object id, int code) {
        JsonObject o = response.getAsJsonObject();
        assertThat(o.get("jsonrpc").getAsString()).isEqualTo("2.0");
        assertThat(o.has("result")).as("no result in %s", o).isFalse();
        assertThat(o.getAsJsonObject("error").get("code").getAsInt()).isEqualTo(code);
        assertThat(o.getAsJsonObject("error").get("message").getAsString()).isNotEmpty();
        assertThat(o.get("id")).isEqualTo(dev.pipeline.rpc.json.Codec.toJson(id));
    }

    private static JsonObject byId(JsonArray responses, Object id) {
        JsonElement want = dev.pipeline.rpc.json.Codec.toJson(id);
        for (JsonElement e : responses) {
            if (e.getAsJsonObject().get("id").equals(want)) {
                return e.getAsJsonObject();
            }
        }
        throw new AssertionError("no response with id " + id + " in " + responses);
    }

    @Test
    void specificationSection7ExamplesThroughInproc() throws Exception {
        ClientChannel ch = rawChannel();
        assertResult(exchange(ch, "r1", "{\"jsonrpc\": \"2.0\", \"method\": \"subtract\", \"params\": [42, 23], \"id\": 1}"), 1, 19);
        assertResult(exchange(ch, "r2", "{\"jsonrpc\": \"2.0\", \"method\": \"subtract\", \"params\": [23, 42], \"id\": 2}"), 2, -19);
        assertResult(exchange(ch, "r3", "{\"jsonrpc\": \"2.0\", \"method\": \"subtract\", \"params\": {\"subtrahend\": 23, \"minuend\": 42}, \"id\": 3}"), 3, 19);
        assertResult(exchange(ch, "r4", "{\"jsonrpc\": \"2.0\", \"method\": \"subtract\", \"params\": {\"minuend\": 42, \"subtrahend\": 23}, \"id\": 4}"), 4, 19);
        // notifications: no correlation id, no reply address; their effect is visible
        ch.send("calc", new OutgoingRequest("{\"jsonrpc\": \"2.0\", \"method\": \"update\", \"params\": [1,2,3,4,5]}"
                .getBytes(StandardCharsets.UTF_8), null, 0, null)).get(10, TimeUnit.SECONDS);
        ch.send("calc", new OutgoingRequest("{\"jsonrpc\": \"2.0\", \"method\": \"foobar\"}"
                .getBytes(StandardCharsets.UTF_8), null, 0, null)).get(10, TimeUnit.SECONDS);
        await().until(() -> calculator.recorded.contains("update"));
        assertError(exchange(ch, "r5", "{\"jsonrpc\": \"2.0\", \"method\": \"foobar\", \"id\": \"1\"}"), "1", -32601);
        assertError(exchange(ch, "r6", "{\"jsonrpc\": \"2.0\", \"method\": \"foobar, \"params\": \"bar\", \"baz]"), null, -32700);
        assertError(exchange(ch, "r7", "{\"jsonrpc\": \"2.0\", \"method\": 1, \"params\": \"bar\"}"), null, -32600);
        assertError(exchange(ch, "r8", "[\n  {\"jsonrpc\": \"2.0\", \"method\": \"sum\", \"params\": [1,2,4], \"id\": \"1\"},\n  {\"jsonrpc\": \"2.0\", \"method\"\n]"), null, -32700);
        assertError(exchange(ch, "r9", "[]"), null, -32600);

        JsonArray one = exchange(ch, "r10", "[1]").getAsJsonArray();
        assertThat(one).hasSize(1);
        assertError(one.get(0), null, -32600);

        JsonArray three = exchange(ch, "r11", "[1,2,3]").getAsJsonArray();
        assertThat(three).hasSize(3);
        three.forEach(e -> assertError(e, null, -32600));

        JsonArray mixed = exchange(ch, "r12", "[\n"
                + "  {\"jsonrpc\": \"2.0\", \"method\": \"sum\", \"params\": [1,2,4], \"id\": \"1\"},\n"
                + "  {\"jsonrpc\": \"2.0\", \"method\": \"notify_hello\", \"params\": [7]},\n"
                + "  {\"jsonrpc\": \"2.0\", \"method\": \"subtract\", \"params\": [42,23], \"id\": \"2\"},\n"
                + "  {\"foo\": \"boo\"},\n"
                + "  {\"jsonrpc\": \"2.0\", \"method\": \"foo.get\", \"params\": {\"name\": \"myself\"}, \"id\": \"5\"},\n"
                + "  {\"jsonrpc\": \"2.0\", \"method\": \"get_data\", \"id\": \"9\"}\n"
                + "]").getAsJsonArray();
        assertThat(mixed).hasSize(5);
        assertResult(byId(mixed, "1"), "1", 7);
        assertResult(byId(mixed, "2"), "2", 19);
        assertError(byId(mixed, null), null, -32600);
        assertError(byId(mixed, "5"), "5", -32601);
        assertResult(byId(mixed, "9"), "9", List.of("hello", 5));
        assertThat(calculator.recorded).contains("hello 7");

        ch.send("calc", new OutgoingRequest(("[\n"
                + "  {\"jsonrpc\": \"2.0\", \"method\": \"notify_sum\", \"params\": [1,2,4]},\n"
                + "  {\"jsonrpc\": \"2.0\", \"method\": \"notify_hello\", \"params\": [8]}\n"
                + "]").getBytes(StandardCharsets.UTF_8), null, 0, null)).get(10, TimeUnit.SECONDS);
        await().until(() -> calculator.recorded.contains("hello 8"));
        // a reply to anything but our requests would have arrived under an id we did not use
        assertThat(rawReplies.keySet()).allMatch(k -> k.startsWith("r"));
    }
}
