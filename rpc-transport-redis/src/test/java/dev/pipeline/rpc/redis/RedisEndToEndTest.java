package dev.pipeline.rpc.redis;

import dev.pipeline.rpc.ErrorCodes;
import dev.pipeline.rpc.Rpc;
import dev.pipeline.rpc.RpcBatch;
import dev.pipeline.rpc.RpcClient;
import dev.pipeline.rpc.RpcException;
import dev.pipeline.rpc.RpcServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Through the public API: {@code Rpc.server("redis://...")} and {@code Rpc.client("redis://...")}. */
class RedisEndToEndTest {
    /** The service interface shared by both sides. */
    public interface Calculator {
        int add(int a, int b);

        String greet(String name);
    }

    static final class CalculatorImpl implements Calculator {
        final List<String> audit = new CopyOnWriteArrayList<>();

        @Override
        public int add(int a, int b) {
            return a + b;
        }

        @Override
        public String greet(String name) {
            audit.add(name);
            return "hello " + name;
        }
    }

    private String uri;
    private String service;
    private RpcServer server;
    private RpcClient client;
    private CalculatorImpl calc;
    private final CountDownLatch release = new CountDownLatch(1);

    @BeforeEach
    void start() {
        // transport options ride in the URI's query
        uri = RedisTestSupport.brokerUri() + "?claimIdle=2s&keyPrefix=e2e:";
        service = RedisTestSupport.uniqueService();
        calc = new CalculatorImpl();
        server = Rpc.server(uri);
        server.expose(service, Calculator.class, calc);
        server.handle(service, "slow", params -> {
            release.await(30, TimeUnit.SECONDS);
            return "late";
        });
        server.start();
        client = Rpc.client(uri);
    }

    @AfterEach
    void stop() {
        release.countDown();
        client.close();
        server.close();
    }

    @Test
    void callsByPositionAndByNameAsyncAndThroughAProxy() throws Exception {
        assertThat(client.call(service, "add", int.class, 2, 3)).isEqualTo(5);
        assertThat((Integer) client.callNamed(service, "add", int.class, Map.of("a", 4, "b", 5))).isEqualTo(9);
        CompletableFuture<String> async = client.callAsync(service, "greet", String.class, "async");
        assertThat(async.get(30, TimeUnit.SECONDS)).isEqualTo("hello async");
        Calculator proxy = client.proxy(Calculator.class, service);
        assertThat(proxy.add(40, 2)).isEqualTo(42);
        assertThat(proxy.greet("Ωmega ✓")).isEqualTo("hello Ωmega ✓");
    }

    @Test
    void notificationsRunAndBatchesAnswerEachCall() throws Exception {
        client.notify(service, "greet", "quiet");
        await().atMost(Duration.ofSeconds(30)).until(() -> calc.audit.contains("quiet"));

        RpcBatch batch = client.batch(service);
        CompletableFuture<Integer> sum = batch.call("add", int.class, 1, 1);
        CompletableFuture<String> hi = batch.call("greet", String.class, "batch");
        CompletableFuture<Object> missing = batch.call("nope", Object.class);
        batch.notify("greet", "batch-notified");
        batch.send().get(30, TimeUnit.SECONDS);
        assertThat(sum.get(30, TimeUnit.SECONDS)).isEqualTo(2);
        assertThat(hi.get(30, TimeUnit.SECONDS)).isEqualTo("hello batch");
        assertThatThrownBy(() -> missing.get(30, TimeUnit.SECONDS))
                .hasCauseInstanceOf(RpcException.class)
                .satisfies(e -> assertThat(((RpcException) e.getCause()).code()).isEqualTo(ErrorCodes.METHOD_NOT_FOUND));
        await().atMost(Duration.ofSeconds(30)).until(() -> calc.audit.contains("batch-notified"));
    }

    @Test
    void aSlowCallTimesOutAndTheClientCarriesOn() {
        assertThatThrownBy(() -> client.withTimeout(Duration.ofMillis(300)).call(service, "slow", String.class))
                .isInstanceOf(RpcException.class)
                .satisfies(e -> assertThat(((RpcException) e).code()).isEqualTo(ErrorCodes.TIMEOUT));
        release.countDown();
        assertThat(client.call(service, "add", int.class, 1, 2)).isEqualTo(3);
    }
}
