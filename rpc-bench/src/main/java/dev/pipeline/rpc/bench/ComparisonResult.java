package dev.pipeline.rpc.bench;

import dev.pipeline.rpc.tck.latency.LatencyResult;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a {@link BrokerComparison} run measured: when, how long (brokers' start included), with which options, on
 * which machine and brokers, how each implementation was set up, every point in the order measured, what failed,
 * the diagnostics that go into the JSON only (how the JIT settled), and the files written. Immutable.
 */
public record ComparisonResult(Instant startedAt, double seconds, BenchOptions options, Map<String, String> machine,
                               Map<String, String> brokers, Map<String, String> setups,
                               List<Measurement> measurements, List<String> failures,
                               Map<String, String> diagnostics, List<Path> files) {
    public ComparisonResult {
        machine = Collections.unmodifiableMap(new LinkedHashMap<>(machine));
        brokers = Collections.unmodifiableMap(new LinkedHashMap<>(brokers));
        setups = Collections.unmodifiableMap(new LinkedHashMap<>(setups));
        diagnostics = Collections.unmodifiableMap(new LinkedHashMap<>(diagnostics));
        measurements = List.copyOf(measurements);
        failures = List.copyOf(failures);
        files = List.copyOf(files);
    }

    /** What an implementation is in the comparison, in the order of the tables and the chart. */
    public enum Role {
        /** Pipeline with its defaults, through the public API. */
        PIPELINE,
        /** The broker's raw client round trip: the floor. */
        FLOOR,
        /** A library users would otherwise pick (Spring Kafka's ReplyingKafkaTemplate). */
        COMPETITOR,
        /** Pipeline with one setting changed. */
        VARIANT
    }

    /**
     * One measured point.
     *
     * @param broker         {@code kafka} or {@code redis}
     * @param implementation label, e.g. {@code pipeline}, {@code raw floor}
     * @param role           what the implementation is in the comparison
     * @param result         the median round's result (latencies in µs, throughput in calls/s)
     * @param jitShare       a diagnostic: the JIT compilers' time during the point over its wall time, or
     *                       {@code NaN} (unknown, or an interleaved sequential point)
     * @param rounds         the point's result in each round, {@code null} where the round failed
     */
    public record Measurement(String broker, String implementation, Role role, LatencyResult result, double jitShare,
                              List<LatencyResult> rounds) {
        public Measurement {
            Objects.requireNonNull(broker, "broker");
            Objects.requireNonNull(implementation, "implementation");
            Objects.requireNonNull(role, "role");
            Objects.requireNonNull(result, "result");
            rounds = rounds == null || rounds.isEmpty() ? List.of(result)
                    : Collections.unmodifiableList(new ArrayList<>(rounds));
        }

        /** A point of one round without a JIT figure. */
        public Measurement(String broker, String implementation, Role role, LatencyResult result) {
            this(broker, implementation, role, result, Double.NaN, null);
        }
    }

    ComparisonResult withFiles(List<Path> written) {
        return new ComparisonResult(startedAt, seconds, options, machine, brokers, setups, measurements, failures,
                diagnostics, written);
    }

    /** @return the report as Markdown (the content of {@code results.md}), opening with the verdict */
    public String markdown() {
        return Reports.markdown(this);
    }

    /** @return the report as JSON (the content of {@code results.json}), diagnostics included */
    public String json() {
        return Reports.json(this);
    }
}
