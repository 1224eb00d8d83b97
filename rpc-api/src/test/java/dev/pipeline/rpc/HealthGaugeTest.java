package dev.pipeline.rpc;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A server's health as a Micrometer gauge, and a saturated handler pool as a reason for DEGRADED. */
class HealthGaugeTest {
    @Test
    void aSaturatedPoolDegradesTheHealthAndTheGaugeFollows() throws Exception {
        String uri = "inproc:health-" + UUID.randomUUID();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        CountDownLatch release = new CountDownLatch(1);
        try (RpcServer server = Rpc.server(uri, ServerConfig.builder().concurrency(1).build());
             RpcClient client = Rpc.client(uri, ClientConfig.builder().defaultTimeout(Duration.ofSeconds(30)).build())) {
            server.handle("slow", "hold", params -> {
                release.await(30, TimeUnit.SECONDS);
                return "done";
            });
            MicrometerRpcMetrics.registerHealth(registry, server, "test");
            assertThat(registry.get(MicrometerRpcMetrics.SERVER_HEALTH).gauge().value()).as("not started").isZero();
            server.start();
            assertThat(server.health().status()).isEqualTo(Health.Status.UP);
            assertThat(registry.get(MicrometerRpcMetrics.SERVER_HEALTH).tag("server", "test").gauge().value())
                    .isEqualTo(1.0);

            List<CompletableFuture<String>> calls = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                calls.add(client.callAsync("slow", "hold", String.class));
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> server.health().status() == Health.Status.DEGRADED);
            assertThat(server.health().reasons()).singleElement().asString()
                    .startsWith("handler pool saturated: all 1 threads busy");
            assertThat(registry.get(MicrometerRpcMetrics.SERVER_HEALTH).gauge().value()).isEqualTo(0.5);

            release.countDown();
            for (CompletableFuture<String> call : calls) {
                assertThat(call.get(30, TimeUnit.SECONDS)).isEqualTo("done");
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> server.health().isUp());
            assertThat(registry.get(MicrometerRpcMetrics.SERVER_HEALTH).gauge().value()).isEqualTo(1.0);
        }
        assertThat(registry.get(MicrometerRpcMetrics.SERVER_HEALTH).gauge().value()).as("closed").isZero();
    }
}
