package dev.pipeline.rpc.bench;

import dev.pipeline.rpc.bench.ComparisonResult.Measurement;
import dev.pipeline.rpc.bench.ComparisonResult.TargetCheck;
import dev.pipeline.rpc.tck.latency.LatencyResult;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

/**
 * The targets of the Kafka and Redis issues: sequential p50 at most 1.2x the raw floor's; throughput at the highest
 * in-flight level (256 by default) at least 0.7x the raw pipelined floor's; on Kafka better than Spring's
 * ReplyingKafkaTemplate on sequential p50 and p99 and on throughput at the highest level.
 *
 * <p>With several rounds a target is judged on the median of the per-round ratios: each round's two figures were
 * measured seconds apart (the implementations take turns), so a host that is busier in one round than in another
 * moves both; the ratio of the two median rounds, which can come from different rounds, is shown beside it.
 */
final class Targets {
    static final double P50_MAX_RATIO = 1.2;
    static final double THROUGHPUT_MIN_RATIO = 0.7;

    private Targets() {
    }

    static List<TargetCheck> check(List<Measurement> all, BenchOptions options) {
        List<TargetCheck> checks = new ArrayList<>();
        Set<String> brokers = new LinkedHashSet<>();
        all.forEach(m -> brokers.add(m.broker()));
        int top = options.inFlight().get(options.inFlight().size() - 1);
        boolean hasSequential = options.inFlight().contains(1);
        for (String broker : brokers) {
            for (int payload : options.payloads()) {
                Optional<Measurement> oursSeq = measurement(all, broker, Role.PIPELINE, payload, 1);
                Optional<Measurement> floorSeq = measurement(all, broker, Role.FLOOR, payload, 1);
                Optional<Measurement> oursTop = measurement(all, broker, Role.PIPELINE, payload, top);
                Optional<Measurement> floorTop = measurement(all, broker, Role.FLOOR, payload, top);
                if (hasSequential) {
                    checks.add(ratio(broker, payload, "sequential p50 ≤ " + P50_MAX_RATIO + "× raw floor", oursSeq,
                            floorSeq, LatencyResult::p50Micros, "µs", true, P50_MAX_RATIO));
                }
                if (top > 1) {
                    checks.add(ratio(broker, payload, "throughput at " + top + " in flight ≥ " + THROUGHPUT_MIN_RATIO
                                    + "× raw pipelined floor", oursTop, floorTop, LatencyResult::throughputPerSecond,
                            "calls/s", false, THROUGHPUT_MIN_RATIO));
                }
                if (all.stream().anyMatch(m -> m.broker().equals(broker) && m.role() == Role.COMPETITOR)) {
                    Optional<Measurement> rivalSeq = measurement(all, broker, Role.COMPETITOR, payload, 1);
                    Optional<Measurement> rivalTop = measurement(all, broker, Role.COMPETITOR, payload, top);
                    String rival = all.stream().filter(m -> m.role() == Role.COMPETITOR && m.broker().equals(broker))
                            .findFirst().map(Measurement::implementation).orElse("competitor");
                    if (hasSequential) {
                        checks.add(ratio(broker, payload, "sequential p50 better than " + rival, oursSeq, rivalSeq,
                                LatencyResult::p50Micros, "µs", true, 1.0));
                        checks.add(ratio(broker, payload, "sequential p99 better than " + rival, oursSeq, rivalSeq,
                                LatencyResult::p99Micros, "µs", true, 1.0));
                    }
                    if (top > 1) {
                        checks.add(ratio(broker, payload, "throughput at " + top + " in flight better than " + rival,
                                oursTop, rivalTop, LatencyResult::throughputPerSecond, "calls/s", false, 1.0));
                    }
                }
            }
        }
        return checks;
    }

    /**
     * Ours / reference; lower-is-better metrics must be ≤ limit (strictly below when limit is 1), others ≥ it. Judged
     * on the median of the per-round ratios when at least two rounds have both figures, else on the median rounds.
     */
    private static TargetCheck ratio(String broker, int payload, String target, Optional<Measurement> ours,
                                     Optional<Measurement> reference, ToDoubleFunction<LatencyResult> metric,
                                     String unit, boolean lowerIsBetter, double limit) {
        if (ours.isEmpty() || reference.isEmpty()) {
            return new TargetCheck(broker, payload, target, "not measured", Optional.empty());
        }
        double a = metric.applyAsDouble(ours.get().result());
        double b = metric.applyAsDouble(reference.get().result());
        double r = b == 0 ? Double.POSITIVE_INFINITY : a / b;
        String measured = String.format(Locale.ROOT, "%s vs %s %s = %.2f×", Reports.num(a), Reports.num(b), unit, r);
        List<Double> perRound = perRoundRatios(ours.get().rounds(), reference.get().rounds(), metric);
        if (perRound.size() >= 2) {
            r = medianOf(perRound);
            String rounds = perRound.stream().map(x -> String.format(Locale.ROOT, "%.2f", x))
                    .collect(Collectors.joining(", "));
            measured = String.format(Locale.ROOT, "%.2f× (per round %s); median rounds %s", r, rounds, measured);
        }
        boolean met;
        if (lowerIsBetter) {
            met = limit == 1.0 ? r < 1.0 : r <= limit;
        } else {
            met = limit == 1.0 ? r > 1.0 : r >= limit;
        }
        return new TargetCheck(broker, payload, target, measured, Optional.of(met));
    }

    /** Ours / reference in each round where both have a result, in round order. */
    static List<Double> perRoundRatios(List<LatencyResult> ours, List<LatencyResult> reference,
                                       ToDoubleFunction<LatencyResult> metric) {
        List<Double> ratios = new ArrayList<>();
        for (int i = 0; i < Math.min(ours.size(), reference.size()); i++) {
            LatencyResult a = ours.get(i);
            LatencyResult b = reference.get(i);
            if (a != null && b != null && a.calls() > 0 && b.calls() > 0) {
                double y = metric.applyAsDouble(b);
                ratios.add(y == 0 ? Double.POSITIVE_INFINITY : metric.applyAsDouble(a) / y);
            }
        }
        return ratios;
    }

    /** The median; of an even count, the mean of the middle two. */
    static double medianOf(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    static Optional<Measurement> measurement(List<Measurement> all, String broker, Role role, int payload,
                                             int inFlight) {
        return all.stream().filter(m -> m.broker().equals(broker) && m.role() == role
                        && m.result().payloadBytes() == payload && m.result().inFlight() == inFlight
                        && m.result().calls() > 0)
                .findFirst();
    }

    static Optional<LatencyResult> find(List<Measurement> all, String broker, Role role, int payload, int inFlight) {
        return measurement(all, broker, role, payload, inFlight).map(Measurement::result);
    }
}
