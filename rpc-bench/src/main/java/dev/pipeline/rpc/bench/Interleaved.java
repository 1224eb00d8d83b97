package dev.pipeline.rpc.bench;

import dev.pipeline.rpc.tck.latency.LatencyResult;
import dev.pipeline.rpc.tck.latency.RoundTrip;
import org.HdrHistogram.Histogram;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Sequential round trips of several implementations, interleaved call by call: each makes one call in turn, the
 * order shuffled from cycle to cycle (with a fixed seed), until the point's time is up. A change of the machine's
 * load then falls on all of them within milliseconds, instead of on whichever had its turn. A call is timed as
 * {@link dev.pipeline.rpc.tck.latency.LatencyKit} times it; an implementation whose call does not complete within the
 * drain timeout leaves the rotation, with no result.
 */
final class Interleaved {
    /** The order of the turns is shuffled from cycle to cycle, the same way in every run. */
    private static final long ORDER_SEED = 20261203L;
    private static final long HIGHEST_NANOS = TimeUnit.HOURS.toNanos(1);

    private Interleaved() {
    }

    /** One implementation's part of an interleaved point. */
    record Entrant(String name, RoundTrip roundTrip) {
    }

    /**
     * Runs the entrants interleaved for {@code each} times their number, so that each gets about {@code each} of
     * calls, and returns each one's result by name ({@code null} for one that stalled).
     */
    static Map<String, LatencyResult> run(String point, int payloadBytes, List<Entrant> entrants, Duration each,
                                          Duration drainTimeout) {
        String payload = "x".repeat(payloadBytes);
        List<Tally> live = new ArrayList<>();
        Map<String, Tally> tallies = new LinkedHashMap<>();
        for (Entrant e : entrants) {
            Tally t = new Tally(e);
            live.add(t);
            tallies.put(e.name(), t);
        }
        Random order = new Random(ORDER_SEED);
        Collections.shuffle(live, order);
        long end = System.nanoTime() + each.toNanos() * entrants.size();
        while (!live.isEmpty() && System.nanoTime() - end < 0) {
            for (Tally t : List.copyOf(live)) {
                if (!t.call(payload, drainTimeout)) {
                    live.remove(t);
                }
            }
            Collections.shuffle(live, order);
        }
        Map<String, LatencyResult> out = new LinkedHashMap<>();
        tallies.forEach((name, t) -> out.put(name, t.stalled ? null : t.result(point + " " + name, payloadBytes)));
        return out;
    }

    private static final class Tally {
        final Entrant entrant;
        final Histogram histogram = new Histogram(HIGHEST_NANOS, 3);
        long nanos;
        long errors;
        String firstError;
        boolean stalled;

        Tally(Entrant entrant) {
            this.entrant = entrant;
        }

        /** One round trip timed until its stage completes (on the completing thread); false if it stalled. */
        boolean call(String payload, Duration drainTimeout) {
            long start = System.nanoTime();
            long[] end = new long[1];
            try {
                entrant.roundTrip().call(payload).whenComplete((v, e) -> end[0] = System.nanoTime())
                        .toCompletableFuture().get(drainTimeout.toNanos(), TimeUnit.NANOSECONDS);
                histogram.recordValue(Math.min(Math.max(end[0] - start, 1), HIGHEST_NANOS));
            } catch (TimeoutException e) {
                stalled = true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            } catch (ExecutionException | RuntimeException e) {
                errors++;
                firstError = firstError != null ? firstError : (e.getCause() != null ? e.getCause() : e).toString();
            } finally {
                nanos += System.nanoTime() - start;
            }
            return !stalled;
        }

        LatencyResult result(String name, int payloadBytes) {
            return LatencyResult.of(name, "sequential", 1, payloadBytes, histogram, errors, firstError, nanos);
        }
    }
}
