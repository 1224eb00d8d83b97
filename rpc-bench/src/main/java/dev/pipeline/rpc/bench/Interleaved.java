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
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.function.BiConsumer;
import java.util.concurrent.TimeUnit;

/**
 * Sequential round trips of several implementations, interleaved call by call: each makes one call in turn, the
 * order shuffled from cycle to cycle (with a fixed seed, the same in every run), until the point's time is up.
 * Measured one after the other, each implementation met whatever load the machine had during its own few seconds,
 * and on a two-core host shared with other servers that moved single rounds' ratios by ±25%; interleaved, a change
 * of load falls on all of them within a few milliseconds, so the ratios of one point compare like with like.
 *
 * <p>A call is timed as {@link dev.pipeline.rpc.tck.latency.LatencyKit} times it (from the call until its stage
 * completes, on the completing thread), and the next starts once the caller has seen the completion. An
 * implementation whose call fails to complete within the drain timeout leaves the rotation, with no result.
 *
 * <p>Call by call rather than in blocks: with blocks of 32 calls (about 20 ms) a disturbance of the machine lasting
 * a few milliseconds still fell on one implementation's turn, and the rounds' p99 ratios spread twice as wide
 * (docs/benchmarks.md).
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

        /** One round trip, its time added to the tally's; false if it did not complete in time (it stalled). */
        boolean call(String payload, Duration drainTimeout) {
            long start = System.nanoTime();
            try {
                return timedCall(payload, drainTimeout, start);
            } finally {
                nanos += System.nanoTime() - start;
            }
        }

        private boolean timedCall(String payload, Duration drainTimeout, long start) {
            Completion c = new Completion(start);
            CompletionStage<?> stage;
            try {
                stage = entrant.roundTrip().call(payload);
            } catch (RuntimeException e) {
                failed(e);
                return true;
            }
            stage.whenComplete(c);
            try {
                if (!c.latch.await(drainTimeout.toNanos(), TimeUnit.NANOSECONDS)) {
                    stalled = true;
                    return false;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
            if (c.failure != null) {
                failed(c.failure);
            } else {
                histogram.recordValue(Math.min(Math.max(c.nanos, 1), HIGHEST_NANOS));
            }
            return true;
        }

        private void failed(Throwable e) {
            errors++;
            if (firstError == null) {
                Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                firstError = cause.toString();
            }
        }

        LatencyResult result(String name, int payloadBytes) {
            return LatencyResult.of(name, "sequential", 1, payloadBytes, histogram, errors, firstError, nanos);
        }
    }

    /** One call's completion, seen by the caller through the latch (which orders the fields' writes before). */
    private static final class Completion implements BiConsumer<Object, Throwable> {
        final CountDownLatch latch = new CountDownLatch(1);
        final long start;
        long nanos;
        Throwable failure;

        Completion(long start) {
            this.start = start;
        }

        @Override
        public void accept(Object value, Throwable e) {
            nanos = System.nanoTime() - start;
            failure = e;
            latch.countDown();
        }
    }
}
