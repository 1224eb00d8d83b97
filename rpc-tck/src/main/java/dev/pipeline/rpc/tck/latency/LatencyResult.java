package dev.pipeline.rpc.tck.latency;

import org.HdrHistogram.Histogram;

/**
 * What one {@link Workload} run measured. Latencies are of successful round trips only, in microseconds.
 *
 * @param name               the workload's name
 * @param mode               "sequential", "pipelined" or "threads" ({@link Workload#mode()})
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

    /**
     * The result of a measured phase from its histogram of successful round trips (in nanoseconds).
     *
     * @param name         the workload's label
     * @param mode         sequential, pipelined or threads ({@link Workload#mode()})
     * @param inFlight     round trips in flight at once
     * @param payloadBytes payload size in bytes
     * @param histogram    latencies of the successful round trips, in nanoseconds
     * @param errors       round trips that failed
     * @param firstError   the first failure's message, or {@code null}
     * @param elapsedNanos the phase's wall time, for the throughput
     * @return the result, latencies in microseconds
     */
    public static LatencyResult of(String name, String mode, int inFlight, int payloadBytes, Histogram histogram,
                                   long errors, String firstError, long elapsedNanos) {
        long ok = histogram.getTotalCount();
        double seconds = elapsedNanos / 1e9;
        return new LatencyResult(name, mode, inFlight, payloadBytes, ok, errors, firstError, seconds,
                seconds > 0 ? ok / seconds : 0, micros(histogram.getValueAtPercentile(50)),
                micros(histogram.getValueAtPercentile(90)), micros(histogram.getValueAtPercentile(99)),
                micros(histogram.getValueAtPercentile(99.9)), micros(histogram.getMaxValue()),
                ok == 0 ? 0 : histogram.getMean() / 1e3);
    }

    private static double micros(long nanos) {
        return Math.round(nanos / 100.0) / 10.0;
    }
}
