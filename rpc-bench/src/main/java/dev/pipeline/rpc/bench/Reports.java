package dev.pipeline.rpc.bench;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.pipeline.rpc.bench.ComparisonResult.Measurement;
import dev.pipeline.rpc.bench.ComparisonResult.Role;
import dev.pipeline.rpc.tck.latency.LatencyResult;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;

/** Renders a {@link ComparisonResult}: Markdown that opens with the verdict, then the tables; and JSON. */
final class Reports {
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues()
            .create();
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")
            .withZone(ZoneOffset.UTC);

    private Reports() {
    }

    /**
     * Which broker serves one workload (e.g. {@code 100 B, 1 in flight}) better with Pipeline on it, by
     * {@code metric} (sequential: p50 µs, lower wins; under load: calls/s, higher wins): the {@code winner} (null
     * with one broker), by what {@code factor}, and Pipeline's and the raw floor's figures per broker.
     */
    record Verdict(String workload, String metric, String winner, double factor, Map<String, Double> pipeline,
                   Map<String, Double> floor) {
    }

    static List<Verdict> verdicts(ComparisonResult r) {
        List<String> brokers = r.measurements().stream().map(Measurement::broker).distinct().toList();
        List<Verdict> out = new ArrayList<>();
        for (int payload : r.options().payloads()) {
            for (int level : r.options().inFlight()) {
                ToDoubleFunction<LatencyResult> metric = level == 1 ? LatencyResult::p50Micros
                        : LatencyResult::throughputPerSecond;
                Map<String, Double> ours = new LinkedHashMap<>();
                Map<String, Double> floor = new LinkedHashMap<>();
                for (String b : brokers) {
                    find(r, b, Role.PIPELINE, payload, level).ifPresent(x -> ours.put(b, metric.applyAsDouble(x)));
                    find(r, b, Role.FLOOR, payload, level).ifPresent(x -> floor.put(b, metric.applyAsDouble(x)));
                }
                String winner = null;
                double factor = Double.NaN;
                if (ours.size() >= 2) {
                    List<Map.Entry<String, Double>> ranked = new ArrayList<>(ours.entrySet());
                    ranked.sort(Map.Entry.comparingByValue());
                    Map.Entry<String, Double> best = level == 1 ? ranked.get(0) : ranked.get(ranked.size() - 1);
                    Map.Entry<String, Double> next = level == 1 ? ranked.get(1) : ranked.get(ranked.size() - 2);
                    winner = best.getKey();
                    factor = level == 1 ? next.getValue() / best.getValue() : best.getValue() / next.getValue();
                }
                if (!ours.isEmpty()) {
                    out.add(new Verdict(size(payload) + ", " + level + " in flight", level == 1 ? "p50 µs"
                            : "calls/s", winner, factor, ours, floor));
                }
            }
        }
        return out;
    }

    static String markdown(ComparisonResult r) {
        BenchOptions o = r.options();
        List<String> brokers = r.measurements().stream().map(Measurement::broker).distinct().toList();
        StringBuilder sb = new StringBuilder("# Pipeline broker comparison\n\n## Verdict\n\n");
        sb.append("Which broker serves Pipeline's calls better, per workload (an echo of the payload, closed loop),"
                + " next to each broker's raw floor: its own client's round trip with nothing of Pipeline's on top."
                + " Sequential points compare p50 latency, the others throughput.\n\n| workload | winner |");
        brokers.forEach(b -> sb.append(' ').append(b).append(": pipeline | ").append(b).append(": raw floor |"));
        sb.append("\n|---|---|").append("---:|---:|".repeat(brokers.size())).append('\n');
        for (Verdict v : verdicts(r)) {
            sb.append("| ").append(v.workload()).append(", ").append(v.metric()).append(" | ").append(v.winner()
                    == null ? "–" : String.format(Locale.ROOT, "**%s**, %.2f× %s", v.winner(), v.factor(),
                    v.metric().equals("calls/s") ? "the calls/s" : "faster")).append(" |");
            for (String b : brokers) {
                sb.append(' ').append(num(v.pipeline().getOrDefault(b, Double.NaN))).append(" | ")
                        .append(num(v.floor().getOrDefault(b, Double.NaN))).append(" |");
            }
            sb.append('\n');
        }
        int top = o.inFlight().get(o.inFlight().size() - 1);
        sb.append("\nPipeline against the raw floor and against Spring Kafka's ReplyingKafkaTemplate (ratio of"
                + " Pipeline's figure to the other's: latency below 1× and calls/s above 1× favour Pipeline):\n\n"
                + "| broker | payload | against | p50, 1 in flight | p99, 1 in flight | calls/s, " + top
                + " in flight |\n|---|---|---|---:|---:|---:|\n");
        for (String b : brokers) {
            for (int p : o.payloads()) {
                for (Role other : List.of(Role.FLOOR, Role.COMPETITOR)) {
                    Optional<Measurement> name = r.measurements().stream().filter(m -> m.broker().equals(b)
                            && m.role() == other).findFirst();
                    if (name.isPresent()) {
                        sb.append("| ").append(b).append(" | ").append(size(p)).append(" | ")
                                .append(name.get().implementation()).append(" | ")
                                .append(ratio(r, b, other, p, 1, LatencyResult::p50Micros)).append(" | ")
                                .append(ratio(r, b, other, p, 1, LatencyResult::p99Micros)).append(" | ")
                                .append(top == 1 ? "–" : ratio(r, b, other, p, top,
                                        LatencyResult::throughputPerSecond)).append(" |\n");
                    }
                }
            }
        }
        List<Integer> loaded = o.inFlight().stream().filter(l -> l > 1).toList();
        if (o.inFlight().contains(1)) {
            sb.append("\n## Sequential latency (1 call in flight), µs\n\n| broker | implementation | payload | p50 | p90"
                    + " | p99 | p99.9 | max |\n|---|---|---:|---:|---:|---:|---:|---:|\n");
            for (Measurement m : sorted(r, 1)) {
                LatencyResult x = m.result();
                sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s |%n", m.broker(),
                        m.implementation(), size(x.payloadBytes()), num(x.p50Micros()), num(x.p90Micros()),
                        num(x.p99Micros()), num(x.p999Micros()), num(x.maxMicros())));
            }
        }
        table(sb, r, "Throughput, calls/s, by calls in flight", o.inFlight(), x -> num(x.throughputPerSecond()));
        if (!loaded.isEmpty()) {
            table(sb, r, "Latency under load, p50 / p99 µs, by calls in flight", loaded,
                    x -> num(x.p50Micros()) + " / " + num(x.p99Micros()));
        }
        sb.append(String.format(Locale.ROOT, "%n## The run%n%nRun %s, %.0f s in all; %s. Each point %s after a %s"
                        + " warm-up%s; closed loop; sequential points interleave a broker's implementations call by"
                        + " call, under load they take turns.%n%n", WHEN.format(r.startedAt()), r.seconds(), o,
                BenchOptions.format(o.duration()), BenchOptions.format(o.warmup()),
                o.rounds() > 1 ? ", in " + o.rounds() + " rounds (the median round is shown)" : ""));
        sb.append("Machine: ").append(String.join("; ", r.machine().entrySet().stream()
                .map(e -> e.getKey() + " " + e.getValue()).toList())).append("\n\n");
        r.brokers().forEach((b, d) -> sb.append("- ").append(b).append(": ").append(d).append('\n'));
        r.setups().forEach((k, v) -> sb.append("- **").append(k).append("**: ").append(v).append('\n'));
        if (!r.failures().isEmpty()) {
            sb.append("\n## Failures\n\n");
            r.failures().forEach(f -> sb.append("- ").append(f).append('\n'));
        }
        return sb.toString();
    }

    /** A table of one figure per implementation and payload, a column per in-flight level. */
    private static void table(StringBuilder sb, ComparisonResult r, String title, List<Integer> levels,
                              java.util.function.Function<LatencyResult, String> cell) {
        sb.append("\n## ").append(title).append("\n\n| broker | implementation | payload |");
        levels.forEach(l -> sb.append(' ').append(l).append(" |"));
        sb.append("\n|---|---|---:|").append("---:|".repeat(levels.size())).append('\n');
        for (Measurement first : sorted(r, levels.get(0))) {
            sb.append("| ").append(first.broker()).append(" | ").append(first.implementation()).append(" | ")
                    .append(size(first.result().payloadBytes())).append(" |");
            for (int l : levels) {
                Optional<LatencyResult> x = find(r, first.broker(), first.implementation(),
                        first.result().payloadBytes(), l);
                sb.append(' ').append(x.map(cell).orElse("–")).append(" |");
            }
            sb.append('\n');
        }
    }

    /** The points at one level, by broker, payload, role, then the order measured. */
    private static List<Measurement> sorted(ComparisonResult r, int inFlight) {
        List<String> brokers = r.measurements().stream().map(Measurement::broker).distinct().toList();
        return r.measurements().stream().filter(m -> m.result().inFlight() == inFlight)
                .sorted(java.util.Comparator.<Measurement>comparingInt(m -> brokers.indexOf(m.broker()))
                        .thenComparingInt(m -> m.result().payloadBytes()).thenComparing(Measurement::role)).toList();
    }

    private static String ratio(ComparisonResult r, String broker, Role other, int payload, int inFlight,
                                ToDoubleFunction<LatencyResult> metric) {
        Optional<LatencyResult> ours = find(r, broker, Role.PIPELINE, payload, inFlight);
        Optional<LatencyResult> them = find(r, broker, other, payload, inFlight);
        return ours.isEmpty() || them.isEmpty() ? "–" : String.format(Locale.ROOT, "%.2f×",
                metric.applyAsDouble(ours.get()) / metric.applyAsDouble(them.get()));
    }

    static Optional<LatencyResult> find(ComparisonResult r, String broker, Role role, int payload, int inFlight) {
        return find(r, broker, m -> m.role() == role, payload, inFlight);
    }

    static Optional<LatencyResult> find(ComparisonResult r, String broker, String implementation, int payload,
                                        int inFlight) {
        return find(r, broker, m -> m.implementation().equals(implementation), payload, inFlight);
    }

    private static Optional<LatencyResult> find(ComparisonResult r, String broker, Predicate<Measurement> which,
                                                int payload, int inFlight) {
        return r.measurements().stream().filter(m -> m.broker().equals(broker) && which.test(m))
                .map(Measurement::result).filter(x -> x.payloadBytes() == payload && x.inFlight() == inFlight
                        && x.calls() > 0).findFirst();
    }

    static String json(ComparisonResult r) {
        JsonObject root = new JsonObject();
        root.addProperty("startedAt", r.startedAt().toString());
        root.addProperty("seconds", r.seconds());
        root.addProperty("options", r.options().toString());
        root.add("verdicts", GSON.toJsonTree(verdicts(r)));
        root.add("machine", GSON.toJsonTree(r.machine()));
        root.add("brokers", GSON.toJsonTree(r.brokers()));
        root.add("implementations", GSON.toJsonTree(r.setups()));
        root.add("diagnostics", GSON.toJsonTree(r.diagnostics()));
        JsonArray ms = new JsonArray();
        for (Measurement m : r.measurements()) {
            JsonObject j = GSON.toJsonTree(m.result()).getAsJsonObject();
            j.addProperty("broker", m.broker());
            j.addProperty("implementation", m.implementation());
            j.addProperty("role", m.role().name().toLowerCase(Locale.ROOT));
            if (!Double.isNaN(m.jitShare())) { // a diagnostic: above a few percent the point measured the JIT too
                j.addProperty("jitShare", m.jitShare());
            }
            if (m.rounds().size() > 1) {
                JsonArray rounds = new JsonArray();
                m.rounds().forEach(x -> rounds.add(x == null ? null : GSON.toJsonTree(Map.of("p50Micros",
                        x.p50Micros(), "p99Micros", x.p99Micros(), "throughputPerSecond", x.throughputPerSecond()))));
                j.add("rounds", rounds);
            }
            ms.add(j);
        }
        root.add("measurements", ms);
        root.add("failures", GSON.toJsonTree(r.failures()));
        return GSON.toJson(root);
    }

    /** 3 significant digits for small numbers, thousands separators for large ones. */
    static String num(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return "–";
        }
        return String.format(Locale.ROOT, v >= 1000 ? "%,.0f" : v >= 100 ? "%.0f" : v >= 10 ? "%.1f" : "%.2f", v);
    }

    static String size(int bytes) {
        if (bytes >= 1 << 20 && bytes % (1 << 20) == 0) {
            return (bytes >> 20) + " MB";
        }
        return bytes >= 1024 && bytes % 1024 == 0 ? bytes / 1024 + " KB" : bytes + " B";
    }
}
