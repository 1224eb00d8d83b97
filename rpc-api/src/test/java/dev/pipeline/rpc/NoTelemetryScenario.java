package dev.pipeline.rpc;

import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Calls over the in-process transport with tracing disabled (the default): a call, a nested call from a handler, a
 * batch and a notification. {@link TracingAbsentTest} runs it in a class loader without OpenTelemetry.
 */
public final class NoTelemetryScenario {
    private NoTelemetryScenario() {
    }

    /** @return what the handlers saw of the trace context, e.g. {@code "none,none,3,notified"} */
    public static String run() throws Exception {
        String uri = "inproc:no-telemetry-" + UUID.randomUUID();
        CountDownLatch notified = new CountDownLatch(1);
        try (RpcServer server = Rpc.server(uri, ServerConfig.builder().tracing(RpcTracing.disabled()).build());
             RpcClient fromHandler = Rpc.client(uri, ClientConfig.defaults());
             RpcClient client = Rpc.client(uri, ClientConfig.defaults())) {
            server.handle("inner", "trace", p -> traceSeen());
            server.handle("outer", "nested", p -> traceSeen() + "," + fromHandler.call("inner", "trace", String.class));
            server.handle("outer", "add", p -> p.<Integer>get(0, int.class) + p.<Integer>get(1, int.class));
            server.handle("outer", "note", p -> {
                notified.countDown();
                return null;
            });
            server.start();
            String nested = client.call("outer", "nested", String.class);
            RpcBatch batch = client.batch("outer");
            var sum = batch.<Integer>call("add", int.class, 1, 2);
            batch.send().get(10, TimeUnit.SECONDS);
            client.notify("outer", "note");
            boolean note = notified.await(10, TimeUnit.SECONDS);
            return nested + "," + sum.get(10, TimeUnit.SECONDS) + "," + (note ? "notified" : "not notified");
        }
    }

    private static String traceSeen() {
        return RpcContext.current().orElseThrow().traceparent() == null ? "none" : "traceparent";
    }
}
