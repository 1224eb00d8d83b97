package dev.pipeline.rpc.tck;

import dev.pipeline.rpc.Rpc;
import dev.pipeline.rpc.RpcClient;
import dev.pipeline.rpc.RpcServer;
import dev.pipeline.rpc.ServerConfig;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Memory is bounded by bytes, not only by count. A server process with a 256 MiB heap ({@code -Xmx256m}) and the
 * library's defaults finds 400 requests of about 1 MB each waiting on the broker (400 MB, while 1024 may be in flight
 * by count) and must answer every one of them without running out of heap; it keeps serving afterwards. The server
 * runs in a child JVM ({@link SmallHeapServer}) with {@code -XX:+ExitOnOutOfMemoryError}, so an exhausted heap ends
 * it instead of leaving a process that serves nothing.
 */
public abstract class MemorySuite extends TckBase {
    static final int CALLS = 400;
    static final int BLOB = 1_000_000;

    /**
     * Checks: 400 requests of 1 MB piled up on the broker are all served by a server with -Xmx256m.
     *
     * @throws Exception when a step of the check fails with an exception: the test then fails
     */
    @Test
    @DisplayName("memory: 400 requests of 1 MB piled up on the broker are all served by a server with -Xmx256m")
    public void fourHundredOneMegabyteRequestsFitA256MebibyteHeap() throws Exception {
        String svc = uniqueService("heap");
        Path out = Files.createTempFile("pipeline-small-heap-", ".out");
        Process server = null;
        try {
            // a first server sets up the service's destination and group, and stops: the requests then pile up
            Process first = startServer(svc, out);
            awaitReady(first, out);
            first.destroy();
            assertThat(first.waitFor(60, TimeUnit.SECONDS)).as("the first server stopped").isTrue();

            RpcClient client = client(b -> b.defaultTimeout(Duration.ofSeconds(300))
                    .limits(dev.pipeline.rpc.Limits.DEFAULT));
            String blob = "x".repeat(BLOB);
            List<CompletableFuture<Integer>> calls = new ArrayList<>();
            for (int i = 0; i < CALLS; i++) {
                calls.add(client.callAsync(svc, "hold", Integer.class, blob));
            }
            Thread.sleep(5000); // the client hands them to the broker before a server reads any
            server = startServer(svc, out);
            awaitReady(server, out);
            for (CompletableFuture<Integer> call : calls) {
                assertThat(call.get(360, TimeUnit.SECONDS)).isEqualTo(BLOB);
            }
            assertThat(client.callAsync(svc, "hold", Integer.class, "abc").get(60, TimeUnit.SECONDS)).isEqualTo(3);
            long peak = client.<Long>callAsync(svc, "peakHeap", Long.class).get(60, TimeUnit.SECONDS);
            LOG.info("memory suite on {}: {} requests of {} bytes answered by a -Xmx256m server, peak heap {} MiB",
                    fixture, CALLS, BLOB, peak >> 20);
            assertThat(server.isAlive()).isTrue();
            assertThat(Files.readString(out)).doesNotContain("OutOfMemoryError");
        } finally {
            if (server != null) {
                server.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
            String text = Files.readString(out);
            LOG.info("small-heap server output:\n{}", text.length() > 4000 ? text.substring(text.length() - 4000) : text);
            Files.deleteIfExists(out);
        }
    }

    private Process startServer(String svc, Path out) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:+ExitOnOutOfMemoryError", "-cp", System.getProperty("java.class.path"),
                SmallHeapServer.class.getName(), fixture.uri(), svc, "1000"));
        for (Map.Entry<String, String> e : fixture.properties().entrySet()) {
            cmd.add(e.getKey() + "=" + e.getValue());
        }
        return new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile())).start();
    }

    private static void awaitReady(Process server, Path out) throws Exception {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!Files.readString(out).contains("READY " + server.pid())) {
            assertThat(server.isAlive()).as("server output: %s", Files.readString(out)).isTrue();
            assertThat(System.nanoTime() < until).as("the server started within 120 s").isTrue();
            Thread.sleep(100);
        }
    }

    /**
     * The server process of the suite: {@code SmallHeapServer <uri> <service> <holdMillis> [key=value ...]} serves
     * {@code hold(String)} (waits {@code holdMillis}, returns the length) and {@code peakHeap()} with the library's
     * defaults, and prints {@code READY <pid>} once serving (its health up).
     */
    public static final class SmallHeapServer {
        private final long holdMillis;

        private SmallHeapServer(long holdMillis) {
            this.holdMillis = holdMillis;
        }

        /**
         * Holds a large request for the configured time, so that many are in flight at once.
         *
         * @param blob the request's payload
         * @return the length of {@code blob}
         * @throws InterruptedException when the server stops while the call is held
         */
        public int hold(String blob) throws InterruptedException {
            Thread.sleep(holdMillis);
            return blob.length();
        }

        /** @return the highest heap use since the start, summed over the heap's memory pools, in bytes. */
        public long peakHeap() {
            long sum = 0;
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                if (pool.getType() == MemoryType.HEAP) {
                    sum += pool.getPeakUsage().getUsed();
                }
            }
            return sum;
        }

        /**
         * Entry point of the child JVM.
         *
         * @param args {@code <uri> <service> <holdMillis> [key=value ...]}, the pairs transport properties
         * @throws Exception when the server cannot start; the child JVM then exits and the suite fails
         */
        public static void main(String[] args) throws Exception {
            ServerConfig.Builder config = ServerConfig.builder();
            for (int i = 3; i < args.length; i++) {
                int eq = args[i].indexOf('=');
                config.transportProperty(args[i].substring(0, eq), args[i].substring(eq + 1));
            }
            RpcServer server = Rpc.server(args[0], config.build());
            server.expose(args[1], new SmallHeapServer(Long.parseLong(args[2])));
            server.start();
            long until = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
            while (!server.health().isUp() && System.nanoTime() - until < 0) { // subscribed: on Kafka, in its group
                Thread.sleep(20);
            }
            System.out.println("READY " + ProcessHandle.current().pid());
            System.out.flush();
            new CountDownLatch(1).await();
        }
    }
}
