package dev.pipeline.rpc.redis;

import dev.pipeline.rpc.Rpc;
import dev.pipeline.rpc.RpcClient;
import dev.pipeline.rpc.RpcServer;
import dev.pipeline.rpc.ServerConfig;
import dev.pipeline.rpc.spi.ClientChannel;
import dev.pipeline.rpc.spi.ClientSettings;
import dev.pipeline.rpc.spi.HandlerOutcome;
import dev.pipeline.rpc.spi.OutgoingRequest;
import dev.pipeline.rpc.spi.ServerChannel;
import dev.pipeline.rpc.spi.ServerSettings;
import dev.pipeline.rpc.spi.Transport;
import dev.pipeline.rpc.spi.WireHeaders;
import dev.pipeline.rpc.tck.broker.RedisBroker;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.Consumer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;

/**
 * Latency and throughput of the Redis transport against its floor, a raw Lettuce streams ping-pong on the same
 * Redis in the same run. Not a test (the name keeps it out of {@code mvn verify}); run it with
 * <pre>
 * mvn -pl rpc-transport-redis -am verify -Dtest=RedisLatencyBenchmark -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 * The Markdown table goes to {@code rpc-transport-redis/target/redis-benchmark.md} (and the test output file).
 * {@code -Dbench.calls=N} sets the calls per pipelined run (default 200,000), {@code -Dbench.sequential=N} the
 * sequential calls (default 20,000), {@code -Dbench.windows=1,64,256} the calls in flight;
 * {@code -Dpipeline.redis.uri=...} measures another Redis.
 */
class RedisLatencyBenchmark {
    private static final byte[] PAYLOAD =
            "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":[\"hello\"],\"id\":1}".getBytes(StandardCharsets.UTF_8);

    /** One way to run a round trip: send call {@code seq}; replies are reported to the listener by seq. */
    interface Rig extends AutoCloseable {
        void start(IntConsumer onReply) throws Exception;

        void send(int seq);

        @Override
        void close();
    }

    record Result(String name, int window, Histogram histogram, double callsPerSecond) {
    }

    @Test
    void compareTransportWithRawLettuceFloor() throws Exception {
        URI uri = RedisBroker.shared().uri();
        int sequential = Integer.getInteger("bench.sequential", 20_000);
        int pipelined = Integer.getInteger("bench.calls", 200_000);
        List<Result> results = new ArrayList<>();
        for (int round = 0; round < 2; round++) { // round 0 warms up the JVM and Redis; round 1 is reported
            boolean report = round == 1;
            int scale = report ? 1 : 4;
            for (int window : windows()) {
                int calls = (window == 1 ? sequential : pipelined) / scale;
                Result shared = run("raw Lettuce, one shared RedisClient", new RawRig(uri, true), window, calls);
                Result raw = run("raw Lettuce, client and server apart (floor)", new RawRig(uri, false), window,
                        calls);
                Result ours = run("Pipeline Redis transport (SPI)", new TransportRig(uri), window, calls);
                Result full = run("Pipeline RpcClient → RpcServer (JSON-RPC)", new FullStackRig(uri), window, calls);
                if (report) {
                    results.add(shared);
                    results.add(raw);
                    results.add(ours);
                    results.add(full);
                }
            }
        }
        String table = table(uri, results);
        System.out.println(table);
        Path out = Path.of("target", "redis-benchmark.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, table);
    }

    /** {@code -Dbench.windows=1,64,256} (the default): the calls in flight of each run. */
    private static int[] windows() {
        return java.util.Arrays.stream(System.getProperty("bench.windows", "1,64,256").split(","))
                .map(String::trim).mapToInt(Integer::parseInt).toArray();
    }

    private static Result run(String name, Rig rig, int window, int calls) throws Exception {
        long[] sentAt = new long[calls];
        Histogram h = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
        Semaphore slots = new Semaphore(window);
        CompletableFuture<Void> done = new CompletableFuture<>();
        int[] received = {0};
        try (rig) {
            rig.start(seq -> {
                long micros = (System.nanoTime() - sentAt[seq]) / 1000;
                synchronized (h) {
                    h.recordValue(Math.max(1, micros));
                    if (++received[0] == calls) {
                        done.complete(null);
                    }
                }
                slots.release();
            });
            long t0 = System.nanoTime();
            for (int i = 0; i < calls; i++) {
                if (!slots.tryAcquire(30, TimeUnit.SECONDS)) {
                    throw new IllegalStateException(name + ": no reply within 30 s at call " + i);
                }
                sentAt[i] = System.nanoTime();
                rig.send(i);
            }
            done.get(60, TimeUnit.SECONDS);
            double seconds = (System.nanoTime() - t0) / 1e9;
            return new Result(name, window, h, calls / seconds);
        }
    }

    private static String table(URI uri, List<Result> results) {
        StringBuilder sb = new StringBuilder();
        sb.append("Redis at ").append(uri).append(", ").append(Runtime.getRuntime().availableProcessors())
                .append(" cores, Java ").append(System.getProperty("java.version")).append('\n').append('\n');
        sb.append("| rig | in flight | p50 µs | p90 µs | p99 µs | p99.9 µs | max µs | calls/s |\n");
        sb.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Result r : results) {
            Histogram h = r.histogram();
            sb.append(String.format("| %s | %d | %d | %d | %d | %d | %d | %,.0f |%n", r.name(), r.window(),
                    h.getValueAtPercentile(50), h.getValueAtPercentile(90), h.getValueAtPercentile(99),
                    h.getValueAtPercentile(99.9), h.getMaxValue(), r.callsPerSecond()));
        }
        for (int i = 0; i + 3 < results.size(); i += 4) {
            Result raw = results.get(i + 1);
            for (Result ours : List.of(results.get(i + 2), results.get(i + 3))) {
                sb.append(String.format("%nin flight %d, %s: p50 ratio %.2f (to the floor), throughput ratio %.2f",
                        raw.window(), ours.name(), (double) ours.histogram().getValueAtPercentile(50)
                                / raw.histogram().getValueAtPercentile(50),
                        ours.callsPerSecond() / raw.callsPerSecond()));
            }
        }
        return sb.append('\n').toString();
    }

    /**
     * The floor: XADD request → server XREADGROUP (blocking, own connection) → XADD reply (+ XACK, pipelined) →
     * client XREAD (blocking, own connection). Everything asynchronous on Lettuce's event loops. Apart: the client
     * side and the server side each have their own RedisClient with one I/O thread, as two processes would (and as
     * the transport has); shared: one RedisClient with Lettuce's default resources for all four connections.
     */
    static final class RawRig implements Rig {
        private final RedisClient client;
        private final RedisClient serverClient;
        private final List<ClientResources> resources = new ArrayList<>();
        private final String stream = "bench:raw:" + UUID.randomUUID();
        private final String replies = stream + ":reply";
        private StatefulRedisConnection<String, byte[]> clientCmd;
        private StatefulRedisConnection<String, byte[]> clientRead;
        private StatefulRedisConnection<String, byte[]> serverCmd;
        private StatefulRedisConnection<String, byte[]> serverRead;
        private volatile boolean closed;

        RawRig(URI uri, boolean shared) {
            client = create(uri, shared);
            serverClient = shared ? client : create(uri, false);
        }

        private RedisClient create(URI uri, boolean defaults) {
            RedisClient c;
            if (defaults) {
                c = RedisClient.create(uri.toString());
            } else {
                ClientResources r = DefaultClientResources.builder().ioThreadPoolSize(1).computationThreadPoolSize(2)
                        .build();
                resources.add(r);
                c = RedisClient.create(r, uri.toString());
            }
            c.setOptions(ClientOptions.builder().protocolVersion(ProtocolVersion.RESP2).build());
            return c;
        }

        @Override
        public void start(IntConsumer onReply) {
            clientCmd = client.connect(Connector.CODEC);
            clientRead = client.connect(Connector.CODEC);
            serverCmd = serverClient.connect(Connector.CODEC);
            serverRead = serverClient.connect(Connector.CODEC);
            serverCmd.sync().xgroupCreate(XReadArgs.StreamOffset.from(stream, "0-0"), stream,
                    XGroupCreateArgs.Builder.mkstream());
            serve(Consumer.from(stream, "s1"));
            readReplies("0-0", onReply);
        }

        @SuppressWarnings("unchecked") // Lettuce's StreamOffset varargs
        private void serve(Consumer<String> me) {
            if (closed) {
                return;
            }
            serverRead.async().xreadgroup(me, XReadArgs.Builder.block(2000).count(256),
                    XReadArgs.StreamOffset.lastConsumed(stream)).whenComplete((msgs, err) -> {
                if (err != null) {
                    return;
                }
                for (StreamMessage<String, byte[]> m : msgs) {
                    Map<String, byte[]> reply = new LinkedHashMap<>();
                    reply.put(WireHeaders.RPC_ID, m.getBody().get(WireHeaders.RPC_ID));
                    reply.put(WireHeaders.BODY, m.getBody().get(WireHeaders.BODY));
                    serverCmd.async().xadd(replies, reply);
                    serverCmd.async().xack(stream, stream, m.getId());
                }
                serve(me);
            });
        }

        @SuppressWarnings("unchecked")
        private void readReplies(String from, IntConsumer onReply) {
            if (closed) {
                return;
            }
            clientRead.async().xread(XReadArgs.Builder.block(2000).count(1024),
                    XReadArgs.StreamOffset.from(replies, from)).whenComplete((msgs, err) -> {
                if (err != null) {
                    return;
                }
                String last = from;
                for (StreamMessage<String, byte[]> m : msgs) {
                    last = m.getId();
                    onReply.accept(Integer.parseInt(new String(m.getBody().get(WireHeaders.RPC_ID),
                            StandardCharsets.US_ASCII)));
                }
                readReplies(last, onReply);
            });
        }

        @Override
        public void send(int seq) {
            Map<String, byte[]> fields = new LinkedHashMap<>();
            fields.put(WireHeaders.RPC_ID, Integer.toString(seq).getBytes(StandardCharsets.US_ASCII));
            fields.put(WireHeaders.REPLY_TO, replies.getBytes(StandardCharsets.UTF_8));
            fields.put(WireHeaders.BODY, PAYLOAD);
            clientCmd.async().xadd(stream, fields);
        }

        @Override
        public void close() {
            closed = true;
            try {
                clientCmd.sync().del(stream, replies);
            } finally {
                client.shutdown(0, 2, TimeUnit.SECONDS);
                if (serverClient != client) {
                    serverClient.shutdown(0, 2, TimeUnit.SECONDS);
                }
                resources.forEach(r -> r.shutdown(0, 2, TimeUnit.SECONDS));
            }
        }
    }

    /** The whole stack: JSON-RPC encoding, dispatch on the server's executor, typed results. */
    static final class FullStackRig implements Rig {
        private final String uri;
        private final String service = "bench-" + UUID.randomUUID().toString().substring(0, 8);
        private RpcServer server;
        private RpcClient client;
        private IntConsumer onReply;

        FullStackRig(URI uri) {
            this.uri = uri.toString();
        }

        @Override
        public void start(IntConsumer onReply) {
            this.onReply = onReply;
            server = Rpc.server(uri, ServerConfig.builder().maxInFlight(1024).build());
            server.handle(service, "echo", params -> params.get(0, Integer.class));
            server.start();
            client = Rpc.client(uri);
        }

        @Override
        public void send(int seq) {
            client.<Integer>callAsync(service, "echo", Integer.class, seq).whenComplete((r, e) -> {
                if (e != null) {
                    throw new IllegalStateException("benchmark call failed", e);
                }
                onReply.accept(r);
            });
        }

        @Override
        public void close() {
            client.close();
            server.close();
        }
    }

    /** Our transport at SPI level: a client channel and a server channel with an echo handler. */
    static final class TransportRig implements Rig {
        private final Transport serverSide;
        private final Transport clientSide;
        private final String service = "bench-" + UUID.randomUUID().toString().substring(0, 8);
        private ClientChannel client;
        private ServerChannel server;

        TransportRig(URI uri) {
            RedisTransportConfig config = RedisTransportConfig.builder().readCount(256).build();
            serverSide = new RedisTransportProvider().open(uri, config);
            clientSide = new RedisTransportProvider().open(uri, config);
        }

        @Override
        public void start(IntConsumer onReply) throws Exception {
            server = serverSide.openServer(service, new ServerSettings(1024, Duration.ofSeconds(5)),
                    r -> CompletableFuture.completedFuture(HandlerOutcome.reply(r.body())));
            server.start();
            client = clientSide.openClient(new ClientSettings("bench-" + UUID.randomUUID()),
                    (id, body) -> onReply.accept(Integer.parseInt(id)));
            client.ready().get(10, TimeUnit.SECONDS);
        }

        @Override
        public void send(int seq) {
            client.send(service, new OutgoingRequest(PAYLOAD, Integer.toString(seq), 0, null));
        }

        @Override
        public void close() {
            clientSide.close();
            serverSide.close();
        }
    }
}
