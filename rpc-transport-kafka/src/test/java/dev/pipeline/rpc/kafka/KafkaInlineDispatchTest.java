package dev.pipeline.rpc.kafka;

import dev.pipeline.rpc.Rpc;
import dev.pipeline.rpc.RpcClient;
import dev.pipeline.rpc.RpcServer;
import dev.pipeline.rpc.ServerConfig;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.pipeline.rpc.kafka.KafkaTestSupport.bootstrap;
import static dev.pipeline.rpc.kafka.KafkaTestSupport.uniqueService;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * End to end through the core: a call reaching an idle server runs on the Kafka transport's own thread, with no
 * hand-off to a handler thread (what keeps a sequential call one thread wake-up shorter); handlers that block, even
 * briefly, still run side by side on the pool when calls come in bursts.
 */
class KafkaInlineDispatchTest {
    @Test
    void sequentialCallsRunOnTheTransportThread() {
        String svc = uniqueService("inline");
        String uri = "kafka://" + bootstrap();
        try (RpcServer server = Rpc.server(uri); RpcClient client = Rpc.client(uri)) {
            server.handle(svc, "where", params -> Thread.currentThread().getName());
            server.start();
            List<String> threads = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                threads.add(client.call(svc, "where", String.class));
            }
            // each call arrives when the previous one is answered: the server is idle every time (a call whose
            // predecessor's reply was not yet acknowledged by the broker goes to the pool, hence "any")
            assertThat(threads).anyMatch(n -> n.startsWith("pipeline-kafka-server-" + svc));
        }
    }

    @Test
    void withInlineOffEveryCallRunsOnAPoolThread() {
        String svc = uniqueService("pooled");
        String uri = "kafka://" + bootstrap();
        try (RpcServer server = Rpc.server(uri, ServerConfig.builder().inlineWhenIdle(false).build());
             RpcClient client = Rpc.client(uri)) {
            server.handle(svc, "where", params -> Thread.currentThread().getName());
            server.start();
            List<String> threads = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                threads.add(client.call(svc, "where", String.class));
            }
            assertThat(threads).allMatch(n -> n.startsWith("pipeline-server-"));
        }
    }

    @Test
    void aBurstOfBrieflyBlockingCallsStillRunsSideBySide() {
        String svc = uniqueService("naps");
        String uri = "kafka://" + bootstrap();
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        try (RpcServer server = Rpc.server(uri); RpcClient client = Rpc.client(uri)) {
            server.handle(svc, "nap", params -> {
                most.accumulateAndGet(running.incrementAndGet(), Math::max);
                try {
                    Thread.sleep(1); // a quick database call: under the stall report's 2 ms
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    running.decrementAndGet();
                }
                return "ok";
            });
            server.start();
            List<CompletableFuture<String>> calls = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                calls.add(client.callAsync(svc, "nap", String.class));
            }
            CompletableFuture.allOf(calls.toArray(new CompletableFuture[0])).orTimeout(60, TimeUnit.SECONDS).join();
            // run inline one after another, the burst would never have two at once: two slow inline runs in a
            // row send the rest of the poll to the pool's threads, and a third makes the handler count as slow
            assertThat(most.get()).isGreaterThanOrEqualTo(2);
        }
    }
}
