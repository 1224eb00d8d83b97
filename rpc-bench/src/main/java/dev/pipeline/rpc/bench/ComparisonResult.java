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
import java.util.Optional;

/**
 * What a {@link BrokerComparison} run measured: every point, the target checks derived from them, where the
 * brokers came from, and the files written. Immutable.
 */
public final class ComparisonResult {
    /**
     * One measured point.
     *
     * @param broker         {@code kafka} or {@code redis}
     * @param implementation label, e.g. {@code pipeline}, {@code raw floor}, {@code spring ReplyingKafkaTemplate}
     * @param role           what the implementation is in the comparison
     * @param result         the latency kit's result (latencies in µs, throughput in calls/s)
     * @param cpu            CPU time the point cost per call, or {@code null} when it could not be read
     * @param requests       Kafka requests the point cost per call, or {@code null} (Redis, or not read)
     * @param rounds         the point's result in each round, in round order, {@code null} where the round failed
     *                       ({@code result} is the median one); one element, {@code result}, with a single round
     */
    public record Measurement(String broker, String implementation, Role role, LatencyResult result, CpuPerCall cpu,
                              KafkaRequestsPerCall requests, List<LatencyResult> rounds) {
        public Measurement {
            Objects.requireNonNull(broker, "broker");
            Objects.requireNonNull(implementation, "implementation");
            Objects.requireNonNull(role, "role");
            Objects.requireNonNull(result, "result");
            rounds = rounds == null || rounds.isEmpty() ? List.of(result)
                    : Collections.unmodifiableList(new ArrayList<>(rounds));
        }

        /** A point measured in one round. */
        public Measurement(String broker, String implementation, Role role, LatencyResult result, CpuPerCall cpu,
                           KafkaRequestsPerCall requests) {
            this(broker, implementation, role, result, cpu, requests, null);
        }

        /** A point without request counts. */
        public Measurement(String broker, String implementation, Role role, LatencyResult result, CpuPerCall cpu) {
            this(broker, implementation, role, result, cpu, null, null);
        }

        /** A point without CPU figures or request counts. */
        public Measurement(String broker, String implementation, Role role, LatencyResult result) {
            this(broker, implementation, role, result, null, null, null);
        }
    }

    /**
     * CPU time per successful call over one measured point: what throughput on a machine with few cores is made of,
     * and steadier from run to run than throughput itself.
     *
     * @param benchMicros  CPU µs per call of the benchmark's JVM: the caller and the server side together, plus
     *                     whatever else that JVM did meanwhile (JIT compilation, GC, the idle contenders' polls)
     * @param brokerMicros CPU µs per call of the broker's process, or {@code NaN} when the broker is not a local
     *                     process whose CPU time can be read (a given address, a container)
     * @param jitShare     time the JIT compilers of the bench JVM and of the broker (where readable) ran during the
     *                     point, as a share of the point's wall-clock time, or {@code NaN} when unknown: above a few
     *                     percent the point measured the JIT as well
     */
    public record CpuPerCall(double benchMicros, double brokerMicros, double jitShare) {
        /** Without a JIT figure. */
        public CpuPerCall(double benchMicros, double brokerMicros) {
            this(benchMicros, brokerMicros, Double.NaN);
        }

        /** @return bench and broker together; just the bench's when the broker's is unknown */
        public double totalMicros() {
            return Double.isNaN(brokerMicros) ? benchMicros : benchMicros + brokerMicros;
        }
    }

    /**
     * Kafka requests the benchmark's JVM sent per successful call over one measured point (caller and server side
     * together). The broker pays for every request before the records in it, so fewer, fuller requests cost it less.
     *
     * @param produce produce requests per call (a round trip produces twice: the request and the reply)
     * @param fetch   fetch requests per call (a round trip is fetched twice: by the server and by the caller)
     */
    public record KafkaRequestsPerCall(double produce, double fetch) {
        /** @return produce and fetch requests together */
        public double total() {
            return produce + fetch;
        }
    }

    /**
     * One target of the transport issues, checked against this run.
     *
     * @param broker       the broker
     * @param payloadBytes the payload size the check is about
     * @param target       the target, e.g. {@code sequential p50 ≤ 1.2× raw floor}
     * @param measured     the numbers behind the verdict
     * @param met          whether it is met; empty when this run lacks a number it needs
     */
    public record TargetCheck(String broker, int payloadBytes, String target, String measured, Optional<Boolean> met) {
    }

    private final Instant startedAt;
    private final double seconds;
    private final BenchOptions options;
    private final Map<String, String> machine;
    private final Map<String, String> brokers;
    private final Map<String, String> setups;
    private final List<Measurement> measurements;
    private final List<String> failures;
    private final List<TargetCheck> targets;
    private final List<Path> files;

    ComparisonResult(Instant startedAt, double seconds, BenchOptions options, Map<String, String> machine,
                     Map<String, String> brokers, Map<String, String> setups, List<Measurement> measurements,
                     List<String> failures, List<Path> files) {
        this.startedAt = startedAt;
        this.seconds = seconds;
        this.options = options;
        this.machine = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(machine));
        this.brokers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(brokers));
        this.setups = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(setups));
        this.measurements = List.copyOf(measurements);
        this.failures = List.copyOf(failures);
        this.targets = List.copyOf(Targets.check(this.measurements, options));
        this.files = List.copyOf(files);
    }

    ComparisonResult withFiles(List<Path> written) {
        List<Path> all = new ArrayList<>(files);
        all.addAll(written);
        return new ComparisonResult(startedAt, seconds, options, machine, brokers, setups, measurements, failures,
                all);
    }

    /** When the run started. */
    public Instant startedAt() {
        return startedAt;
    }

    /** Wall time of the whole run, brokers' start included. */
    public double seconds() {
        return seconds;
    }

    /** The options it ran with. */
    public BenchOptions options() {
        return options;
    }

    /** Cores, CPU, memory, OS and JVM of the machine it ran on. */
    public Map<String, String> machine() {
        return machine;
    }

    /** Per broker, where it came from (local process, given address...) and its version when known. */
    public Map<String, String> brokers() {
        return brokers;
    }

    /** Per {@code broker/implementation}, how it was set up and tuned. */
    public Map<String, String> setups() {
        return setups;
    }

    /** Every measured point, in the order measured. */
    public List<Measurement> measurements() {
        return measurements;
    }

    /** Implementations or points that could not be measured, one line each. */
    public List<String> failures() {
        return failures;
    }

    /** The targets of the transport issues, checked against this run. */
    public List<TargetCheck> targets() {
        return targets;
    }

    /** Files written (Markdown, JSON, chart). */
    public List<Path> files() {
        return files;
    }

    /** @return the report as Markdown (the content of {@code results.md}). */
    public String markdown() {
        return Reports.markdown(this);
    }

    /** @return the report as JSON (the content of {@code results.json}). */
    public String json() {
        return Reports.json(this);
    }
}
