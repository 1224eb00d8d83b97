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
 * What a {@link BrokerComparison} run measured. Immutable.
 *
 * @param startedAt    when the run started
 * @param seconds      wall time of the whole run, brokers' start included
 * @param options      the options it ran with
 * @param machine      cores, CPU, memory, OS, JVM and load average of the machine
 * @param brokers      per broker, where it came from and its version
 * @param setups       per {@code broker / implementation}, how it was set up
 * @param measurements every measured point, in the order measured
 * @param failures     implementations or points that could not be measured, one line each
 * @param diagnostics  per broker, how the JIT settled before the first point (the JSON only)
 * @param files        files written
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

    /** What an implementation is in the comparison. */
    public enum Role {
        /** Pipeline with its defaults, through the public API. */
        PIPELINE,
        /** Pipeline with one setting changed. */
        VARIANT,
        /** The broker's raw client round trip: the floor. */
        FLOOR,
        /** A library users would otherwise pick (Spring Kafka's ReplyingKafkaTemplate). */
        COMPETITOR
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
