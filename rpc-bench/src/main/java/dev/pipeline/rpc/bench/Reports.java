package dev.pipeline.rpc.bench;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import dev.pipeline.rpc.bench.ComparisonResult.CpuPerCall;
import dev.pipeline.rpc.bench.ComparisonResult.KafkaRequestsPerCall;
import dev.pipeline.rpc.bench.ComparisonResult.Measurement;
import dev.pipeline.rpc.bench.ComparisonResult.TargetCheck;
import dev.pipeline.rpc.tck.latency.LatencyResult;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/** Renders a {@link ComparisonResult} as Markdown and JSON. */
final class Reports {
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues()
            .create();
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")
            .withZone(ZoneOffset.UTC);

    private Reports() {
    }

    static String markdown(ComparisonResult r) {
        StringBuilder sb = new StringBuilder();
        BenchOptions o = r.options();
        sb.append("# Pipeline broker comparison\n\n");
        sb.append(String.format(Locale.ROOT, "Run %s, %.0f s in all; each point %s after a %s warm-up%s, closed loop "
                        + "(a call starts when one completes), echo of a string payload; %s%s.%n%n",
                WHEN.format(r.startedAt()), r.seconds(), Durations.format(o.duration()), Durations.format(o.warmup()),
                o.rounds() > 1 ? ", measured in " + o.rounds() + " rounds (the median round is shown; targets are"
                        + " judged on the median of the per-round ratios, each round's figures measured seconds apart)"
                        : "",
                o.interleave() ? "at sequential points the implementations of a broker are interleaved (call by call"
                        + " in turn, in an order shuffled every cycle), at the others they take turns"
                        : "the implementations of a broker take turns at each point",
                o.fresh() && o.rounds() > 1 ? "; every round measures new instances of them" : ""));
        sb.append("Machine: ").append(String.join("; ", r.machine().entrySet().stream()
                .map(e -> e.getKey() + " " + e.getValue()).toList())).append("\n\n");
        sb.append("Brokers:\n");
        r.brokers().forEach((b, d) -> sb.append("- ").append(b).append(": ").append(d).append('\n'));
        sb.append('\n');

        if (!r.targets().isEmpty()) {
            sb.append("## Targets\n\n| broker | payload | target | measured (ours vs reference) | met |\n");
            sb.append("|---|---:|---|---|:---:|\n");
            for (TargetCheck t : r.targets()) {
                sb.append("| ").append(t.broker()).append(" | ").append(size(t.payloadBytes())).append(" | ")
                        .append(t.target()).append(" | ").append(t.measured()).append(" | ")
                        .append(t.met().map(m -> m ? "yes" : "**no**").orElse("n/a")).append(" |\n");
            }
            sb.append('\n');
        }

        List<Integer> levels = o.inFlight();
        if (levels.contains(1)) {
            sb.append("## Sequential latency (1 call in flight), µs\n\n");
            sb.append("| broker | implementation | payload | p50 | p90 | p99 | p99.9 | max | p50 vs floor | p99 vs floor |\n");
            sb.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
            for (Row row : rows(r)) {
                LatencyResult s = row.at(1);
                if (s == null) {
                    continue;
                }
                Optional<LatencyResult> floor = Targets.find(r.measurements(), row.broker, Role.FLOOR, row.payload, 1);
                sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n",
                        row.broker, row.name, size(row.payload), num(s.p50Micros()), num(s.p90Micros()),
                        num(s.p99Micros()), num(s.p999Micros()), num(s.maxMicros()),
                        vs(s, floor, LatencyResult::p50Micros), vs(s, floor, LatencyResult::p99Micros)));
            }
            sb.append('\n');
        }

        int top = levels.get(levels.size() - 1);
        levelTable(sb, "Throughput, calls/s, by calls in flight", levels, "at " + top + " vs floor");
        for (Row row : rows(r)) {
            rowStart(sb, row);
            for (int l : levels) {
                LatencyResult x = row.at(l);
                sb.append(' ').append(x == null ? "–" : num(x.throughputPerSecond())).append(" |");
            }
            LatencyResult t = row.at(top);
            sb.append(' ').append(t == null ? "–" : vs(t, Targets.find(r.measurements(), row.broker, Role.FLOOR,
                    row.payload, top), LatencyResult::throughputPerSecond)).append(" |\n");
        }
        sb.append('\n');

        if (r.measurements().stream().anyMatch(m -> m.cpu() != null)) {
            perCallTable(sb, r, "CPU per call, µs: bench JVM (caller and server) + broker process, by calls in flight",
                    levels, Row::cpuAt, Reports::cpu, CpuPerCall::totalMicros);
        }
        if (r.measurements().stream().anyMatch(m -> m.requests() != null)) {
            perCallTable(sb, r, "Kafka requests per call, produce + fetch (all clients of the bench JVM), by calls in"
                    + " flight", levels, Row::requestsAt, Reports::requests, KafkaRequestsPerCall::total);
        }

        List<Integer> loaded = levels.stream().filter(l -> l > 1).toList();
        if (!loaded.isEmpty()) {
            levelTable(sb, "Latency under load, p50 / p99 µs, by calls in flight", loaded, null);
            for (Row row : rows(r)) {
                rowStart(sb, row);
                for (int l : loaded) {
                    LatencyResult x = row.at(l);
                    sb.append(' ').append(x == null ? "–" : num(x.p50Micros()) + " / " + num(x.p99Micros()))
                            .append(" |");
                }
                sb.append('\n');
            }
            sb.append('\n');
        }

        sb.append("## Implementations\n\n");
        r.setups().forEach((k, v) -> sb.append("- **").append(k).append("**: ").append(v).append('\n'));
        sb.append('\n');
        long errors = r.measurements().stream().mapToLong(m -> m.result().errors()).sum();
        if (errors > 0 || !r.failures().isEmpty()) {
            sb.append("## Failures\n\n");
            r.failures().forEach(f -> sb.append("- ").append(f).append('\n'));
            for (Measurement m : r.measurements()) {
                if (m.result().errors() > 0) {
                    sb.append("- ").append(m.broker()).append(' ').append(m.implementation()).append(' ')
                            .append(size(m.result().payloadBytes())).append(" at ").append(m.result().inFlight())
                            .append(" in flight: ").append(m.result().errors()).append(" failed calls (first: ")
                            .append(m.result().firstError()).append(")\n");
                }
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** A section title and the header of a table with a column per in-flight level (and one more if named). */
    /**
     * A table of one per-call figure by calls in flight, with the ratio of its total to the floor's at the top level;
     * rows without the figure at any level are left out.
     */
    private static <T> void perCallTable(StringBuilder sb, ComparisonResult r, String title, List<Integer> levels,
                                         BiFunction<Row, Integer, T> at, Function<T, String> format,
                                         ToDoubleFunction<T> total) {
        int top = levels.get(levels.size() - 1);
        List<Row> rows = rows(r);
        levelTable(sb, title, levels, "at " + top + " vs floor");
        for (Row row : rows) {
            if (levels.stream().allMatch(l -> at.apply(row, l) == null)) {
                continue;
            }
            rowStart(sb, row);
            for (int l : levels) {
                sb.append(' ').append(format.apply(at.apply(row, l))).append(" |");
            }
            T ours = at.apply(row, top);
            T floor = rows.stream().filter(x -> x.broker.equals(row.broker) && x.role == Role.FLOOR
                    && x.payload == row.payload).map(x -> at.apply(x, top)).filter(Objects::nonNull).findFirst()
                    .orElse(null);
            sb.append(' ').append(ours == null || floor == null || row.role == Role.FLOOR ? "–"
                    : String.format(Locale.ROOT, "%.2f×", total.applyAsDouble(ours) / total.applyAsDouble(floor)))
                    .append(" |\n");
        }
        sb.append('\n');
    }

    private static void levelTable(StringBuilder sb, String title, List<Integer> levels, String lastColumn) {
        sb.append("## ").append(title).append("\n\n| broker | implementation | payload |");
        levels.forEach(l -> sb.append(' ').append(l).append(" |"));
        if (lastColumn != null) {
            sb.append(' ').append(lastColumn).append(" |");
        }
        sb.append("\n|---|---|---:|");
        levels.forEach(l -> sb.append("---:|"));
        sb.append(lastColumn != null ? "---:|\n" : "\n");
    }

    private static void rowStart(StringBuilder sb, Row row) {
        sb.append("| ").append(row.broker).append(" | ").append(row.name).append(" | ").append(size(row.payload))
                .append(" |");
    }

    static String json(ComparisonResult r) {
        JsonObject root = new JsonObject();
        root.addProperty("startedAt", r.startedAt().toString());
        root.addProperty("seconds", r.seconds());
        JsonObject opts = new JsonObject();
        BenchOptions o = r.options();
        opts.addProperty("durationMs", o.duration().toMillis());
        opts.addProperty("warmupMs", o.warmup().toMillis());
        opts.addProperty("rounds", o.rounds());
        opts.add("inFlight", GSON.toJsonTree(o.inFlight()));
        opts.add("payloads", GSON.toJsonTree(o.payloads()));
        root.add("options", opts);
        root.add("machine", GSON.toJsonTree(r.machine()));
        root.add("brokers", GSON.toJsonTree(r.brokers()));
        root.add("implementations", GSON.toJsonTree(r.setups()));
        JsonArray ms = new JsonArray();
        for (Measurement m : r.measurements()) {
            JsonObject j = GSON.toJsonTree(m.result()).getAsJsonObject();
            j.addProperty("broker", m.broker());
            j.addProperty("implementation", m.implementation());
            j.addProperty("role", m.role().name().toLowerCase(Locale.ROOT));
            if (m.cpu() != null) {
                j.addProperty("cpuBenchMicrosPerCall", m.cpu().benchMicros());
                if (!Double.isNaN(m.cpu().brokerMicros())) {
                    j.addProperty("cpuBrokerMicrosPerCall", m.cpu().brokerMicros());
                }
                if (!Double.isNaN(m.cpu().jitShare())) {
                    j.addProperty("jitShare", m.cpu().jitShare());
                }
            }
            if (m.requests() != null) {
                j.addProperty("kafkaProduceRequestsPerCall", m.requests().produce());
                j.addProperty("kafkaFetchRequestsPerCall", m.requests().fetch());
            }
            if (m.rounds().size() > 1) {
                JsonArray rounds = new JsonArray();
                for (LatencyResult x : m.rounds()) {
                    if (x == null) {
                        rounds.add(JsonNull.INSTANCE); // the round failed
                        continue;
                    }
                    JsonObject round = new JsonObject();
                    round.addProperty("p50Micros", x.p50Micros());
                    round.addProperty("p99Micros", x.p99Micros());
                    round.addProperty("throughputPerSecond", x.throughputPerSecond());
                    rounds.add(round);
                }
                j.add("rounds", rounds);
            }
            ms.add(j);
        }
        root.add("measurements", ms);
        JsonArray ts = new JsonArray();
        for (TargetCheck t : r.targets()) {
            JsonObject j = new JsonObject();
            j.addProperty("broker", t.broker());
            j.addProperty("payloadBytes", t.payloadBytes());
            j.addProperty("target", t.target());
            j.addProperty("measured", t.measured());
            t.met().ifPresent(m -> j.addProperty("met", m));
            ts.add(j);
        }
        root.add("targets", ts);
        root.add("failures", GSON.toJsonTree(r.failures()));
        return GSON.toJson(root);
    }

    /** One implementation at one payload, with its points by in-flight level. */
    static final class Row {
        final String broker;
        final String name;
        final Role role;
        final int payload;
        final Map<Integer, LatencyResult> byInFlight = new LinkedHashMap<>();
        final Map<Integer, CpuPerCall> cpuByInFlight = new LinkedHashMap<>();
        final Map<Integer, KafkaRequestsPerCall> requestsByInFlight = new LinkedHashMap<>();

        Row(String broker, String name, Role role, int payload) {
            this.broker = broker;
            this.name = name;
            this.role = role;
            this.payload = payload;
        }

        LatencyResult at(int inFlight) {
            LatencyResult x = byInFlight.get(inFlight);
            return x == null || x.calls() == 0 ? null : x;
        }

        CpuPerCall cpuAt(int inFlight) {
            return at(inFlight) == null ? null : cpuByInFlight.get(inFlight);
        }

        KafkaRequestsPerCall requestsAt(int inFlight) {
            return at(inFlight) == null ? null : requestsByInFlight.get(inFlight);
        }
    }

    /** Rows by broker, then payload, then implementation in measuring order. */
    static List<Row> rows(ComparisonResult r) {
        Map<String, Row> rows = new LinkedHashMap<>();
        Set<String> brokers = new LinkedHashSet<>();
        Set<String> impls = new LinkedHashSet<>();
        for (Measurement m : r.measurements()) {
            brokers.add(m.broker());
            impls.add(m.broker() + "\u0000" + m.implementation());
        }
        for (String b : brokers) {
            for (int p : r.options().payloads()) {
                for (String key : impls) {
                    if (!key.startsWith(b + "\u0000")) {
                        continue;
                    }
                    for (Measurement m : r.measurements()) {
                        if ((m.broker() + "\u0000" + m.implementation()).equals(key) && m.result().payloadBytes() == p) {
                            Row row = rows.computeIfAbsent(key + "\u0000" + p, k -> new Row(m.broker(),
                                    m.implementation(), m.role(), p));
                            row.byInFlight.put(m.result().inFlight(), m.result());
                            if (m.cpu() != null) {
                                row.cpuByInFlight.put(m.result().inFlight(), m.cpu());
                            }
                            if (m.requests() != null) {
                                row.requestsByInFlight.put(m.result().inFlight(), m.requests());
                            }
                        }
                    }
                }
            }
        }
        return new ArrayList<>(rows.values());
    }

    private static String vs(LatencyResult x, Optional<LatencyResult> floor, Function<LatencyResult, Double> metric) {
        if (floor.isEmpty() || floor.get() == x || metric.apply(floor.get()) == 0) {
            return floor.isPresent() && floor.get() == x ? "1.00×" : "–";
        }
        return String.format(Locale.ROOT, "%.2f×", metric.apply(x) / metric.apply(floor.get()));
    }

    /**
     * {@code bench + broker}, or just the bench's figure when the broker's is unknown; with the JIT's share of the
     * point when it was {@value #JIT_NOTE_SHARE_PERCENT}% or more.
     */
    static String cpu(CpuPerCall c) {
        if (c == null) {
            return "–";
        }
        String s = Double.isNaN(c.brokerMicros()) ? String.format(Locale.ROOT, "%.1f", c.benchMicros())
                : String.format(Locale.ROOT, "%.1f + %.1f", c.benchMicros(), c.brokerMicros());
        return c.jitShare() >= JIT_NOTE_SHARE_PERCENT / 100.0
                ? s + String.format(Locale.ROOT, " (JIT %.0f%%)", c.jitShare() * 100) : s;
    }

    static final int JIT_NOTE_SHARE_PERCENT = 5;

    /** {@code produce + fetch}. */
    static String requests(KafkaRequestsPerCall q) {
        return q == null ? "–" : String.format(Locale.ROOT, "%.3f + %.3f", q.produce(), q.fetch());
    }

    /** 3 significant digits for small numbers, thousands separators for large ones. */
    static String num(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return "–";
        }
        if (v >= 1000) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        if (v >= 100) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        if (v >= 10) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        return String.format(Locale.ROOT, "%.2f", v);
    }

    static String size(int bytes) {
        if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) == 0) {
            return bytes / (1024 * 1024) + " MB";
        }
        if (bytes >= 1024 && bytes % 1024 == 0) {
            return bytes / 1024 + " KB";
        }
        return bytes + " B";
    }
}
