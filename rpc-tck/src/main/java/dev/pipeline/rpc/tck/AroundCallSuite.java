package dev.pipeline.rpc.tck;

import dev.pipeline.rpc.ErrorCodes;
import dev.pipeline.rpc.RpcClient;
import dev.pipeline.rpc.RpcContext;
import dev.pipeline.rpc.RpcException;
import dev.pipeline.rpc.RpcServer;
import dev.pipeline.rpc.spi.Capability;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a service gets around its calls, on the transport under test: a call to a service no server has ever served
 * fails at once with {@link ErrorCodes#NO_SERVER} instead of waiting out its timeout, and a server started later is
 * found; a handler reads its call's {@link RpcContext}, and a call it makes inherits the deadline.
 *
 * <p>A transport module runs it with one class:
 * <pre>{@code
 * class KafkaAroundCallTest extends AroundCallSuite {
 *     @Override protected TransportFixture fixture() { return new KafkaTckFixture(); }
 * }
 * }</pre>
 */
public abstract class AroundCallSuite extends TckBase {
    /** The timeout of the calls that must fail long before it. */
    private static final Duration LONG = Duration.ofSeconds(60);

    /** Checks: a call to a service no server has ever served fails with 'no server for ...', not at its timeout. */
    @Test
    @DisplayName("a call to a service no server has ever served fails with 'no server for ...', not at its timeout")
    public void callToUnservedServiceFailsAtOnce() {
        String svc = uniqueService("noserver");
        RpcClient client = client(b -> b.defaultTimeout(LONG));
        long start = System.nanoTime();
        CompletableFuture<Integer> call = client.callAsync(svc, "add", int.class, 1, 2);
        // a behaviour bound, not a performance figure: anything short of the call's own timeout proves it did not wait
        await().atMost(LONG.minusSeconds(20)).until(call::isDone);
        long firstMillis = (System.nanoTime() - start) / 1_000_000;
        RpcException e = failure(call, Duration.ZERO, "no server serves " + svc);
        assertThat(e.code()).as("%s", e.getMessage()).isEqualTo(ErrorCodes.NO_SERVER);
        assertThat(e.getMessage()).startsWith("no server for '" + svc + "' at " + scheme() + ":");
        assertThat(e.getMessage()).doesNotContain(userInfo());
        long again = System.nanoTime();
        RpcException cached = failure(client.callAsync(svc, "add", int.class, 1, 2), LONG,
                "still no server for " + svc);
        assertThat(cached.code()).isEqualTo(ErrorCodes.NO_SERVER);
        LOG.info("no server for {}: first call failed after {} ms, the next after {} ms", svc, firstMillis,
                (System.nanoTime() - again) / 1_000_000);
    }

    /** Checks: a server started after calls failed with 'no server' is found, and serves the next calls. */
    @Test
    @DisplayName("a server started after calls failed with 'no server' is found, and serves the next calls")
    public void serverStartedLaterIsFound() {
        String svc = uniqueService("later");
        RpcClient client = client(b -> b.defaultTimeout(LONG));
        RpcException e = failure(client.callAsync(svc, "add", int.class, 1, 2), LONG, "no server yet");
        assertThat(e.code()).as("%s", e.getMessage()).isEqualTo(ErrorCodes.NO_SERVER);
        RpcServer server = server();
        server.expose(svc, TckApi.class, new TckApiImpl());
        server.start();
        long start = System.nanoTime();
        await().ignoreExceptionsMatching(x -> x instanceof RpcException r && r.code() == ErrorCodes.NO_SERVER)
                .untilAsserted(() -> assertThat(client.call(svc, "add", int.class, 2, 3)).isEqualTo(5));
        LOG.info("server of {} found {} ms after it started", svc, (System.nanoTime() - start) / 1_000_000);
        server.close();
        // gone, but it served: a restart is not "no server", so the call is sent and the next server answers it
        if (caps.has(Capability.PERSISTENT)) {
            RpcClient newcomer = client(b -> b.defaultTimeout(LONG)); // asks the broker, not a cache
            CompletableFuture<Integer> during = newcomer.callAsync(svc, "add", int.class, 3, 4);
            RpcServer next = server();
            next.expose(svc, TckApi.class, new TckApiImpl());
            next.start();
            assertThat(get(during, LONG)).isEqualTo(7);
        }
    }

    /** Checks: a service whose only server stopped before any call is still served: calls wait for the next server. */
    @Test
    @DisplayName("a service whose only server stopped before any call is still served: calls wait for the next server")
    public void serverThatStoppedBeforeAnyCallStillCounts() {
        if (!caps.has(Capability.PERSISTENT)) {
            return; // without PERSISTENT a request sent while no server runs may be lost: nothing to check
        }
        String svc = uniqueService("idle");
        RpcServer first = server();
        first.expose(svc, TckApi.class, new TckApiImpl());
        first.start();
        await().until(() -> first.health().isUp()); // subscribed: on Kafka, in its group
        first.close(); // served nothing
        RpcClient client = client(b -> b.defaultTimeout(LONG));
        CompletableFuture<Integer> during = client.callAsync(svc, "add", int.class, 5, 6);
        RpcServer next = server();
        next.expose(svc, TckApi.class, new TckApiImpl());
        next.start();
        assertThat(get(during, LONG)).as("sent while no server ran, answered by the next").isEqualTo(11);
    }

    /** Checks: failWithoutServer(false): a call to an unserved service is sent, and a server started later answers. */
    @Test
    @DisplayName("failWithoutServer(false): a call to an unserved service is sent, and a server started later answers")
    public void failWithoutServerOffSendsAnyway() {
        if (!caps.has(Capability.PERSISTENT)) {
            return; // without PERSISTENT a request sent before any server exists may be lost: nothing to check
        }
        String svc = uniqueService("nocheck");
        RpcClient client = client(b -> b.defaultTimeout(LONG).failWithoutServer(false));
        CompletableFuture<Integer> call = client.callAsync(svc, "add", int.class, 20, 22);
        RpcServer server = server();
        server.expose(svc, TckApi.class, new TckApiImpl());
        server.start();
        assertThat(get(call, LONG)).isEqualTo(42);
    }

    /** Checks: a handler reads its call's context; a call it makes gets a deadline no later than its own. */
    @Test
    @DisplayName("a handler reads its call's context; a call it makes gets a deadline no later than its own")
    @SuppressWarnings("unchecked")
    public void handlerReadsItsContextAndItsCallsInheritTheDeadline() {
        String outerSvc = uniqueService("ctx");
        String innerSvc = uniqueService("ctxin");
        String clientId = "tck-ctx-" + UUID.randomUUID().toString().substring(0, 8);
        // the handler's own client waits up to 60 s by default: longer than the outer call's 20 s
        RpcClient fromHandler = client(b -> b.defaultTimeout(LONG));
        RpcServer server = server();
        server.handle(innerSvc, "context", params -> seen(RpcContext.current().orElseThrow()));
        server.handle(outerSvc, "context", params -> seen(RpcContext.current().orElseThrow()));
        server.handle(outerSvc, "nested", params -> {
            Map<String, Object> outer = seen(RpcContext.current().orElseThrow());
            Map<String, Object> inner = fromHandler.call(innerSvc, "context", Map.class);
            return Map.of("outer", outer, "inner", inner);
        });
        server.start();
        RpcClient client = client(b -> b.clientId(clientId));
        Duration timeout = Duration.ofSeconds(20);
        assertThat(RpcContext.current()).as("outside a handler").isEmpty();

        long before = System.currentTimeMillis();
        Map<String, Object> ctx = client.withTimeout(timeout).call(outerSvc, "context", Map.class);
        long after = System.currentTimeMillis();
        assertThat(ctx).containsEntry("service", outerSvc).containsEntry("method", "context")
                .containsEntry("clientId", clientId);
        assertThat(ctx.get("id")).as("the JSON-RPC id").isNotNull();
        assertThat(ctx.get("correlationId")).as("the rpc-id").isNotNull();
        long deadline = ((Number) ctx.get("deadline")).longValue();
        assertThat(deadline).as("the deadline is the caller's send time + its timeout")
                .isBetween(before + timeout.toMillis(), after + timeout.toMillis());
        assertThat(((Number) ctx.get("timeLeftMillis")).longValue()).isBetween(0L, timeout.toMillis());

        Map<String, Object> both = client.withTimeout(timeout).call(outerSvc, "nested", Map.class);
        Map<String, Object> outer = (Map<String, Object>) both.get("outer");
        Map<String, Object> inner = (Map<String, Object>) both.get("inner");
        assertThat(inner).containsEntry("service", innerSvc).containsEntry("method", "context");
        assertThat(inner.get("clientId")).as("the nested call comes from the handler's client")
                .isNotEqualTo(clientId);
        long outerDeadline = ((Number) outer.get("deadline")).longValue();
        long innerDeadline = ((Number) inner.get("deadline")).longValue();
        assertThat(innerDeadline).as("the nested call's deadline (its client's own timeout is 60 s)")
                .isPositive().isLessThanOrEqualTo(outerDeadline);
        LOG.info("context: outer deadline {} ms after the send, nested call's {} ms before the outer one",
                deadline - before, outerDeadline - innerDeadline);
    }

    /** What a handler saw of its context, as JSON-friendly values. */
    private static Map<String, Object> seen(RpcContext c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("service", c.service());
        m.put("method", c.method());
        m.put("id", c.id());
        m.put("correlationId", c.correlationId());
        m.put("clientId", c.clientId());
        m.put("deadline", c.deadline().map(java.time.Instant::toEpochMilli).orElse(0L));
        m.put("timeLeftMillis", c.timeLeft().map(Duration::toMillis).orElse(-1L));
        return m;
    }

    private String scheme() {
        return URI.create(fixture.uri()).getScheme();
    }

    /** The fixture URI's user info ({@code user:password}), which no message may show; else a string never shown. */
    private String userInfo() {
        String info = URI.create(fixture.uri()).getRawUserInfo();
        return info == null || !info.contains(":") ? "\u0000no-password\u0000" : info;
    }
}
