package dev.pipeline.rpc;

import dev.pipeline.rpc.spi.IncomingRequest;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** The server's record of cancels: what counts as a cancel, whose calls it cancels, its bound. */
class CancellationsTest {
    private static IncomingRequest message(String json, String correlationId, String clientId) {
        return new IncomingRequest(json.getBytes(StandardCharsets.UTF_8), correlationId, null, 0, clientId, null);
    }

    private static String cancel(String id) {
        return "{\"jsonrpc\":\"2.0\",\"method\":\"rpc.cancel\",\"params\":{\"id\":\"" + id + "\"}}";
    }

    @Test
    void aCancelCountsOnlyForTheCallsOfTheClientThatSentIt() {
        Cancellations c = new Cancellations();
        assertThat(c.handled(message(cancel("abc"), null, "alice"))).isTrue();
        assertThat(c.isCancelled(Cancellations.key(message("{}", "abc", "alice")))).isTrue();
        assertThat(c.isCancelled(Cancellations.key(message("{}", "abc", "mallory")))).isFalse();
        assertThat(c.isCancelled(Cancellations.key(message("{}", "abd", "alice")))).isFalse();
    }

    @Test
    void onlyANotificationWithTheMethodRpcCancelIsACancel() {
        Cancellations c = new Cancellations();
        // the name as a param, a request (rpc-id, or a JSON-RPC id), a batch, bad JSON: left to the dispatcher
        assertThat(c.handled(message("{\"jsonrpc\":\"2.0\",\"method\":\"log\",\"params\":[\"rpc.cancel\"]}", null,
                "a"))).isFalse();
        assertThat(c.handled(message(cancel("x"), "x1", "a"))).isFalse();
        assertThat(c.handled(message("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"rpc.cancel\",\"params\":{\"id\":"
                + "\"x\"}}", null, "a"))).isFalse();
        assertThat(c.handled(message("[" + cancel("x") + "]", null, "a"))).isFalse();
        assertThat(c.handled(message("{\"method\":\"rpc.cancel\"", null, "a"))).isFalse();
        assertThat(c.size()).isZero();
        // a cancel without an id, or from no client: consumed, cancels nothing
        assertThat(c.handled(message("{\"jsonrpc\":\"2.0\",\"method\":\"rpc.cancel\"}", null, "a"))).isTrue();
        assertThat(c.handled(message(cancel("x"), null, null))).isTrue();
        assertThat(c.size()).isZero();
    }

    @Test
    void atMostMaxEntriesAreKeptTheOldestGoFirst() {
        Cancellations c = new Cancellations();
        for (int i = 0; i <= Cancellations.MAX_ENTRIES; i++) {
            c.cancel(new Cancellations.Key("a", "id" + i));
        }
        assertThat(c.size()).isEqualTo(Cancellations.MAX_ENTRIES);
        assertThat(c.isCancelled(new Cancellations.Key("a", "id0"))).isFalse();
        assertThat(c.isCancelled(new Cancellations.Key("a", "id1"))).isTrue();
        assertThat(c.isCancelled(new Cancellations.Key("a", "id" + Cancellations.MAX_ENTRIES))).isTrue();
    }

    @Test
    void anInterruptibleRunningCallIsInterruptedAndTheFlagIsClearedWhenItEnds() {
        Cancellations c = new Cancellations();
        Cancellations.Key key = new Cancellations.Key("a", "run");
        try (Cancellations.Running r = c.started(key, true)) {
            c.cancel(key);
            assertThat(r.cancelled()).isTrue();
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        }
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
        Cancellations.Key other = new Cancellations.Key("a", "run2");
        try (Cancellations.Running r = c.started(other, false)) {
            c.cancel(other);
            assertThat(r.cancelled()).isTrue();
            assertThat(Thread.currentThread().isInterrupted()).isFalse();
        }
    }
}
