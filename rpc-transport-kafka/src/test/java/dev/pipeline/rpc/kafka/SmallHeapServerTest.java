package dev.pipeline.rpc.kafka;

import dev.pipeline.rpc.ClientConfig;
import dev.pipeline.rpc.Rpc;
import dev.pipeline.rpc.RpcClient;
import dev.pipeline.rpc.tck.broker.KafkaBroker;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Memory is bounded by bytes, not only by count: a server in a JVM with a 256 MiB heap, run with the library's
 * defaults, is sent 400 requests of about 1 MiB at once (1024 may be in flight by count, about 400 MiB). The byte
 * budget of its intake keeps the heap from running out: every call is answered and the server still serves.
 */
class SmallHeapServerTest {
    private static final int CALLS = 400;
    private static final int BLOB = 1_000_000;

    @Test
    void fourHundredOneMebibyteRequestsDoNotExhaustA256MebibyteHeap() throws Exception {
        String uri = KafkaBroker.shared().uri();
        String service = KafkaTestSupport.uniqueService("heap");
        Path out = Files.createTempFile("small-heap-server", ".out");
        // a first server creates the topic and the group, and stops: the requests then pile up on the broker
        Process first = startServer(uri, service, out);
        awaitReady(first, out);
        first.destroy();
        assertThat(first.waitFor(60, TimeUnit.SECONDS)).isTrue();
        Process server = null;
        try (RpcClient client = Rpc.client(uri, ClientConfig.builder().defaultTimeout(Duration.ofSeconds(240)).build())) {
            String blob = "x".repeat(BLOB);
            List<CompletableFuture<Integer>> calls = new ArrayList<>();
            for (int i = 0; i < CALLS; i++) {
                calls.add(client.callAsync(service, "hold", Integer.class, blob));
            }
            Thread.sleep(5000); // let the producer hand them all to the broker
            Files.writeString(out, "");
            server = startServer(uri, service, out);
            awaitReady(server, out);
            int answered = 0;
            for (CompletableFuture<Integer> call : calls) {
                assertThat(call.get(300, TimeUnit.SECONDS)).isEqualTo(BLOB);
                answered++;
            }
            assertThat(answered).isEqualTo(CALLS);
            // still serving after the burst
            assertThat(client.callAsync(service, "hold", Integer.class, "abc").get(60, TimeUnit.SECONDS)).isEqualTo(3);
            assertThat(server.isAlive()).isTrue();
            long peak = client.<Long>callAsync(service, "peakHeap", Long.class).get(60, TimeUnit.SECONDS);
            System.out.printf("small-heap server: %d calls of %d bytes answered, peak heap use %d MiB%n",
                    CALLS, BLOB, peak >> 20);
            assertThat(Files.readString(out)).doesNotContain("OutOfMemoryError");
        } finally {
            if (server != null) {
                server.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
            System.out.println("small-heap server output:\n" + tail(Files.readString(out)));
            Files.deleteIfExists(out);
        }
    }

    private static Process startServer(String uri, String service, Path out) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-Xmx256m", "-XX:+ExitOnOutOfMemoryError", "-cp",
                System.getProperty("java.class.path"), SmallHeapServerMain.class.getName(), uri, service, "1000")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile())).start();
    }

    private static void awaitReady(Process server, Path out) throws Exception {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!Files.readString(out).contains("READY")) {
            assertThat(server.isAlive()).as("server output: %s", Files.readString(out)).isTrue();
            assertThat(System.nanoTime() < until).as("server started").isTrue();
            Thread.sleep(100);
        }
    }

    private static String tail(String s) {
        return s.length() <= 4000 ? s : s.substring(s.length() - 4000);
    }
}
