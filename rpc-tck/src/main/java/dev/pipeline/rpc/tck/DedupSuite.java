package dev.pipeline.rpc.tck;

import dev.pipeline.rpc.Idempotent;
import dev.pipeline.rpc.RpcServer;
import dev.pipeline.rpc.spi.DedupStore;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The server's dedup window through the broker ({@code ServerConfig.dedupWindow()}): a request to an idempotent
 * method that arrives again with the same client id and correlation id (a client's retry or hedge, a redelivery after
 * a crash) is answered with the stored result under its own JSON-RPC id, and the method does not run again. Requests
 * are sent at the wire level, so that the test chooses the correlation ids.
 *
 * <p>A transport module runs it with one class:
 * <pre>{@code
 * class KafkaDedupTest extends DedupSuite {
 *     @Override protected TransportFixture fixture() { return new KafkaTckFixture(); }
 * }
 * }</pre>
 */
public abstract class DedupSuite extends TckBase {

    /**
     * The store two servers share in {@link #sharedStoreCoversEveryInstance()}: one in memory by default; a transport
     * module with a shared store of its own returns that (closed after the test).
     *
     * @return a new store for two servers to share
     */
    protected DedupStore sharedStore() {
        return DedupStore.inMemory(1000, 1 << 20);
    }

    /** Counts executions per key; {@code next} is idempotent, {@code bump} is not. */
    public static final class Counter {
        final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();

        /**
         * Idempotent by declaration: the test checks it runs once per request, however often it arrives.
         *
         * @param key what to count
         * @return the executions of {@code key} so far, this one included
         */
        @Idempotent
        public int next(String key) {
            return runs.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
        }

        /**
         * Not idempotent: runs for every delivery.
         *
         * @param key what to count
         * @return the executions of {@code key} so far, this one included
         */
        public int bump(String key) {
            return runs.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
        }

        int runs(String key) {
            AtomicInteger n = runs.get(key);
            return n == null ? 0 : n.get();
        }
    }

    private static String request(int id, String method, String key) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"" + method + "\",\"params\":[\"" + key + "\"]}";
    }

    /** Sends {@code json} under {@code correlationId} and returns the text of the {@code nth} reply with it. */
    private static String exchange(RawClient raw, String service, String correlationId, String json, int nth) {
        raw.sendRaw(service, json.getBytes(StandardCharsets.UTF_8), correlationId, 0);
        return raw.awaitReplies(correlationId, nth).get(nth - 1).text();
    }

    /** Checks: an @Idempotent request delivered again is answered from the window under its own id; the method ran once. */
    @Test
    @DisplayName("an @Idempotent request delivered again is answered from the window under its own id; the method ran once")
    public void idempotentRequestDeliveredAgainRunsOnce() {
        String svc = uniqueService("dedup");
        Counter counter = new Counter();
        RpcServer server = server();
        server.expose(svc, counter);
        server.start();
        RawClient raw = rawClient();
        String corr = "tck-" + UUID.randomUUID();

        String first = exchange(raw, svc, corr, request(1, "next", "a"), 1);
        String again = exchange(raw, svc, corr, request(2, "next", "a"), 2);
        String third = exchange(raw, svc, corr, request(3, "next", "a"), 3);

        assertThat(response(first).get("result").getAsInt()).isEqualTo(1);
        assertThat(response(first).get("id").getAsInt()).isEqualTo(1);
        assertThat(response(again).get("result").getAsInt()).as("the stored result").isEqualTo(1);
        assertThat(response(again).get("id").getAsInt()).as("under the new request's id").isEqualTo(2);
        assertThat(response(third).get("id").getAsInt()).isEqualTo(3);
        assertThat(counter.runs("a")).as("executions of the same request").isEqualTo(1);

        // a new correlation id is a new call: it runs
        String other = exchange(raw, svc, "tck-" + UUID.randomUUID(), request(4, "next", "a"), 1);
        assertThat(response(other).get("result").getAsInt()).isEqualTo(2);
        // the same correlation id with other params is not the same request: it runs too
        String otherParams = exchange(raw, svc, corr, request(5, "next", "b"), 4);
        assertThat(response(otherParams).get("result").getAsInt()).isEqualTo(1);
        assertThat(counter.runs("b")).isEqualTo(1);
    }

    /** Checks: a method not declared idempotent runs for every delivery of the same request. */
    @Test
    @DisplayName("a method not declared idempotent runs for every delivery of the same request")
    public void methodNotDeclaredIdempotentRunsEveryTime() {
        String svc = uniqueService("nodedup");
        Counter counter = new Counter();
        RpcServer server = server();
        server.expose(svc, counter);
        server.start();
        RawClient raw = rawClient();
        String corr = "tck-" + UUID.randomUUID();
        exchange(raw, svc, corr, request(1, "bump", "a"), 1);
        String again = exchange(raw, svc, corr, request(2, "bump", "a"), 2);
        assertThat(response(again).get("result").getAsInt()).isEqualTo(2);
        assertThat(counter.runs("a")).isEqualTo(2);
    }

    /** Checks: ServerConfig.idempotent declares a handler's method idempotent; dedupWindow(0) turns the window off. */
    @Test
    @DisplayName("ServerConfig.idempotent declares a handler's method idempotent; dedupWindow(0) turns the window off")
    public void declaredInConfigAndTurnedOff() {
        String svc = uniqueService("cfgdedup");
        AtomicInteger runs = new AtomicInteger();
        RpcServer server = server(b -> b.idempotent(svc, "next"));
        server.handle(svc, "next", params -> runs.incrementAndGet());
        server.start();
        RawClient raw = rawClient();
        String corr = "tck-" + UUID.randomUUID();
        exchange(raw, svc, corr, request(1, "next", "a"), 1);
        String again = exchange(raw, svc, corr, request(2, "next", "a"), 2);
        assertThat(response(again).get("result").getAsInt()).isEqualTo(1);
        assertThat(runs.get()).isEqualTo(1);

        String off = uniqueService("offdedup");
        Counter counter = new Counter();
        RpcServer plain = server(b -> b.dedupWindow(Duration.ZERO));
        plain.expose(off, counter);
        plain.start();
        String corr2 = "tck-" + UUID.randomUUID();
        exchange(raw, off, corr2, request(1, "next", "a"), 1);
        exchange(raw, off, corr2, request(2, "next", "a"), 2);
        assertThat(counter.runs("a")).as("without a window").isEqualTo(2);
    }

    /** Checks: two servers sharing a store: a request delivered again to either one runs once in all. */
    @Test
    @DisplayName("two servers sharing a store: a request delivered again to either one runs once in all")
    public void sharedStoreCoversEveryInstance() {
        String svc = uniqueService("shared");
        DedupStore shared = track(sharedStore());
        Counter one = new Counter();
        Counter two = new Counter();
        RpcServer a = server(b -> b.dedupStore(shared));
        a.expose(svc, one);
        a.start();
        RpcServer b2 = server(b -> b.dedupStore(shared));
        b2.expose(svc, two);
        b2.start();
        RawClient raw = rawClient();
        int calls = 20;
        for (int i = 0; i < calls; i++) {
            String corr = "tck-" + UUID.randomUUID();
            String key = "k" + i;
            for (int attempt = 1; attempt <= 3; attempt++) {
                String reply = exchange(raw, svc, corr, request(attempt, "next", key), attempt);
                assertThat(response(reply).get("result").getAsInt()).isEqualTo(1);
            }
            assertThat(one.runs(key) + two.runs(key)).as("executions of %s in all", key).isEqualTo(1);
        }
    }
}
