package dev.pipeline.rpc.tck.latency;

/**
 * What one {@link Workload} run measured. Latencies are of successful round trips only, in microseconds.
 *
 * @param name               the workload's name
 * @param mode               "sequential" or "pipelined"
 * @param inFlight           round trips in flight at once
 * @param payloadBytes       payload size
 * @param calls              measured round trips that succeeded
 * @param errors             measured round trips that failed (not in the latencies)
 * @param firstError         the first failure's description, or {@code null}
 * @param seconds            wall time of the measured phase
 * @param throughputPerSecond successful round trips per second over the measured phase
 * @param p50Micros          median latency
 * @param p90Micros          90th percentile
 * @param p99Micros          99th percentile
 * @param p999Micros         99.9th percentile
 * @param maxMicros          largest latency
 * @param meanMicros         mean latency
 */
public record LatencyResult(String name, String mode, int inFlight, int payloadBytes, long calls, long errors,
                            String firstError, double seconds, double throughputPerSecond, double p50Micros,
                            double p90Micros, double p99Micros, double p999Micros, double maxMicros,
                            double meanMicros) {
}
