package dev.pipeline.rpc.kafka.bench;

import dev.pipeline.rpc.kafka.KafkaTransportConfig;
import dev.pipeline.rpc.kafka.KafkaTransportProvider;
import dev.pipeline.rpc.spi.ClientChannel;
import dev.pipeline.rpc.spi.ClientSettings;
import dev.pipeline.rpc.spi.HandlerOutcome;
import dev.pipeline.rpc.spi.OutgoingRequest;
import dev.pipeline.rpc.spi.ServerChannel;
import dev.pipeline.rpc.spi.ServerSettings;
import dev.pipeline.rpc.spi.Transport;
import dev.pipeline.rpc.tck.broker.KafkaBroker;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * Developer benchmark of the Kafka transport alone (not a test; see docs/kafka-transport.md): the transport at SPI
 * level with an echo handler and no JSON-RPC core, sequential and with 64 and 256 calls in flight; plus the
 * reply-routing measurements of docs/kafka-reply-routing.md. The raw kafka-clients floor, the full stack and the
 * ratios between them are the broker comparison's job ({@code ./pipeline bench}, module rpc-bench).
 *
 * <p>Run: {@code mvn -q -pl rpc-transport-kafka -am -Pbench test-compile} (add
 * {@code -Dpipeline.kafka.bootstrap=host:9092} for an existing broker; {@code -Dbench.scale=0.2} for a quick run,
 * {@code -Dbench.rounds=N} for more alternating rounds).
 */
public final class KafkaBench {
    private static final byte[] BODY =
            "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":[\"hello\"],\"id\":1}".getBytes(StandardCharsets.UTF_8);

    private KafkaBench() {
    }

    /** One request/reply implementation under test. */
    interface Rig extends AutoCloseable {
        /** Starts; replies go to the callback set with {@link Reporting#onReply}. */
        void start() throws Exception;

        void send(String id, byte[] body);

        @Override
        void close();
    }

    record Result(String name, int inFlight, Histogram h, double perSecond) {
    }

    public static void main(String[] args) throws Exception {
        double scale = Double.parseDouble(System.getProperty("bench.scale", "1"));
        KafkaBroker broker = KafkaBroker.shared();
        String bootstrap = broker.bootstrapServers();
        System.out.println("broker: " + broker + ", cores: " + Runtime.getRuntime().availableProcessors()
                + ", java " + System.getProperty("java.version"));

        int rounds = Integer.getInteger("bench.rounds", 3);
        int seq = (int) (5_000 * scale);
        int pipelined = (int) (50_000 * scale);
        int warm = (int) (5_000 * scale);
        // the rigs run in alternating rounds so that noise from other processes on the machine hits both alike;
        // each row merges the samples of all rounds, throughput is the median round
        Map<String, List<Result>> byRow = new java.util.LinkedHashMap<>();
        String name = "pipeline transport (SPI)";
        try (Rig ours = new TransportRig(bootstrap)) {
            ours.start();
            warm(name, ours, warm);
            for (int round = 1; round <= rounds; round++) {
                System.out.println("round " + round + "/" + rounds);
                for (Result r : suite(name, ours, seq, pipelined)) {
                    byRow.computeIfAbsent(r.name() + "|" + r.inFlight(), k -> new ArrayList<>()).add(r);
                }
            }
        }
        List<Result> results = new ArrayList<>();
        for (List<Result> rs : byRow.values()) {
            Histogram merged = new Histogram(TimeUnit.SECONDS.toNanos(30), 3);
            double[] rates = new double[rs.size()];
            for (int i = 0; i < rs.size(); i++) {
                merged.add(rs.get(i).h());
                rates[i] = rs.get(i).perSecond();
            }
            java.util.Arrays.sort(rates);
            results.add(new Result(rs.get(0).name(), rs.get(0).inFlight(), merged, rates[rates.length / 2]));
        }
        String table = table(results);
        System.out.println();
        System.out.println(table);
        String routing = replyRouting(bootstrap, Math.max(5, (int) (20 * scale)));
        System.out.println(routing);
        Path out = Path.of("target", "bench-kafka.md");
        try {
            Files.createDirectories(out.getParent());
            Files.writeString(out, table + "\n" + routing);
            System.out.println("written to " + out.toAbsolutePath());
        } catch (IOException e) {
            System.out.println("could not write " + out + ": " + e);
        }
        System.exit(0);
    }

    private static void warm(String name, Rig rig, int warm) throws Exception {
        run(name, rig, 1, warm);         // warm up the JITs and the broker
        run(name, rig, 64, warm * 4);
    }

    private static List<Result> suite(String name, Rig rig, int seq, int pipelined) throws Exception {
        List<Result> r = new ArrayList<>();
        r.add(run(name, rig, 1, seq));
        r.add(run(name, rig, 64, pipelined / 2));
        r.add(run(name, rig, 256, pipelined));
        return r;
    }

    /** Keeps {@code inFlight} requests outstanding until {@code count} replies arrived. */
    private static Result run(String name, Rig rig, int inFlight, int count) throws Exception {
        Histogram h = new Histogram(TimeUnit.SECONDS.toNanos(30), 3);
        Semaphore permits = new Semaphore(inFlight);
        ConcurrentHashMap<String, Long> started = new ConcurrentHashMap<>();
        CountDownLatch done = new CountDownLatch(count);
        ((Reporting) rig).onReply((id, body) -> {
            Long t0 = started.remove(id);
            if (t0 != null) {
                synchronized (h) {
                    h.recordValue(Math.min(System.nanoTime() - t0, h.getHighestTrackableValue()));
                }
                permits.release();
                done.countDown();
            }
        });
        String prefix = UUID.randomUUID().toString().substring(0, 8) + "-";
        long t0 = System.nanoTime();
        for (int i = 0; i < count; i++) {
            if (!permits.tryAcquire(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException(name + ": no reply for 30 s (" + started.size() + " outstanding)");
            }
            String id = prefix + i;
            started.put(id, System.nanoTime());
            rig.send(id, BODY);
        }
        if (!done.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException(name + ": replies missing: " + done.getCount());
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        Result res = new Result(name, inFlight, h, count / seconds);
        System.out.printf(Locale.ROOT, "%-28s in-flight %3d: %7d calls, p50 %8.1f us, p99 %8.1f us, %9.0f/s%n",
                name, inFlight, count, h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(99) / 1e3,
                res.perSecond());
        return res;
    }

    private static String table(List<Result> results) {
        StringBuilder sb = new StringBuilder();
        sb.append("| implementation | in flight | p50 µs | p90 µs | p99 µs | p99.9 µs | max µs | calls/s |\n");
        sb.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Result r : results) {
            Histogram h = r.h();
            sb.append(String.format(Locale.ROOT, "| %s | %d | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f |%n",
                    r.name(), r.inFlight(), h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(90) / 1e3,
                    h.getValueAtPercentile(99) / 1e3, h.getValueAtPercentile(99.9) / 1e3, h.getMaxValue() / 1e3,
                    r.perSecond()));
        }
        return sb.toString();
    }

    /** Rigs report replies to a replaceable callback, so one rig serves several runs. */
    interface Reporting {
        void onReply(BiConsumer<String, byte[]> callback);
    }

    // ------------------------------------------------------------------ our transport

    /** The Pipeline Kafka transport at SPI level: an echo handler behind a server channel, a client channel. */
    static final class TransportRig implements Rig, Reporting {
        private final String bootstrap;
        private final String service = "bench-" + UUID.randomUUID().toString().substring(0, 8);
        private volatile BiConsumer<String, byte[]> callback = (a, b) -> { };
        private Transport serverTransport;
        private Transport clientTransport;
        private ClientChannel client;

        TransportRig(String bootstrap) {
            this.bootstrap = bootstrap;
        }

        @Override
        public void onReply(BiConsumer<String, byte[]> cb) {
            this.callback = cb;
        }

        @Override
        public void start() throws Exception {
            KafkaTransportConfig cfg = KafkaTransportConfig.builder().bootstrapServers(bootstrap).build();
            serverTransport = KafkaTransportProvider.open(cfg);
            ServerChannel server = serverTransport.openServer(service, new ServerSettings(512, Duration.ofSeconds(5)),
                    req -> CompletableFuture.completedFuture(HandlerOutcome.reply(req.body())));
            server.start();
            clientTransport = KafkaTransportProvider.open(cfg);
            client = clientTransport.openClient(new ClientSettings("bench-" + UUID.randomUUID()),
                    (id, body) -> callback.accept(id, body));
            client.ready().get(60, TimeUnit.SECONDS);
            CountDownLatch first = new CountDownLatch(1);
            BiConsumer<String, byte[]> prev = callback;
            callback = (id, b) -> first.countDown();
            while (!first.await(200, TimeUnit.MILLISECONDS)) {
                send("probe", BODY);
            }
            callback = prev;
        }

        @Override
        public void send(String id, byte[] body) {
            client.send(service, new OutgoingRequest(body, id, 0, null));
        }

        @Override
        public void close() {
            clientTransport.close();
            serverTransport.close();
        }
    }

    // ------------------------------------------------------------------ reply routing

    /**
     * Costs of the two reply-routing designs: (a) shared reply topic: a client is ready after assign + position of
     * one partition; (b) one topic per client: create it, wait until it is visible, assign + position, and delete it
     * on close; plus what a server's reply to a deleted per-client topic costs.
     */
    static String replyRouting(String bootstrap, int clients) throws Exception {
        Histogram shared = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        Histogram sharedClose = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        KafkaTransportConfig cfg = KafkaTransportConfig.builder().bootstrapServers(bootstrap).build();
        try (Transport warm = KafkaTransportProvider.open(cfg)) {
            warm.openClient(new ClientSettings("warm"), (a, b) -> { }).ready().get(60, TimeUnit.SECONDS);
        }
        for (int i = 0; i < clients; i++) {
            try (Transport t = KafkaTransportProvider.open(cfg)) {
                long t0 = System.nanoTime();
                ClientChannel c = t.openClient(new ClientSettings("routing-" + i), (a, b) -> { });
                c.ready().get(60, TimeUnit.SECONDS);
                shared.recordValue(System.nanoTime() - t0);
                long t1 = System.nanoTime();
                c.close();
                sharedClose.recordValue(System.nanoTime() - t1);
            }
        }
        Histogram perClient = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        Histogram perClientDelete = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        long blockedMs;
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            for (int i = 0; i < clients; i++) {
                String topic = "bench-reply-" + UUID.randomUUID();
                long t0 = System.nanoTime();
                admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
                try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new ByteArrayDeserializer(),
                        new ByteArrayDeserializer())) {
                    TopicPartition tp = new TopicPartition(topic, 0);
                    c.assign(List.of(tp));
                    c.seekToEnd(List.of(tp));
                    c.position(tp, Duration.ofSeconds(30));
                    perClient.recordValue(System.nanoTime() - t0);
                }
                long t1 = System.nanoTime();
                admin.deleteTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
                perClientDelete.recordValue(System.nanoTime() - t1);
            }
            // a server replying to a client whose topic is gone: the producer blocks on metadata for max.block.ms
            String gone = "bench-reply-gone-" + UUID.randomUUID();
            try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.MAX_BLOCK_MS_CONFIG, "3000"),
                    new ByteArraySerializer(), new ByteArraySerializer())) {
                long t0 = System.nanoTime();
                try {
                    p.send(new ProducerRecord<>(gone, BODY)).get(10, TimeUnit.SECONDS);
                } catch (Exception expected) {
                    // TimeoutException: topic not present in metadata after 3000 ms
                }
                blockedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            }
        }
        StringBuilder sb = new StringBuilder();
        sb.append("| reply routing (").append(clients).append(" clients) | p50 ms | max ms |\n|---|---:|---:|\n");
        row(sb, "shared topic: openClient → ready() (assign + position)", shared);
        row(sb, "shared topic: close()", sharedClose);
        row(sb, "topic per client: create + assign + position", perClient);
        row(sb, "topic per client: delete on close", perClientDelete);
        sb.append(String.format(Locale.ROOT, "| topic per client: a reply sent to a deleted topic blocks the sender"
                + " (max.block.ms=3000) | %d | %d |%n", blockedMs, blockedMs));
        return sb.toString();
    }

    private static void row(StringBuilder sb, String name, Histogram h) {
        sb.append(String.format(Locale.ROOT, "| %s | %.1f | %.1f |%n", name, h.getValueAtPercentile(50) / 1e6,
                h.getMaxValue() / 1e6));
    }
}
