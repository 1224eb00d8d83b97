package dev.pipeline.rpc;

import dev.pipeline.rpc.spi.ClientChannel;
import dev.pipeline.rpc.spi.ClientSettings;
import dev.pipeline.rpc.spi.OutgoingRequest;
import dev.pipeline.rpc.spi.Transport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.pipeline.rpc.ServerTestSupport.assertJsonEquals;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The server behind a real transport ({@code inproc:}): the spec's examples as raw bytes through the SPI's client
 * channel, and typed calls through {@link RpcClient}.
 */
class ServerOverInprocTest {
    public record Point(int x, int y) {
    }

    public interface Calc {
        int subtract(int minuend, int subtrahend);

        CompletableFuture<Integer> addLater(int a, int b);

        BigInteger square(BigInteger n);

        Point flip(Point p);
    }

    public static final class CalcImpl implements Calc {
        final List<String> log = new CopyOnWriteArrayList<>();

        @Override
        public int subtract(int minuend, int subtrahend) {
            return minuend - subtrahend;
        }

        @Override
        public CompletableFuture<Integer> addLater(int a, int b) {
            return CompletableFuture.supplyAsync(() -> a + b);
        }

        @Override
        public BigInteger square(BigInteger n) {
            return n.multiply(n);
        }

        @Override
        public Point flip(Point p) {
            return new Point(p.y(), p.x());
        }

        public void record(String event) {
            log.add(event);
        }

        public String greet(String name, Optional<String> title) {
            return title.map(t -> t + " ").orElse("") + name;
        }

        public int boom() {
            throw new IllegalStateException("do not show this");
        }
    }

    private final String uri = "inproc:server-e2e-" + UUID.randomUUID();
    private final CalcImpl calc = new CalcImpl();
    private final List<String> notified = new CopyOnWriteArrayList<>();
    private RpcServer server;

    @BeforeEach
    void setUp() {
        server = Rpc.server(uri, ServerConfig.builder().shutdownGrace(Duration.ofSeconds(5)).build());
        server.expose("calc", calc);
        server.handle("spec", "subtract", p -> p.named()
                ? p.<Integer>get("minuend", int.class) - p.<Integer>get("subtrahend", int.class)
                : p.<Integer>get(0, int.class) - p.<Integer>get(1, int.class));
        server.handle("spec", "sum", p -> {
            long total = 0;
            for (int i = 0; i < p.size(); i++) {
                total += p.<Long>get(i, long.class);
            }
            return total;
        });
        server.handle("spec", "update", p -> notified.add("update " + p.json()));
        server.handle("spec", "notify_hello", p -> notified.add("notify_hello " + p.json()));
        server.handle("spec", "notify_sum", p -> notified.add("notify_sum " + p.json()));
        server.handle("spec", "get_data", p -> List.of("hello", 5));
        server.start();
    }

    @AfterEach
    void tearDown() {
        server.close();
    }

    /** A raw JSON-RPC speaker on the transport: sends bytes, collects replies by correlation id. */
    private static final class RawClient implements AutoCloseable {
        final Transport transport;
        final ClientChannel channel;
        final Map<String, CompletableFuture<String>> replies = new ConcurrentHashMap<>();
        final AtomicInteger ids = new AtomicInteger();

        RawClient(String uri) {
            transport = Transports.open(uri, Map.of());
            channel = transport.openClient(new ClientSettings("raw-" + UUID.randomUUID()), (id, body) ->
                    replies.computeIfAbsent(id, k -> new CompletableFuture<>())
                            .complete(new String(body, StandardCharsets.UTF_8)));
            channel.ready().join();
        }

        String call(String body) throws Exception {
            String id = "c" + ids.incrementAndGet();
            CompletableFuture<String> reply = replies.computeIfAbsent(id, k -> new CompletableFuture<>());
            channel.send("spec", new OutgoingRequest(body.getBytes(StandardCharsets.UTF_8), id, 0, null))
                    .get(10, TimeUnit.SECONDS);
            return reply.get(10, TimeUnit.SECONDS);
        }

        /** Sends with a reply address, as a client that expects a reply would; returns the correlation id. */
        String sendExpectingNothing(String body) throws Exception {
            String id = "n" + ids.incrementAndGet();
            channel.send("spec", new OutgoingRequest(body.getBytes(StandardCharsets.UTF_8), id, 0, null))
                    .get(10, TimeUnit.SECONDS);
            return id;
        }

        @Override
        public void close() {
            channel.close();
            transport.close();
        }
    }

    @Test
    void specExamplesAsRawBytesThroughTheTransport() throws Exception {
        String invalidRequest = "{\"jsonrpc\": \"2.0\", \"error\": {\"code\": -32600, \"message\": \"Invalid Request\"}, \"id\": null}";
        try (RawClient raw = new RawClient(uri)) {
            assertJsonEquals(raw.call("{\"jsonrpc\": \"2.0\", \"method\": \"subtract\", \"params\": [42, 23], \"id\": 1}"),
                    "{\"jsonrpc\": \"2.0\", \"result\": 19, \"id\": 1}");
            assertJsonEquals(raw.call("{\"jsonrpc\": \"2.0\", \"method\": \"subtract\", \"params\": [23, 42], \"id\": 2}"),
                    "{\"jsonrpc\": \"2.0\", \"result\": -19, \"id\": 2}");
            assertJsonEquals(raw.call("{\"jsonrpc\": \"2.0\", \"method\": \"subtract\", \"params\": {\"subtrahend\": 23, \"minuend\": 42}, \"id\": 3}"),
                    "{\"jsonrpc\": \"2.0\", \"result\": 19, \"id\": 3}");
            assertJsonEquals(raw.call("{\"jsonrpc\": \"2.0\", \"method\": \"subtract\", \"params\": {\"minuend\": 42, \"subtrahend\": 23}, \"id\": 4}"),
                    "{\"jsonrpc\": \"2.0\", \"result\": 19, \"id\": 4}");
            assertJsonEquals(raw.call("{\"jsonrpc\": \"2.0\", \"method\": \"foobar\", \"id\": \"1\"}"),
                    "{\"jsonrpc\": \"2.0\", \"error\": {\"code\": -32601, \"message\": \"Method not found\"}, \"id\": \"1\"}");
            assertJsonEquals(raw.call("{\"jsonrpc\": \"2.0\", \"method\": \"foobar, \"params\": \"bar\", \"baz]"),
                    "{\"jsonrpc\": \"2.0\", \"error\": {\"code\": -32700, \"message\": \"Parse error\"}, \"id\": null}");
            assertJsonEquals(raw.call("{\"jsonrpc\": \"2.0\", \"method\": 1, \"params\": \"bar\"}"), invalidRequest);
            assertJsonEquals(raw.call("[{\"jsonrpc\": \"2.0\", \"method\": \"sum\", \"params\": [1,2,4], \"id\": \"1\"},"
                                      + "{\"jsonrpc\": \"2.0\", \"method\"]"),
                    "{\"jsonrpc\": \"2.0\", \"error\": {\"code\": -32700, \"message\": \"Parse error\"}, \"id\": null}");
            assertJsonEquals(raw.call("[]"), invalidRequest);
            assertJsonEquals(raw.call("[1]"), "[" + invalidRequest + "]");
            assertJsonEquals(raw.call("[1,2,3]"), "[" + invalidRequest + "," + invalidRequest + "," + invalidRequest + "]");
            assertJsonEquals(raw.call("["
                            + "{\"jsonrpc\": \"2.0\", \"method\": \"sum\", \"params\": [1,2,4], \"id\": \"1\"},"
                            + "{\"jsonrpc\": \"2.0\", \"method\": \"notify_hello\", \"params\": [7]},"
                            + "{\"jsonrpc\": \"2.0\", \"method\": \"subtract\", \"params\": [42,23], \"id\": \"2\"},"
                            + "{\"foo\": \"boo\"},"
                            + "{\"jsonrpc\": \"2.0\", \"method\": \"foo.get\", \"params\": {\"name\": \"myself\"}, \"id\": \"5\"},"
                            + "{\"jsonrpc\": \"2.0\", \"method\": \"get_data\", \"id\": \"9\"}]"),
                    "[{\"jsonrpc\": \"2.0\", \"result\": 7, \"id\": \"1\"},"
                    + "{\"jsonrpc\": \"2.0\", \"result\": 19, \"id\": \"2\"},"
                    + invalidRequest + ","
                    + "{\"jsonrpc\": \"2.0\", \"error\": {\"code\": -32601, \"message\": \"Method not found\"}, \"id\": \"5\"},"
                    + "{\"jsonrpc\": \"2.0\", \"result\": [\"hello\", 5], \"id\": \"9\"}]");

            // notifications, even sent with a reply address, are run and never answered
            List<String> silent = List.of(
                    raw.sendExpectingNothing("{\"jsonrpc\": \"2.0\", \"method\": \"update\", \"params\": [1,2,3,4,5]}"),
                    raw.sendExpectingNothing("{\"jsonrpc\": \"2.0\", \"method\": \"foobar\"}"),
                    raw.sendExpectingNothing("[{\"jsonrpc\": \"2.0\", \"method\": \"notify_sum\", \"params\": [1,2,4]},"
                                             + "{\"jsonrpc\": \"2.0\", \"method\": \"notify_hello\", \"params\": [7]}]"));
            await().atMost(Duration.ofSeconds(10)).until(() -> notified.size() == 4);
            assertJsonEquals(raw.call("{\"jsonrpc\": \"2.0\", \"method\": \"get_data\", \"id\": 10}"),
                    "{\"jsonrpc\": \"2.0\", \"result\": [\"hello\", 5], \"id\": 10}");
            assertThat(raw.replies.keySet()).doesNotContainAnyElementsOf(silent);
            assertThat(notified).containsExactlyInAnyOrder("notify_hello [7]", "update [1,2,3,4,5]",
                    "notify_sum [1,2,4]", "notify_hello [7]");
        }
    }

    @Test
    void typedCallsThroughTheClient() {
        try (RpcClient client = Rpc.client(uri)) {
            assertThat(client.call("calc", "subtract", int.class, 42, 23)).isEqualTo(19);
            assertThat(client.<Integer>callNamed("calc", "subtract", int.class, Map.of("subtrahend", 23, "minuend", 42)))
                    .isEqualTo(19);
            assertThat(client.<Integer>callAsync("calc", "addLater", int.class, 20, 22).join()).isEqualTo(42);
            assertThat(client.call("calc", "square", BigInteger.class, new BigInteger("12345678901234567890")))
                    .isEqualTo(new BigInteger("152415787532388367501905199875019052100"));
            assertThat(client.call("calc", "flip", Point.class, new Point(1, 2))).isEqualTo(new Point(2, 1));
            assertThat(client.call("calc", "greet", String.class, "Ada")).isEqualTo("Ada");
            assertThat(client.<String>callNamed("calc", "greet", String.class, Map.of("name", "Ada", "title", "Dr")))
                    .isEqualTo("Dr Ada");

            Calc proxy = client.proxy(Calc.class, "calc");
            assertThat(proxy.subtract(5, 3)).isEqualTo(2);
            assertThat(proxy.addLater(1, 2).join()).isEqualTo(3);

            client.notify("calc", "record", "fired");
            await().atMost(Duration.ofSeconds(10)).until(() -> calc.log.contains("fired"));

            RpcBatch batch = client.batch("calc");
            CompletableFuture<Integer> a = batch.call("subtract", int.class, 10, 1);
            CompletableFuture<Point> b = batch.call("flip", Point.class, new Point(3, 4));
            CompletableFuture<Object> c = batch.call("nope", Object.class);
            batch.notify("record", "batched");
            batch.send().join();
            assertThat(a.join()).isEqualTo(9);
            assertThat(b.join()).isEqualTo(new Point(4, 3));
            assertThatThrownBy(c::join).hasCauseInstanceOf(RpcException.class)
                    .satisfies(e -> assertThat(((RpcException) e.getCause()).code()).isEqualTo(-32601));
            await().atMost(Duration.ofSeconds(10)).until(() -> calc.log.contains("batched"));
        }
    }

    @Test
    void errorsReachTheClientWithTheirCodes() {
        try (RpcClient client = Rpc.client(uri)) {
            assertThatThrownBy(() -> client.call("calc", "nope", int.class))
                    .isInstanceOf(RpcException.class)
                    .satisfies(e -> assertThat(((RpcException) e).code()).isEqualTo(ErrorCodes.METHOD_NOT_FOUND));
            assertThatThrownBy(() -> client.call("calc", "subtract", int.class, 1, "two"))
                    .isInstanceOf(RpcException.class)
                    .satisfies(e -> assertThat(((RpcException) e).code()).isEqualTo(ErrorCodes.INVALID_PARAMS))
                    .hasMessageContaining("param 'subtrahend'");
            assertThatThrownBy(() -> client.call("calc", "boom", int.class))
                    .isInstanceOf(RpcException.class)
                    .satisfies(e -> assertThat(((RpcException) e).code()).isEqualTo(ErrorCodes.SERVER_ERROR))
                    .hasMessageNotContaining("do not show this");
        }
    }
}
