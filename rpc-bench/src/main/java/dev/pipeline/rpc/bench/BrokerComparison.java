package dev.pipeline.rpc.bench;

import dev.pipeline.rpc.bench.ComparisonResult.Measurement;
import dev.pipeline.rpc.spi.TransportProvider;
import dev.pipeline.rpc.tck.broker.KafkaBroker;
import dev.pipeline.rpc.tck.broker.RedisBroker;
import dev.pipeline.rpc.tck.latency.LatencyKit;
import dev.pipeline.rpc.tck.latency.LatencyResult;
import dev.pipeline.rpc.tck.latency.Workload;
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
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;

/**
 * The broker comparison: starts (or connects to) each broker, runs the same request/reply workloads on Pipeline, on
 * the broker's raw client floor and, on Kafka, on Spring Kafka's ReplyingKafkaTemplate, and writes
 * {@code results.md}, {@code results.json} and {@code chart.png}.
 *
 * <p>The implementations of one broker run side by side against the same broker. Sequential points interleave them
 * call by call ({@link Interleaved}); under load they take turns, the first one rotating from point to point.
 */
public final class BrokerComparison {
    /** The JIT counts as quiet when its compilers ran at most this share of a pass's wall time ... */
    static final double QUIET_JIT_SHARE = 0.03;
    /** ... over quiet passes in a row lasting at least this long (it compiles in bursts). */
    static final Duration QUIET_FOR = Duration.ofSeconds(5);
    private static final Duration DRAIN = Duration.ofSeconds(60);

    private BrokerComparison() {
    }

    /**
     * Runs the comparison and writes its files; prints progress to {@code progress} (one line per phase, with the
     * share done and the time left).
     *
     * @throws IllegalArgumentException when a requested transport is not on the class path, or an {@code --only}
     *                                  name labels no implementation
     * @throws UncheckedIOException     when the output folder cannot be written
     */
    public static ComparisonResult run(BenchOptions o, PrintStream progress) {
        Instant started = Instant.now();
        long t0 = System.nanoTime();
        String loadBefore = loadAverage();
        List<String> brokers = brokers(o);
        List<String> names = new ArrayList<>();
        int points = 0;
        for (String b : brokers) {
            List<Contender> all = contenders(o, b, b.equals("kafka") ? "localhost:9092" : "redis://localhost");
            all.forEach(c -> names.add(c.name()));
            points += all.stream().filter(c -> o.selects(c.name())).count();
        }
        for (String wanted : o.only()) {
            if (names.stream().noneMatch(wanted::equalsIgnoreCase)) {
                throw new IllegalArgumentException("--only '" + wanted + "' names no implementation of this run;"
                        + " there are: " + String.join("; ", names.stream().distinct().toList()));
            }
        }
        Progress bar = new Progress(progress, o, brokers.size(), points);
        bar.say("Pipeline broker comparison: " + o);
        Run run = new Run(o, bar);
        brokers.forEach(broker -> runBroker(run, broker));
        Map<String, String> machine = machine();
        machine.put("load average (1/5/15 min) before / after", loadBefore + " / " + loadAverage());
        ComparisonResult result = new ComparisonResult(started, (System.nanoTime() - t0) / 1e9, o, machine,
                run.brokerInfo, run.setups, run.measurements, run.failures, run.diagnostics, List.of());
        result = result.withFiles(write(result, bar));
        bar.say(String.format(Locale.ROOT, "done in %.0f s; written: %s", result.seconds(),
                String.join(", ", result.files().stream().map(Path::toString).toList())));
        return result;
    }

    /** What one run collects. */
    private record Run(BenchOptions o, Progress bar, Map<String, String> brokerInfo, Map<String, String> setups,
                       List<Measurement> measurements, List<String> failures, Map<String, String> diagnostics) {
        Run(BenchOptions o, Progress bar) {
            this(o, bar, new LinkedHashMap<>(), new LinkedHashMap<>(), new ArrayList<>(), new ArrayList<>(),
                    new LinkedHashMap<>());
        }
    }

    private static List<String> brokers(BenchOptions o) {
        TreeSet<String> available = new TreeSet<>();
        ServiceLoader.load(TransportProvider.class).forEach(p -> available.add(p.scheme()));
        List<String> wanted = o.transports().isEmpty()
                ? List.of("kafka", "redis").stream().filter(available::contains).toList() : o.transports();
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

    /** Every implementation of a broker; {@code --only} selects among them. */
    static List<Contender> contenders(BenchOptions o, String broker, String address) {
        boolean kafka = broker.equals("kafka");
        String uri = kafka ? "kafka://" + address : address;
        List<Contender> all = new ArrayList<>();
        all.add(new PipelineContender(broker, uri, PipelineContender.Server.DEFAULT, null));
        for (String query : o.kafkaVariants()) {
            if (kafka) {
                all.add(new PipelineContender(broker, uri, PipelineContender.Server.DEFAULT, query));
            }
        }
        if (o.variants() || !o.only().isEmpty()) {
            all.add(new PipelineContender(broker, uri, PipelineContender.Server.DIRECT, null));
        }
        all.add(kafka ? new KafkaRawContender(address) : new RedisRawContender(address));
        if (kafka) {
            all.add(new SpringReplyingContender(address));
        }
        return all;
    }

    /** Starts the broker unless one is given, measures on it, and stops it. */
    private static void runBroker(Run run, String broker) {
        boolean kafka = broker.equals("kafka");
        String address = kafka ? run.o.kafkaBootstrap() : run.o.redisUri();
        AutoCloseable started = null;
        Optional<ProcessHandle> process = Optional.empty();
        if (address == null) {
            run.bar.phase("starting " + broker);
            if (kafka) {
                KafkaBroker k = KafkaBroker.start();
                started = k;
                address = k.bootstrapServers();
                process = k.localProcess();
                run.brokerInfo.put(broker, (k.kind() == KafkaBroker.Kind.LOCAL_PROCESS ? "single-node KRaft Apache Kafka"
                        + " in its own JVM" : k.kind().name().toLowerCase(Locale.ROOT)) + " at " + address);
            } else {
                RedisBroker r = RedisBroker.shared(); // stops with the JVM
                address = r.uri().toString();
                process = r.localProcess();
                run.brokerInfo.put(broker, r.description() + " at " + address);
            }
        } else {
            run.brokerInfo.put(broker, "given address " + address);
        }
        if (kafka) {
            run.brokerInfo.merge(broker, " (kafka-clients " + AppInfoParser.getVersion() + ")", String::concat);
        }
        run.bar.credit(10);
        try {
            measure(run, broker, address, process);
        } finally {
            Contender.closeAll(started);
        }
    }

    /**
     * Starts the contenders, warms them up, lets the JIT settle, then measures every point of every round. With
     * {@link BenchOptions#fresh()} every round starts new instances, in an order rotated by one per round.
     */
    private static void measure(Run run, String broker, String address, Optional<ProcessHandle> brokerProcess) {
        BenchOptions o = run.o;
        Map<String, List<LatencyResult>> rounds = new LinkedHashMap<>();
        Map<String, Contender> owners = new LinkedHashMap<>();
        Map<LatencyResult, Double> jit = new java.util.IdentityHashMap<>();
        List<Contender> running = new ArrayList<>();
        try {
            for (int round = 1; round <= o.rounds(); round++) {
                if (round == 1 || o.fresh()) {
                    closeAll(running);
                    List<Contender> made = new ArrayList<>(contenders(o, broker, address).stream()
                            .filter(c -> o.selects(c.name())).toList());
                    Collections.rotate(made, -(round - 1));
                    running.addAll(startAll(run, made, o.fresh() ? 1 : o.rounds()));
                    settle(run, broker, running, brokerProcess);
                }
                int point = 0;
                for (int payload : o.payloads()) {
                    for (int inFlight : o.inFlight()) {
                        List<Contender> turn = new ArrayList<>(running);
                        Collections.rotate(turn, -turnShift(point++, round, turn.size()));
                        if (inFlight == 1 && turn.size() > 1) {
                            interleaved(run, turn, payload, rounds, owners);
                            continue;
                        }
                        for (Contender c : turn) {
                            tryRun(c, workload(c, payload, inFlight, o.warmup()), null);
                            JitClock clock = new JitClock(brokerProcess);
                            LatencyResult r = tryRun(c, workload(c, payload, inFlight, o.duration()), run.failures);
                            if (r != null) {
                                jit.put(r, clock.share());
                            }
                            keep(run, rounds, owners, c, payload, inFlight, r);
                        }
                    }
                }
            }
            rounds.forEach((key, results) -> {
                Contender c = owners.get(key);
                LatencyResult median = median(results);
                if (median != null) {
                    run.measurements.add(new Measurement(c.broker(), c.name(), c.role(), median,
                            jit.getOrDefault(median, Double.NaN),
                            results));
                }
            });
        } finally {
            closeAll(running);
        }
    }

    /** Starts and warms up the contenders; returns those that started (each failure skips its points). */
    private static List<Contender> startAll(Run run, List<Contender> contenders, int rounds) {
        BenchOptions o = run.o;
        List<Contender> started = new ArrayList<>();
        for (Contender c : contenders) {
            run.setups.put(c.broker() + " / " + c.name(), c.setup());
            run.bar.phase("starting " + c.broker() + " " + c.name());
            try {
                c.start();
                started.add(c);
            } catch (Exception | LinkageError e) {
                String msg = c.broker() + " " + c.name() + ": could not start: " + oneLine(e);
                run.failures.add(msg);
                run.bar.say(msg);
                run.bar.skip(o.payloads().size() * o.inFlight().size() * rounds);
                c.close();
            }
        }
        int top = o.inFlight().get(o.inFlight().size() - 1);
        for (Contender c : started) {
            tryRun(c, workload(c, o.payloads().get(0), top, o.warmup().multipliedBy(3)), null);
            tryRun(c, workload(c, o.payloads().get(0), 1, o.warmup().multipliedBy(2)), null);
        }
        run.bar.credit(contenders.size() * (3 + o.warmup().toMillis() * 5 / 1000.0));
        return started;
    }

    private static void closeAll(List<Contender> running) {
        running.forEach(Contender::close);
        running.clear();
    }

    /** One sequential point with the implementations interleaved, after each one's warm-up. */
    private static void interleaved(Run run, List<Contender> turn, int payload, Map<String, List<LatencyResult>> rounds,
                                    Map<String, Contender> owners) {
        List<Interleaved.Entrant> entrants = new ArrayList<>();
        for (Contender c : turn) {
            tryRun(c, workload(c, payload, 1, run.o.warmup()), null);
            entrants.add(new Interleaved.Entrant(c.name(), c.sequentialRoundTrip()));
        }
        String point = turn.get(0).broker() + " " + Reports.size(payload) + " x1 interleaved";
        Map<String, LatencyResult> results = Interleaved.run(point, payload, entrants, run.o.duration(), DRAIN);
        for (Contender c : turn) {
            LatencyResult r = results.get(c.name());
            if (r == null) {
                run.failures.add(c.broker() + " " + c.name() + " " + point + ": a call did not complete within 60 s");
            } else {
                c.afterRun();
            }
            keep(run, rounds, owners, c, payload, 1, r);
        }
    }

    private static void keep(Run run, Map<String, List<LatencyResult>> rounds, Map<String, Contender> owners,
                             Contender c, int payload, int inFlight, LatencyResult r) {
        String key = c.broker() + "\u0000" + c.name() + "\u0000" + payload + "\u0000" + inFlight;
        owners.put(key, c);
        rounds.computeIfAbsent(key, k -> new ArrayList<>()).add(r);
        run.bar.point(c, payload, inFlight, r);
    }

    /**
     * How far the order is rotated at {@code point} (from 0 within a round) of {@code round} (from 1): one more per
     * point and per round, so that over as many rounds as implementations each goes first once at every point.
     */
    static int turnShift(int point, int round, int implementations) {
        return implementations <= 1 ? 0 : Math.floorMod(point + round - 1, implementations);
    }

    /** The median round of a point (by p50 sequentially, by throughput under load); failed rounds left out. */
    static LatencyResult median(List<LatencyResult> results) {
        List<LatencyResult> sorted = new ArrayList<>(results);
        sorted.removeIf(Objects::isNull);
        sorted.sort(Comparator.comparingDouble(r -> r.inFlight() == 1 ? r.p50Micros() : -r.throughputPerSecond()));
        return sorted.isEmpty() ? null : sorted.get((sorted.size() - 1) / 2);
    }

    /**
     * Runs the implementations in turns (1 s each at the top level, 0.3 s sequentially, one payload per pass) until
     * passes in a row, one per payload at least and {@link #QUIET_FOR} together, found the JIT compilers quiet, or
     * for at most {@link BenchOptions#settle()}: on two cores the compilers otherwise take much of the first points.
     */
    private static void settle(Run run, String broker, List<Contender> running, Optional<ProcessHandle> process) {
        BenchOptions o = run.o;
        if (o.settle().isZero() || running.isEmpty()) {
            return;
        }
        run.bar.phase("settling the JIT on " + broker + " (at most " + BenchOptions.format(o.settle()) + ")");
        long start = System.nanoTime();
        int top = o.inFlight().get(o.inFlight().size() - 1);
        Duration slice = o.duration().compareTo(Duration.ofSeconds(1)) < 0 ? o.duration() : Duration.ofSeconds(1);
        int quietInARow = 0;
        long quietNanos = 0;
        for (int pass = 0; ; pass++) {
            int payload = o.payloads().get(pass % o.payloads().size());
            long passStart = System.nanoTime();
            JitClock jit = new JitClock(process);
            for (Contender c : running) {
                tryRun(c, workload(c, payload, top, slice), null);
                tryRun(c, workload(c, payload, 1, slice.multipliedBy(3).dividedBy(10)), null);
            }
            double share = jit.share();
            boolean passQuiet = share <= QUIET_JIT_SHARE;
            quietInARow = passQuiet ? quietInARow + 1 : 0;
            quietNanos = passQuiet ? quietNanos + System.nanoTime() - passStart : 0;
            boolean quiet = quietInARow >= o.payloads().size() && quietNanos >= QUIET_FOR.toNanos();
            if (quiet || Double.isNaN(share) || System.nanoTime() - start >= o.settle().toNanos()) {
                String said = String.format(Locale.ROOT, "JIT %s after %d s of turns (compilers ran %.1f%% of the"
                        + " last pass)", quiet ? "quiet" : "still busy", (System.nanoTime() - start) / 1_000_000_000L,
                        share * 100);
                run.diagnostics.merge(broker + " settle", said, (a, b) -> a + "; " + b);
                run.bar.credit(o.settle().toMillis() / 1000.0);
                run.bar.phase(said);
                return;
            }
        }
    }

    private static Workload workload(Contender c, int payload, int inFlight, Duration d) {
        return Workload.builder(c.broker() + " " + c.name() + " " + Reports.size(payload) + " x" + inFlight)
                .payloadBytes(payload).inFlight(inFlight).warmupCalls(0).calls(Long.MAX_VALUE)
                .duration(d.isZero() ? Duration.ofMillis(1) : d).drainTimeout(DRAIN).build();
    }

    private static LatencyResult tryRun(Contender c, Workload w, List<String> failures) {
        try {
            LatencyResult r = LatencyKit.run(w, w.inFlight() == 1 ? c.sequentialRoundTrip() : c.roundTrip());
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
                || t instanceof ExecutionException)) {
            t = t.getCause();
        }
        return (t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage()))
                .replace('\n', ' ');
    }

    private static List<Path> write(ComparisonResult result, Progress bar) {
        Path dir = result.options().outputDir();
        List<Path> files = new ArrayList<>();
        try {
            Files.createDirectories(dir);
            files.add(Files.writeString(dir.resolve("results.md"), result.markdown(), StandardCharsets.UTF_8));
            files.add(Files.writeString(dir.resolve("results.json"), result.json() + "\n", StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the results to " + dir + ": " + e.getMessage(), e);
        }
        if (result.options().chart()) {
            try {
                files.add(Chart.write(result, dir.resolve("chart.png")));
            } catch (IOException | RuntimeException | Error e) { // e.g. a JRE without fonts
                bar.say("could not draw the chart: " + oneLine(e));
            }
        }
        return files;
    }

    static Map<String, String> machine() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("cores", Integer.toString(Runtime.getRuntime().availableProcessors()));
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        m.put("bench heap", Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MiB");
        return m;
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    /**
     * The JIT compilers' time over one window: this JVM's {@code CompilationMXBean} time plus the CPU time of the
     * broker's {@code C1/C2 CompilerThread}s from {@code /proc} (Linux, a local broker).
     */
    static final class JitClock {
        private final Optional<ProcessHandle> broker;
        private final long start = System.nanoTime();
        private final long startMillis;

        JitClock(Optional<ProcessHandle> broker) {
            this.broker = broker;
            this.startMillis = millis(broker);
        }

        /** @return the compilers' time since the start over the wall time, or NaN when this JVM hides it */
        double share() {
            long now = millis(broker);
            return startMillis < 0 || now < 0 ? Double.NaN : (now - startMillis) / ((System.nanoTime() - start) / 1e6);
        }

        private static long millis(Optional<ProcessHandle> broker) {
            var compiler = ManagementFactory.getCompilationMXBean();
            if (compiler == null || !compiler.isCompilationTimeMonitoringSupported()) {
                return -1;
            }
            long ticks = 0; // the CPU clock ticks (USER_HZ, 100 on Linux) of the broker's compiler threads
            try (var tasks = Files.list(Path.of("/proc", broker.map(p -> Long.toString(p.pid())).orElse("-"), "task"))) {
                for (String stat : tasks.map(t -> readOrEmpty(t.resolve("stat"))).toList()) {
                    int close = stat.lastIndexOf(')');
                    if (close > 0 && stat.substring(stat.indexOf('(') + 1, close).contains("CompilerThre")) {
                        String[] f = stat.substring(close + 2).split(" "); // utime, stime: fields 14, 15
                        ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
                    }
                }
            } catch (IOException | RuntimeException e) {
                // no local broker, not Linux, or a thread ended meanwhile: this JVM's figure alone
            }
            return compiler.getTotalCompilationTime() + ticks * 10;
        }

        private static String readOrEmpty(Path file) {
            try {
                return Files.readString(file);
            } catch (IOException e) {
                return "";
            }
        }
    }

    /**
     * One line per phase and per measured point on the given stream, each with a bar, the share of the planned work
     * done and the time left (estimated from the plan, corrected by how fast the run has gone so far).
     */
    static final class Progress {
        private final PrintStream out;
        private final BenchOptions o;
        private final long start = System.nanoTime();
        private final double total;
        private double done;

        Progress(PrintStream out, BenchOptions o, int brokers, int implementations) {
            this.out = out;
            this.o = o;
            double points = (double) implementations * o.payloads().size() * o.inFlight().size() * o.rounds();
            int starts = o.fresh() ? o.rounds() : 1;
            this.total = points * pointSeconds() + brokers * starts * o.settle().toMillis() / 1000.0
                    + implementations * starts * (3 + o.warmup().toMillis() * 5 / 1000.0) + brokers * 10;
        }

        private double pointSeconds() {
            return (o.duration().toMillis() + o.warmup().toMillis()) / 1000.0;
        }

        void say(String line) {
            out.println(line);
            out.flush();
        }

        void credit(double seconds) {
            done += seconds;
        }

        void skip(int points) {
            done += points * pointSeconds();
        }

        void point(Contender c, int payload, int inFlight, LatencyResult r) {
            done += pointSeconds();
            String what = String.format(Locale.ROOT, "%s %s %s x%d", c.broker(), c.name(), Reports.size(payload),
                    inFlight);
            phase(r == null ? what + ": FAILED" : String.format(Locale.ROOT, "%s: p50 %s µs, p99 %s µs, %s calls/s",
                    what, Reports.num(r.p50Micros()), Reports.num(r.p99Micros()), Reports.num(r.throughputPerSecond())));
        }

        void phase(String what) {
            double share = Math.min(done / total, 0.99);
            double elapsed = (System.nanoTime() - start) / 1e9;
            double left = done <= 0 ? total : Math.max(0, (total - done) * Math.max(elapsed / done, 0.5));
            int filled = (int) Math.round(share * 20);
            say(String.format(Locale.ROOT, "[%s%s] %3.0f%% ~%dm%02ds left  %s", "#".repeat(filled),
                    ".".repeat(20 - filled), share * 100, (long) left / 60, (long) left % 60, what));
        }
    }
}
