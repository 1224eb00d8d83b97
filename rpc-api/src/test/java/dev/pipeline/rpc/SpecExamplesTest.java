package dev.pipeline.rpc;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static dev.pipeline.rpc.ServerTestSupport.assertJsonEquals;
import static dev.pipeline.rpc.ServerTestSupport.dispatch;
import static org.assertj.core.api.Assertions.assertThat;

/** Every example of section 7 of the JSON-RPC 2.0 specification, through the raw entry point. */
class SpecExamplesTest {
    /** The spec's subtract, exposed as a plain object (named params use the -parameters names). */
    public static final class Arithmetic {
        public int subtract(int minuend, int subtrahend) {
            return minuend - subtrahend;
        }
    }

    private final List<String> notified = new CopyOnWriteArrayList<>();
    private RpcServer server;

    @BeforeEach
    void setUp() {
        server = DefaultRpcServer.dispatchOnly(ServerConfig.defaults());
        server.expose("spec", new Arithmetic());
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
    }

    @AfterEach
    void tearDown() {
        server.close();
    }

    private String call(String message) {
        return dispatch(server, "spec", message);
    }

    @Test
    void positionalParams() {
        assertJsonEquals(call("{\"jsonrpc\": \"2.0\", \"method\": \"subtract\", \"params\": [42, 23], \"id\": 1}"),
                "{\"jsonrpc\": \"2.0\", \"result\": 19, \"id\": 1}");
        assertJsonEquals(call("{\"jsonrpc\": \"2.0\", \"method\": \"subtract\", \"params\": [23, 42], \"id\": 2}"),
                "{\"jsonrpc\": \"2.0\", \"result\": -19, \"id\": 2}");
    }

    @Test
    void namedParams() {
        assertJsonEquals(call("{\"jsonrpc\": \"2.0\", \"method\": \"subtract\", "
                              + "\"params\": {\"subtrahend\": 23, \"minuend\": 42}, \"id\": 3}"),
                "{\"jsonrpc\": \"2.0\", \"result\": 19, \"id\": 3}");
        assertJsonEquals(call("{\"jsonrpc\": \"2.0\", \"method\": \"subtract\", "
                              + "\"params\": {\"minuend\": 42, \"subtrahend\": 23}, \"id\": 4}"),
                "{\"jsonrpc\": \"2.0\", \"result\": 19, \"id\": 4}");
    }

    @Test
    void notifications() {
        assertThat(call("{\"jsonrpc\": \"2.0\", \"method\": \"update\", \"params\": [1,2,3,4,5]}")).isNull();
        assertThat(call("{\"jsonrpc\": \"2.0\", \"method\": \"foobar\"}")).isNull();
        assertThat(notified).containsExactly("update [1,2,3,4,5]");
    }

    @Test
    void nonExistentMethod() {
        assertJsonEquals(call("{\"jsonrpc\": \"2.0\", \"method\": \"foobar\", \"id\": \"1\"}"),
                "{\"jsonrpc\": \"2.0\", \"error\": {\"code\": -32601, \"message\": \"Method not found\"}, \"id\": \"1\"}");
    }

    @Test
    void invalidJson() {
        assertJsonEquals(call("{\"jsonrpc\": \"2.0\", \"method\": \"foobar, \"params\": \"bar\", \"baz]"),
                "{\"jsonrpc\": \"2.0\", \"error\": {\"code\": -32700, \"message\": \"Parse error\"}, \"id\": null}");
    }

    @Test
    void invalidRequestObject() {
        assertJsonEquals(call("{\"jsonrpc\": \"2.0\", \"method\": 1, \"params\": \"bar\"}"),
                "{\"jsonrpc\": \"2.0\", \"error\": {\"code\": -32600, \"message\": \"Invalid Request\"}, \"id\": null}");
    }

    @Test
    void batchInvalidJson() {
        assertJsonEquals(call("[\n"
                              + "  {\"jsonrpc\": \"2.0\", \"method\": \"sum\", \"params\": [1,2,4], \"id\": \"1\"},\n"
                              + "  {\"jsonrpc\": \"2.0\", \"method\"\n"
                              + "]"),
                "{\"jsonrpc\": \"2.0\", \"error\": {\"code\": -32700, \"message\": \"Parse error\"}, \"id\": null}");
    }

    @Test
    void emptyArray() {
        assertJsonEquals(call("[]"),
                "{\"jsonrpc\": \"2.0\", \"error\": {\"code\": -32600, \"message\": \"Invalid Request\"}, \"id\": null}");
    }

    @Test
    void invalidBatchNotEmpty() {
        assertJsonEquals(call("[1]"),
                "[{\"jsonrpc\": \"2.0\", \"error\": {\"code\": -32600, \"message\": \"Invalid Request\"}, \"id\": null}]");
    }

    @Test
    void invalidBatch() {
        String invalid = "{\"jsonrpc\": \"2.0\", \"error\": {\"code\": -32600, \"message\": \"Invalid Request\"}, \"id\": null}";
        assertJsonEquals(call("[1,2,3]"), "[" + invalid + "," + invalid + "," + invalid + "]");
    }

    @Test
    void mixedBatch() {
        String reply = call("[\n"
                            + "  {\"jsonrpc\": \"2.0\", \"method\": \"sum\", \"params\": [1,2,4], \"id\": \"1\"},\n"
                            + "  {\"jsonrpc\": \"2.0\", \"method\": \"notify_hello\", \"params\": [7]},\n"
                            + "  {\"jsonrpc\": \"2.0\", \"method\": \"subtract\", \"params\": [42,23], \"id\": \"2\"},\n"
                            + "  {\"foo\": \"boo\"},\n"
                            + "  {\"jsonrpc\": \"2.0\", \"method\": \"foo.get\", \"params\": {\"name\": \"myself\"}, \"id\": \"5\"},\n"
                            + "  {\"jsonrpc\": \"2.0\", \"method\": \"get_data\", \"id\": \"9\"}\n"
                            + "]");
        assertJsonEquals(reply, "[\n"
                                + "  {\"jsonrpc\": \"2.0\", \"result\": 7, \"id\": \"1\"},\n"
                                + "  {\"jsonrpc\": \"2.0\", \"result\": 19, \"id\": \"2\"},\n"
                                + "  {\"jsonrpc\": \"2.0\", \"error\": {\"code\": -32600, \"message\": \"Invalid Request\"}, \"id\": null},\n"
                                + "  {\"jsonrpc\": \"2.0\", \"error\": {\"code\": -32601, \"message\": \"Method not found\"}, \"id\": \"5\"},\n"
                                + "  {\"jsonrpc\": \"2.0\", \"result\": [\"hello\", 5], \"id\": \"9\"}\n"
                                + "]");
        assertThat(notified).containsExactly("notify_hello [7]");
    }

    @Test
    void allNotificationBatch() {
        assertThat(call("[\n"
                        + "  {\"jsonrpc\": \"2.0\", \"method\": \"notify_sum\", \"params\": [1,2,4]},\n"
                        + "  {\"jsonrpc\": \"2.0\", \"method\": \"notify_hello\", \"params\": [7]}\n"
                        + "]")).isNull();
        assertThat(notified).containsExactlyInAnyOrder("notify_sum [1,2,4]", "notify_hello [7]");
    }
}
