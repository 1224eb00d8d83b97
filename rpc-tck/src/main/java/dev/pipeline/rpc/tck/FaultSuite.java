package dev.pipeline.rpc.tck;

import dev.pipeline.rpc.ErrorCodes;
import dev.pipeline.rpc.Health;
import dev.pipeline.rpc.RpcClient;
import dev.pipeline.rpc.RpcException;
import dev.pipeline.rpc.RpcMetrics;
import dev.pipeline.rpc.RpcServer;
import dev.pipeline.rpc.spi.WireHeaders;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Faults on real brokers: a fatal error on a transport thread. Every call completes exactly once at its caller (a
 * result or a clear error by its deadline), no accepted request is lost, and the process never keeps running while
 * it serves nothing.
 */
public abstract class FaultSuite extends TckBase {
    static final int DURING = 16;

    @Test
    @DisplayName("faults: an OutOfMemoryError on the server's transport thread is logged and reported; the server "
            + "serves again and no call hangs")
    public void fatalErrorOnTheServerTransportThread() {
        assertThat(fixture.canInjectRaw()).as("the fixture injects raw messages (%s)", fixture).isTrue();
        String svc = uniqueService("fatal-server");
        AtomicInteger thrown = new AtomicInteger();
        AtomicReference<String> on = new AtomicReference<>();
        // a metrics registry that runs out of heap once: it is called on the transport's thread for a request
        // whose deadline passed while it waited on the broker
        RpcMetrics hostile = new RpcMetrics() {
            @Override
            public void rejectedInput(String service, String transport, String reason) {
                if ("expired".equals(reason) && thrown.getAndIncrement() == 0) {
                    on.set(Thread.currentThread().getName());
                    throw new OutOfMemoryError("Java heap space (thrown by the test's metrics registry)");
                }
            }
        };
        RpcServer server = server(b -> b.metrics(hostile));
        server.expose(svc, TckApi.class, new TckApiImpl());
        server.start();
        RpcClient client = client();
        assertThat(get(client.<Integer>callAsync(svc, "add", Integer.class, 1, 2))).isEqualTo(3);
        assertThat(server.health()).isEqualTo(Health.up());

        fixture.injectRaw(svc, "{\"jsonrpc\":\"2.0\",\"method\":\"add\",\"params\":[1,1],\"id\":1}"
                .getBytes(StandardCharsets.UTF_8), Map.of(WireHeaders.DEADLINE, "1"));
        List<CompletableFuture<Integer>> during = new ArrayList<>();
        for (int i = 0; i < DURING; i++) {
            during.add(client.callAsync(svc, "add", Integer.class, i, 1));
        }
        await().until(() -> thrown.get() > 0);
        await().untilAsserted(() -> {
            Health h = server.health();
            assertThat(h.status()).as("health after the error: %s", h).isNotEqualTo(Health.Status.UP);
            assertThat(String.join("\n", h.reasons())).contains("OutOfMemoryError").contains(svc);
        });
        LOG.info("fault suite on {}: the error hit thread {}; health {}", fixture, on.get(), server.health());
        for (int i = 0; i < DURING; i++) {
            assertThat(get(during.get(i))).as("call %d made around the error", i).isEqualTo(i + 1);
        }
        assertThat(get(client.<Integer>callAsync(svc, "add", Integer.class, 20, 22))).isEqualTo(42);
        Health after = server.health();
        assertThat(after.status()).as("serving again: %s", after).isEqualTo(Health.Status.DEGRADED);
        assertThat(String.join("\n", after.reasons())).contains("OutOfMemoryError");
    }

    @Test
    @DisplayName("faults: an OutOfMemoryError on the client's reply thread is logged; replies still flow and no "
            + "call hangs")
    public void fatalErrorOnTheClientReplyThread() throws Exception {
        String svc = uniqueService("fatal-client");
        AtomicInteger thrown = new AtomicInteger();
        // a metrics registry that runs out of heap once, when a reply comes after its call timed out: it is called
        // on the transport's reply thread
        RpcMetrics hostile = new RpcMetrics() {
            @Override
            public void lateReply(String transport) {
                if (thrown.getAndIncrement() == 0) {
                    throw new OutOfMemoryError("Java heap space (thrown by the test's metrics registry)");
                }
            }
        };
        RpcServer server = server(b -> {
        });
        server.expose(svc, TckApi.class, new TckApiImpl());
        server.handle(svc, "slow", params -> {
            Thread.sleep(1500);
            return "late";
        });
        server.start();
        RpcClient client = client(b -> b.metrics(hostile));
        assertThat(get(client.<Integer>callAsync(svc, "add", Integer.class, 1, 2))).isEqualTo(3);

        RpcException timedOut = failure(client.withTimeout(Duration.ofMillis(300)).callAsync(svc, "slow",
                String.class), Duration.ofSeconds(10));
        assertThat(timedOut.code()).isEqualTo(ErrorCodes.TIMEOUT);
        await().until(() -> thrown.get() > 0); // the late reply came and the metrics threw on the reply thread
        List<CompletableFuture<Integer>> after = new ArrayList<>();
        for (int i = 0; i < DURING; i++) {
            after.add(client.callAsync(svc, "add", Integer.class, i, 2));
        }
        for (int i = 0; i < DURING; i++) {
            assertThat(get(after.get(i))).as("call %d after the error", i).isEqualTo(i + 2);
        }
        assertThat(client.call(svc, "add", int.class, 40, 2)).isEqualTo(42);
    }
}
