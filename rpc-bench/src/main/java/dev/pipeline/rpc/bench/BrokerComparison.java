package dev.pipeline.rpc.bench;

import dev.pipeline.rpc.bench.ComparisonResult.CpuPerCall;
import dev.pipeline.rpc.bench.ComparisonResult.KafkaRequestsPerCall;
import dev.pipeline.rpc.bench.ComparisonResult.Measurement;
import dev.pipeline.rpc.spi.TransportProvider;
import dev.pipeline.rpc.tck.broker.KafkaBroker;
import dev.pipeline.rpc.tck.broker.RedisBroker;
import dev.pipeline.rpc.tck.latency.LatencyKit;
import dev.pipeline.rpc.tck.latency.LatencyResult;
import dev.pipeline.rpc.tck.latency.Workload;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import org.apache.kafka.common.utils.AppInfoParser;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.concurrent.TimeUnit;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;

/**
 * The broker comparison: starts (or connects to) each broker, runs the same request/reply workloads on Pipeline's
 * transport for it, on the broker's raw client floor and, for Kafka, on Spring Kafka's ReplyingKafkaTemplate, and
 * writes {@code results.md}, {@code results.json} and {@code chart.png} into the output folder.
 *
 * <pre>{@code
 * ComparisonResult result = BrokerComparison.run(BenchOptions.parse("--transports", "kafka", "--duration", "5s"),
 *         System.out);
 * result.targets().forEach(System.out::println);
 * }</pre>
 *
 * <p>Every point is measured for {@link BenchOptions#duration()} after {@link BenchOptions#warmup()}; the
 * implementations of one broker take turns at each point, so a disturbance on the machine hits them alike (with
 * {@link BenchOptions#interleave()}, sequential points run them call by call in turn instead, see
 * {@link Interleaved}; with {@link BenchOptions#fresh()}, every round starts new instances of them).
 */
public final class BrokerComparison {
    private BrokerComparison() {
    }

    /** Runs from the command line: {@code BrokerComparison [flags]}; {@code --help} lists the flags. */
    public static void main(String[] args) {
        quietLogging();
        BenchOptions options;
        try {
            if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
                System.out.println(BenchOptions.usage());
                return;
            }
            options = BenchOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("pipeline-bench: " + e.getMessage());
            System.exit(2);
            return;
        }
        try {
            ComparisonResult result = run(options, System.out);
            System.exit(result.failures().isEmpty() ? 0 : 1);
        } catch (RuntimeException e) {
            System.err.println("pipeline-bench: " + e.getMessage());
            System.exit(1);
        }
    }

    /** Sets quiet defaults for slf4j-simple (the broker clients are chatty at INFO) unless the user set them. */
    private static void quietLogging() {
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        if (System.getProperty("org.slf4j.simpleLogger.log.org.apache.kafka") == null) {
            System.setProperty("org.slf4j.simpleLogger.log.org.apache.kafka", "error");
        }
    }

    /**
     * Runs the comparison and writes its files; prints progress and the final Markdown to {@code progress}.
     *
     * @throws IllegalArgumentException when a requested transport is not on the class path
     * @throws UncheckedIOException     when the output folder cannot be written
     */
    public static ComparisonResult run(BenchOptions options, PrintStream progress) {
        Instant started = Instant.now();
        long t0 = System.nanoTime();
        String loadBefore = loadAverage();
        List<String> brokers = selectBrokers(options);
        Map<String, String> brokerInfo = new LinkedHashMap<>();
        Map<String, String> setups = new LinkedHashMap<>();
        List<Measurement> measurements = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        Progress bar = new Progress(progress, totalPoints(options, brokers), options);
        progress.println("Pipeline broker comparison: " + options);
        if (loadBefore != null) {
            double load = Double.parseDouble(loadBefore.split(" ")[0]);
            int cores = Runtime.getRuntime().availableProcessors();
            if (load > cores) {
                progress.println("  note: the machine is busy (load average " + loadBefore.split(" ")[0] + " on "
                        + cores + " cores); the numbers will be noisy, the ratios less so (implementations take turns)");
            }
        }
        for (String broker : brokers) {
            switch (broker) {
                case "kafka" -> runKafka(options, bar, brokerInfo, setups, measurements, failures);
                case "redis" -> runRedis(options, bar, brokerInfo, setups, measurements, failures);
                default -> throw new IllegalStateException(broker);
            }
        }
        Map<String, String> machine = machine();
        if (loadBefore != null) {
            machine.put("load average (1/5/15 min) before / after", loadBefore + " / " + loadAverage());
        }
        ComparisonResult result = new ComparisonResult(started, (System.nanoTime() - t0) / 1e9, options, machine,
                brokerInfo, setups, measurements, failures, List.of());
        result = result.withFiles(write(result, options, progress));
        progress.println();
        progress.println(result.markdown());
        progress.println("Written: " + String.join(", ", result.files().stream().map(Path::toString).toList()));
        return result;
    }

    private static List<String> selectBrokers(BenchOptions options) {
        Set<String> available = new TreeSet<>();
        for (TransportProvider p : ServiceLoader.load(TransportProvider.class)) {
            available.add(p.scheme());
        }
        List<String> wanted = options.transports().isEmpty()
                ? List.of("kafka", "redis").stream().filter(available::contains).toList() : options.transports();
        for (String w : wanted) {
            if (!available.contains(w)) {
                throw new IllegalArgumentException("the " + w + " transport is not on the class path (found: "
                        + String.join(", ", available) + ")");
            }
        }
        if (wanted.isEmpty()) {
            throw new IllegalArgumentException("no Kafka or Redis transport on the class path");
        }
        return wanted;
    }

    /**
     * Points to measure: the same contender lists the runs build (their constructors only keep the address).
     *
     * @throws IllegalArgumentException when an {@code --only} name labels none of the implementations
     */
    private static int totalPoints(BenchOptions o, List<String> brokers) {
        int n = 0;
        List<String> names = new ArrayList<>();
        for (String b : brokers) {
            List<Contender> all = b.equals("kafka") ? allKafkaContenders(o, "localhost:9092")
                    : allRedisContenders(o, "redis://localhost");
            all.forEach(c -> names.add(c.name()));
            n += selected(o, all).size();
        }
        for (String wanted : o.only()) {
            if (names.stream().noneMatch(wanted::equalsIgnoreCase)) {
                throw new IllegalArgumentException("--only '" + wanted + "' names no implementation of this run;"
                        + " there are: " + String.join("; ", names.stream().distinct().toList()));
            }
        }
        return n * o.payloads().size() * o.inFlight().size() * o.rounds();
    }

    private static List<Contender> kafkaContenders(BenchOptions o, String bootstrap) {
        return selected(o, allKafkaContenders(o, bootstrap));
    }

    private static List<Contender> redisContenders(BenchOptions o, String uri) {
        return selected(o, allRedisContenders(o, uri));
    }

    private static List<Contender> allKafkaContenders(BenchOptions o, String bootstrap) {
        List<Contender> contenders = new ArrayList<>();
        addPipeline(o, contenders, "kafka", "kafka://" + bootstrap);
        if (o.floors()) {
            contenders.add(new KafkaRawContender(bootstrap, KafkaRawContender.Shape.PLAIN));
            if (o.wireFloor()) {
                contenders.add(new KafkaRawContender(bootstrap, KafkaRawContender.Shape.WIRE_HEADERS));
                contenders.add(new KafkaRawContender(bootstrap, KafkaRawContender.Shape.CLIENT_IN_ID));
            }
        }
        if (o.competitors()) {
            contenders.add(new SpringReplyingContender(bootstrap));
            if (o.variants() || !o.only().isEmpty()) { // sequentially: no get(), as "pipeline, async call"
                contenders.add(SpringReplyingContender.async(bootstrap));
            }
            if (o.springTyped()) {
                contenders.add(SpringReplyingContender.typed(bootstrap));
            }
            if (o.blockingThreads() || !o.only().isEmpty()) { // under load: get() on a thread per call in flight
                contenders.add(SpringReplyingContender.blockingThreads(bootstrap));
            }
            if (o.springLargeBatches() || !o.only().isEmpty()) { // Pipeline's batch size for larger messages
                contenders.add(SpringReplyingContender.largeBatches(bootstrap));
            }
        }
        return contenders;
    }

    private static List<Contender> allRedisContenders(BenchOptions o, String uri) {
        List<Contender> contenders = new ArrayList<>();
        addPipeline(o, contenders, "redis", uri);
        if (o.floors()) {
            contenders.add(new RedisRawContender(uri));
        }
        return contenders;
    }

    private static List<Contender> selected(BenchOptions o, List<Contender> contenders) {
        return contenders.stream().filter(c -> o.selects(c.name())).toList();
    }

    private static void runKafka(BenchOptions o, Progress bar, Map<String, String> info, Map<String, String> setups,
                                 List<Measurement> out, List<String> failures) {
        String given = o.kafkaBootstrap();
        KafkaBroker broker = null;
        String bootstrap;
        if (given != null) {
            bootstrap = given;
            info.put("kafka", "given address " + given + " (kafka-clients " + AppInfoParser.getVersion() + ")");
        } else {
            bar.say("starting Kafka (provisioning ladder: -D" + KafkaBroker.BOOTSTRAP_PROPERTY + ", Docker, local)...");
            broker = KafkaBroker.start();
            bootstrap = broker.bootstrapServers();
            info.put("kafka", broker.kind() == KafkaBroker.Kind.LOCAL_PROCESS
                    ? "Apache Kafka " + AppInfoParser.getVersion() + ", single-node KRaft broker in its own JVM at "
                    + bootstrap : broker.toString());
        }
        bar.say("Kafka at " + bootstrap);
        try {
            measure(o, bar, () -> kafkaContenders(o, bootstrap), setups, out, failures,
                    broker == null ? Optional.empty() : broker.localProcess());
        } finally {
            if (broker != null) {
                bar.say("stopping Kafka");
                broker.close();
            }
        }
    }

    private static void addPipeline(BenchOptions o, List<Contender> contenders, String broker, String uri) {
        contenders.add(new PipelineContender(broker, uri, PipelineContender.Server.DEFAULT));
        if (broker.equals("kafka") && (o.variants() || !o.only().isEmpty())) { // sequentially: callAsync, no wait
            contenders.add(PipelineContender.async(broker, uri));
        }
        if (o.blockingThreads() || !o.only().isEmpty()) { // under load: call() on a thread per call in flight
            contenders.add(PipelineContender.blockingThreads(broker, uri));
        }
        for (String query : broker.equals("kafka") ? o.kafkaVariants() : o.redisVariants()) {
            contenders.add(new PipelineContender(broker, uri, PipelineContender.Server.DEFAULT, query));
        }
        if (o.variants()) {
            contenders.add(new PipelineContender(broker, uri, PipelineContender.Server.DIRECT));
            if (broker.equals("kafka")) { // the transport that runs lone calls inline
                contenders.add(new PipelineContender(broker, uri, PipelineContender.Server.NO_INLINE));
            }
        }
        if (o.transportOnly()) {
            contenders.add(new TransportOnlyContender(broker, uri));
        }
        if (o.splitCore()) {
            contenders.add(new SplitCoreContender(broker, uri, SplitCoreContender.Side.CLIENT));
            contenders.add(new SplitCoreContender(broker, uri, SplitCoreContender.Side.SERVER));
        }
    }

    private static void runRedis(BenchOptions o, Progress bar, Map<String, String> info, Map<String, String> setups,
                                 List<Measurement> out, List<String> failures) {
        String uri = o.redisUri();
        RedisBroker broker = null;
        if (uri == null) {
            bar.say("starting Redis (provisioning ladder: -D" + RedisBroker.URI_PROPERTY + ", Docker, PATH, embedded)...");
            broker = RedisBroker.shared();
            uri = broker.uri().toString();
        }
        String version = redisVersion(uri);
        info.put("redis", (broker != null ? broker.description() : "given address") + " at " + uri
                + (version != null ? ", Redis " + version : ""));
        bar.say("Redis at " + uri + (version != null ? " (Redis " + version + ")" : ""));
        String at = uri;
        measure(o, bar, () -> redisContenders(o, at), setups, out, failures,
                broker == null ? Optional.empty() : broker.localProcess());
    }

    private static String redisVersion(String uri) {
        RedisClient client = RedisClient.create(RedisURI.create(uri));
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            for (String line : c.sync().info("server").split("\r?\n")) {
                if (line.startsWith("redis_version:")) {
                    return line.substring("redis_version:".length()).trim();
                }
            }
            return null;
        } catch (RuntimeException e) {
            return null;
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    /**
     * Starts every contender, warms each up, then measures every point with the contenders taking turns. With
     * {@link BenchOptions#fresh()}, each round after the first closes the contenders and measures new ones from
     * {@code make}, started in an order rotated by one per round.
     */
    private static void measure(BenchOptions o, Progress bar, Supplier<List<Contender>> make,
                                Map<String, String> setups, List<Measurement> out, List<String> failures,
                                Optional<ProcessHandle> brokerProcess) {
        Map<LatencyResult, CpuPerCall> cpu = new IdentityHashMap<>();
        Map<LatencyResult, KafkaRequestsPerCall> requests = new IdentityHashMap<>();
        List<Contender> running = new ArrayList<>();
        try {
            Map<String, List<LatencyResult>> rounds = new LinkedHashMap<>();
            Map<String, Contender> owners = new LinkedHashMap<>();
            for (int round = 1; round <= o.rounds(); round++) {
                if (round == 1 || o.fresh()) {
                    closeAll(bar, running);
                    List<Contender> made = new ArrayList<>(make.get());
                    java.util.Collections.rotate(made, -(round - 1));
                    int roundsCovered = o.fresh() ? 1 : o.rounds();
                    running.addAll(startAll(o, bar, made, setups, failures, roundsCovered));
                    settle(o, bar, running, brokerProcess);
                }
                measureRound(o, bar, running, round, failures, rounds, owners, cpu, requests, brokerProcess);
            }
            for (Map.Entry<String, List<LatencyResult>> e : rounds.entrySet()) {
                Contender c = owners.get(e.getKey());
                LatencyResult median = median(e.getValue());
                if (median != null) {
                    out.add(new Measurement(c.broker(), c.name(), c.role(), median, cpu.get(median),
                            requests.get(median), e.getValue()));
                }
            }
        } finally {
            closeAll(bar, running);
        }
    }

    /** One round: every point, the contenders taking turns (or interleaved, at sequential points). */
    private static void measureRound(BenchOptions o, Progress bar, List<Contender> running, int round,
                                     List<String> failures, Map<String, List<LatencyResult>> rounds,
                                     Map<String, Contender> owners, Map<LatencyResult, CpuPerCall> cpu,
                                     Map<LatencyResult, KafkaRequestsPerCall> requests,
                                     Optional<ProcessHandle> brokerProcess) {
        if (o.rounds() > 1) {
            bar.say("round " + round + " of " + o.rounds());
        }
        int point = 0;
        for (int payload : o.payloads()) {
            for (int inFlight : o.inFlight()) {
                // the implementations take turns, and the one going first rotates from point to point and, at
                // one point, from round to round: none always runs right after a change of payload or load
                // level, or always right after the same other one (a count of points per round that is a
                // multiple of the implementations' gave each point the same order in every round)
                List<Contender> turn = new ArrayList<>(running);
                java.util.Collections.rotate(turn, -(turnShift(point++, round, turn.size())));
                if (inFlight == 1 && o.interleave() && turn.size() > 1) {
                    interleaved(o, bar, turn, payload, failures, rounds, owners);
                    continue;
                }
                for (Contender c : turn) {
                    if (!o.warmup().isZero()) {
                        tryRun(c, warm(c, payload, inFlight, o.warmup()), null);
                    }
                    Workload w = Workload.builder(c.broker() + " " + c.name() + " " + Reports.size(payload)
                                    + " x" + inFlight).payloadBytes(payload).inFlight(inFlight)
                            .callerThreads(c.callerThreads()).warmupCalls(0)
                            .calls(Long.MAX_VALUE).duration(o.duration()).drainTimeout(Duration.ofSeconds(60))
                            .build();
                    CpuClock clock = CpuClock.start(brokerProcess);
                    KafkaRequestCounter counter = c.broker().equals("kafka") ? KafkaRequestCounter.start() : null;
                    LatencyResult r = tryRun(c, w, failures);
                    if (r != null) {
                        clock.perCall(r.calls()).ifPresent(x -> cpu.put(r, x));
                        if (counter != null) {
                            counter.perCall(r.calls()).ifPresent(x -> requests.put(r, x));
                        }
                    }
                    keep(bar, rounds, owners, c, payload, inFlight, r);
                }
            }
        }
    }

    /** Starts and warms up the contenders; returns those that started (each failure skips its points). */
    private static List<Contender> startAll(BenchOptions o, Progress bar, List<Contender> contenders,
                                            Map<String, String> setups, List<String> failures, int rounds) {
        List<Contender> started = new ArrayList<>();
        for (Contender c : contenders) {
            setups.put(c.broker() + " / " + c.name(), c.setup());
            bar.say("starting " + c.broker() + " " + c.name());
            try {
                c.start();
                started.add(c);
            } catch (Exception | LinkageError e) {
                String msg = c.broker() + " " + c.name() + ": could not start: " + oneLine(e);
                failures.add(msg);
                bar.say(msg);
                bar.skip(o.payloads().size() * o.inFlight().size() * rounds);
                c.close();
            }
        }
        if (!o.warmup().isZero()) {
            for (Contender c : started) {
                bar.say("warming up " + c.broker() + " " + c.name());
                int top = o.inFlight().get(o.inFlight().size() - 1);
                tryRun(c, warm(c, o.payloads().get(0), top, o.warmup().multipliedBy(3)), null);
                tryRun(c, warm(c, o.payloads().get(0), 1, o.warmup().multipliedBy(2)), null);
            }
        }
        return started;
    }

    private static void closeAll(Progress bar, List<Contender> running) {
        for (Contender c : running) {
            try {
                c.close();
            } catch (RuntimeException e) {
                bar.say("closing " + c.broker() + " " + c.name() + " failed: " + oneLine(e));
            }
        }
        running.clear();
    }

    /**
     * One sequential point with the implementations interleaved ({@link Interleaved}), after each one's warm-up. No
     * CPU or broker-request figures: the process's clocks cannot tell the implementations' calls apart.
     */
    private static void interleaved(BenchOptions o, Progress bar, List<Contender> turn, int payload,
                                    List<String> failures, Map<String, List<LatencyResult>> rounds,
                                    Map<String, Contender> owners) {
        List<Interleaved.Entrant> entrants = new ArrayList<>();
        for (Contender c : turn) {
            if (!o.warmup().isZero()) {
                tryRun(c, warm(c, payload, 1, o.warmup()), null);
            }
            entrants.add(new Interleaved.Entrant(c.name(), c.sequentialRoundTrip()));
        }
        Map<String, LatencyResult> results = Interleaved.run(turn.get(0).broker() + " " + Reports.size(payload)
                + " x1 interleaved", payload, entrants, o.duration(), Duration.ofSeconds(60));
        for (Contender c : turn) {
            LatencyResult r = results.get(c.name());
            if (r == null) {
                failures.add(c.broker() + " " + c.name() + " " + Reports.size(payload)
                        + " x1 interleaved: a round trip did not complete within 60 s");
            } else {
                c.afterRun();
            }
            keep(bar, rounds, owners, c, payload, 1, r);
        }
    }

    /** Adds one round's result of a point ({@code null}: the round failed) and shows it. */
    private static void keep(Progress bar, Map<String, List<LatencyResult>> rounds, Map<String, Contender> owners,
                             Contender c, int payload, int inFlight, LatencyResult r) {
        String key = c.name() + "\u0000" + payload + "\u0000" + inFlight;
        owners.put(key, c);
        rounds.computeIfAbsent(key, k -> new ArrayList<>()).add(r);
        bar.point(c, payload, inFlight, r);
    }

    /**
     * How far the implementations' order is rotated at point {@code point} (counted from 0 within a round) of round
     * {@code round} (from 1): by one more per point and, at one point, by one more per round, so that over as many
     * rounds as there are implementations each goes first once at every point.
     */
    static int turnShift(int point, int round, int implementations) {
        return implementations <= 1 ? 0 : Math.floorMod(point + round - 1, implementations);
    }

    /**
     * The median round of one point: by p50 for sequential points, by throughput otherwise. A real measurement, not
     * an average, so its percentiles stay consistent with each other. Failed rounds ({@code null}) are left out.
     */
    static LatencyResult median(List<LatencyResult> results) {
        List<LatencyResult> sorted = new ArrayList<>(results);
        sorted.removeIf(java.util.Objects::isNull);
        if (sorted.isEmpty()) {
            return null;
        }
        sorted.sort(java.util.Comparator.comparingDouble(r -> r.inFlight() == 1 ? r.p50Micros()
                : -r.throughputPerSecond()));
        return sorted.get((sorted.size() - 1) / 2);
    }

    /** The JIT counts as quiet when its compilers ran for at most this share of a pass's wall-clock time. */
    static final double QUIET_JIT_SHARE = 0.03;
    /** ... over quiet passes in a row lasting at least this long (it compiles in bursts). */
    static final long QUIET_NANOS = TimeUnit.SECONDS.toNanos(5);

    /**
     * Runs the implementations in turns (a second each at the top load level, 0.3 s sequentially, shorter when the
     * points are; one payload per pass) until passes in a row, one for every payload at least and {@link #QUIET_NANOS} together,
     * found the JIT compilers quiet, or for at most
     * {@link BenchOptions#settle()}. Without it the first points measured the JIT: on two cores compiler threads
     * took 1.8 s of a 3 s point, and were still busy 25 s into a run.
     */
    private static void settle(BenchOptions o, Progress bar, List<Contender> running,
                               Optional<ProcessHandle> brokerProcess) {
        if (o.settle().isZero() || running.isEmpty()) {
            return;
        }
        long start = System.nanoTime();
        long deadline = start + o.settle().toNanos();
        int top = o.inFlight().get(o.inFlight().size() - 1);
        Duration slice = o.duration().compareTo(Duration.ofSeconds(1)) < 0 ? o.duration() : Duration.ofSeconds(1);
        int quietInARow = 0;
        long quietNanos = 0;
        double share = Double.NaN;
        for (int pass = 0; ; pass++) {
            int payload = o.payloads().get(pass % o.payloads().size());
            long passStart = System.nanoTime();
            JitClock jit = JitClock.start(brokerProcess);
            for (Contender c : running) {
                tryRun(c, warm(c, payload, top, slice), null);
                tryRun(c, warm(c, payload, 1, slice.multipliedBy(3).dividedBy(10)), null);
            }
            share = jit.share();
            if (Double.isNaN(share)) {
                bar.say("this JVM does not report its JIT compilation time: not waiting for the JIT to settle");
                return;
            }
            boolean passQuiet = share <= QUIET_JIT_SHARE;
            quietInARow = passQuiet ? quietInARow + 1 : 0;
            quietNanos = passQuiet ? quietNanos + System.nanoTime() - passStart : 0;
            boolean quiet = quietInARow >= o.payloads().size() && quietNanos >= QUIET_NANOS;
            if (quiet || System.nanoTime() - deadline >= 0) {
                bar.say(String.format(Locale.ROOT, "JIT %s after %d s of turns (compilers ran %.1f%% of the last pass)",
                        quiet ? "quiet" : "still busy", (System.nanoTime() - start) / 1_000_000_000L, share * 100));
                return;
            }
        }
    }

    private static Workload warm(Contender c, int payload, int inFlight, Duration d) {
        return Workload.builder("warm-up " + c.broker() + " " + c.name()).payloadBytes(payload).inFlight(inFlight)
                .callerThreads(c.callerThreads()).warmupCalls(0).calls(Long.MAX_VALUE).duration(d)
                .drainTimeout(Duration.ofSeconds(60)).build();
    }

    private static LatencyResult tryRun(Contender c, Workload w, List<String> failures) {
        try {
            LatencyResult r = LatencyKit.run(w, w.inFlight() == 1 || w.callerThreads() ? c.sequentialRoundTrip()
                    : c.roundTrip());
            c.afterRun();
            return r;
        } catch (RuntimeException e) {
            if (failures != null) {
                failures.add(w.name() + ": " + oneLine(e));
            }
            return null;
        }
    }

    static String oneLine(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t && (t.getMessage() == null
                || t instanceof java.util.concurrent.ExecutionException)) {
            t = t.getCause();
        }
        String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getClass().getSimpleName() + ": "
                + t.getMessage();
        return m.replace('\n', ' ');
    }

    private static List<Path> write(ComparisonResult result, BenchOptions o, PrintStream progress) {
        Path dir = o.outputDir();
        List<Path> files = new ArrayList<>();
        try {
            Files.createDirectories(dir);
            Path md = dir.resolve("results.md");
            Files.writeString(md, result.markdown(), StandardCharsets.UTF_8);
            files.add(md);
            Path json = dir.resolve("results.json");
            Files.writeString(json, result.json() + "\n", StandardCharsets.UTF_8);
            files.add(json);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the results to " + dir + ": " + e.getMessage(), e);
        }
        if (o.chart()) {
            try {
                Path chart = Chart.write(result, dir);
                files.add(chart);
                if (chart.toString().endsWith(".svg")) {
                    progress.println("(this JVM cannot draw text into a PNG, so the chart is an SVG)");
                }
            } catch (IOException | RuntimeException e) {
                progress.println("could not draw the chart: " + oneLine(e));
            }
        }
        return files;
    }

    static Map<String, String> machine() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("cores", Integer.toString(Runtime.getRuntime().availableProcessors()));
        String cpu = cpuModel();
        if (cpu != null) {
            m.put("cpu", cpu);
        }
        try {
            var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            m.put("memory", String.format(Locale.ROOT, "%.1f GiB", os.getTotalMemorySize() / (1024.0 * 1024 * 1024)));
        } catch (RuntimeException | LinkageError e) {
            // not a HotSpot-like JVM
        }
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        m.put("bench heap", Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MiB");
        return m;
    }

    /** @return the 1, 5 and 15 minute load averages (Linux), or null. */
    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return null;
    }

    /** Prints one line per point with what is left. */
    static final class Progress {
        private final PrintStream out;
        private final int total;
        private final BenchOptions options;
        private int done;

        Progress(PrintStream out, int total, BenchOptions options) {
            this.out = out;
            this.total = total;
            this.options = options;
        }

        void say(String line) {
            out.println("  " + line);
            out.flush();
        }

        void skip(int points) {
            done += points;
        }

        void point(Contender c, int payload, int inFlight, LatencyResult r) {
            done++;
            long left = (long) (total - done) * (options.duration().toMillis() + options.warmup().toMillis()) / 1000;
            String what = String.format(Locale.ROOT, "[%3d/%d ~%dm%02ds left] %-5s %-28s %6s %4d in flight", done,
                    total, left / 60, left % 60, c.broker(), c.name(), Reports.size(payload), inFlight);
            if (r == null) {
                out.println(what + ": FAILED");
            } else {
                out.printf(Locale.ROOT, "%s: p50 %8s µs  p99 %8s µs  %9s calls/s%s%n", what, Reports.num(r.p50Micros()),
                        Reports.num(r.p99Micros()), Reports.num(r.throughputPerSecond()),
                        r.errors() > 0 ? "  (" + r.errors() + " errors)" : "");
            }
            out.flush();
        }
    }
}
