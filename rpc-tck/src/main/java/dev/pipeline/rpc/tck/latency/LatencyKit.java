package dev.pipeline.rpc.tck.latency;

import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Measures round-trip latency and throughput of a {@link RoundTrip} under a {@link Workload}, with HdrHistogram.
 * It asserts nothing: it measures and reports ({@link LatencyReport} writes JSON and a Markdown table).
 *
 * <pre>{@code
 * RoundTrip.exposeEcho(server, "bench").start();
 * try (RpcClient client = Rpc.client("kafka://localhost:9092")) {
 *     List<LatencyResult> results = List.of(
 *         LatencyKit.run(Workload.builder("seq-64B").payloadBytes(64).calls(20_000).build(),
 *                        RoundTrip.rpcEcho(client, "bench")),
 *         LatencyKit.run(Workload.builder("pipe-64B").inFlight(64).calls(200_000).build(),
 *                        RoundTrip.rpcEcho(client, "bench")));
 *     LatencyReport.write(Path.of("target/latency"), "kafka", results);
 * }
 * }</pre>
 *
 * <p>The load is closed-loop: a new round trip starts when one completes (no coordinated-omission correction), so
 * latencies are those a caller with {@code inFlight} outstanding calls sees.
 */
public final class LatencyKit {
    /** Latencies above this (one hour) are recorded as this. */
    private static final long HIGHEST_NANOS = TimeUnit.HOURS.toNanos(1);

    private LatencyKit() {
    }

    /**
     * Runs the warm-up, then the measured phase, waiting for every round trip to complete.
     *
     * @param workload what to run: payload, round trips in flight, call counts and bounds
     * @param roundTrip one call and its reply, started once per call
     * @return the measured phase's latencies, errors and rate
     * @throws IllegalStateException if no round trip completes for {@link Workload#drainTimeout()} while all
     *                               permitted ones are in flight (a round trip that never completes)
     */
    public static LatencyResult run(Workload workload, RoundTrip roundTrip) {
        Objects.requireNonNull(workload, "workload");
        Objects.requireNonNull(roundTrip, "roundTrip");
        String payload = "x".repeat(workload.payloadBytes());
        if (workload.warmupCalls() > 0) {
            phase(workload, roundTrip, payload, workload.warmupCalls(), 0, null);
        }
        Histogram histogram = new ConcurrentHistogram(HIGHEST_NANOS, 3);
        long maxNanos = workload.duration() == null ? 0 : workload.duration().toNanos();
        Phase p = phase(workload, roundTrip, payload, workload.calls(), maxNanos, histogram);
        return LatencyResult.of(workload.name(), workload.mode(), workload.inFlight(), workload.payloadBytes(),
                histogram, p.errors, p.firstError, p.elapsedNanos);
    }

    private record Phase(long elapsedNanos, long errors, String firstError) {
    }

    private static Phase phase(Workload w, RoundTrip roundTrip, String payload, long calls, long maxNanos,
                               Histogram histogram) {
        if (w.callerThreads() && w.inFlight() > 1) {
            return threads(w, roundTrip, payload, calls, maxNanos, histogram);
        }
        Semaphore permits = new Semaphore(w.inFlight());
        AtomicLong errors = new AtomicLong();
        AtomicReference<String> firstError = new AtomicReference<>();
        long start = System.nanoTime();
        long end = maxNanos > 0 ? start + maxNanos : Long.MAX_VALUE;
        try {
            for (long i = 0; i < calls && System.nanoTime() - end < 0; i++) {
                if (!permits.tryAcquire(w.drainTimeout().toNanos(), TimeUnit.NANOSECONDS)) {
                    throw new IllegalStateException(w.name() + ": " + w.inFlight() + " round trips still in flight "
                            + w.drainTimeout() + " after the last one started");
                }
                long t0 = System.nanoTime();
                CompletionStage<?> stage;
                try {
                    stage = roundTrip.call(payload);
                } catch (RuntimeException e) {
                    failed(errors, firstError, e);
                    permits.release();
                    continue;
                }
                stage.whenComplete((v, e) -> {
                    long dt = System.nanoTime() - t0;
                    if (e != null) {
                        failed(errors, firstError, e);
                    } else if (histogram != null) {
                        histogram.recordValue(Math.min(Math.max(dt, 1), HIGHEST_NANOS));
                    }
                    permits.release();
                });
            }
            if (!permits.tryAcquire(w.inFlight(), w.drainTimeout().toNanos(), TimeUnit.NANOSECONDS)) {
                throw new IllegalStateException(w.name() + ": " + (w.inFlight() - permits.availablePermits())
                        + " round trips still in flight " + w.drainTimeout() + " after the last one started");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(w.name() + ": interrupted", e);
        }
        return new Phase(System.nanoTime() - start, errors.get(), firstError.get());
    }

    /**
     * {@link Workload#inFlight()} caller threads, each waiting for its round trip before it starts the next; they
     * share the budget of {@code calls}. A round trip that does not complete within the drain timeout ends its
     * thread's part and fails the phase, so it never waits much longer than its duration plus that timeout.
     */
    private static Phase threads(Workload w, RoundTrip roundTrip, String payload, long calls, long maxNanos,
                                 Histogram histogram) {
        AtomicLong errors = new AtomicLong();
        AtomicReference<String> firstError = new AtomicReference<>();
        AtomicLong started = new AtomicLong();
        AtomicLong stuck = new AtomicLong();
        long start = System.nanoTime();
        long end = maxNanos > 0 ? start + maxNanos : Long.MAX_VALUE;
        long drainNanos = w.drainTimeout().toNanos();
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        Thread[] callers = new Thread[w.inFlight()];
        for (int t = 0; t < callers.length; t++) {
            callers[t] = new Thread(() -> {
                try {
                    go.await();
                    while (started.getAndIncrement() < calls && System.nanoTime() - end < 0) {
                        long t0 = System.nanoTime();
                        try {
                            roundTrip.call(payload).toCompletableFuture().get(drainNanos, TimeUnit.NANOSECONDS);
                            if (histogram != null) {
                                histogram.recordValue(Math.min(Math.max(System.nanoTime() - t0, 1), HIGHEST_NANOS));
                            }
                        } catch (java.util.concurrent.TimeoutException e) {
                            stuck.incrementAndGet();
                            return;
                        } catch (java.util.concurrent.ExecutionException | RuntimeException e) {
                            failed(errors, firstError, e);
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "latency-caller-" + t);
            callers[t].setDaemon(true);
            callers[t].start();
        }
        go.countDown();
        long joinBy = (end == Long.MAX_VALUE ? System.nanoTime() + TimeUnit.DAYS.toNanos(1) : end) + drainNanos
                + TimeUnit.SECONDS.toNanos(1);
        try {
            for (Thread t : callers) {
                long left = joinBy - System.nanoTime();
                if (left > 0) {
                    TimeUnit.NANOSECONDS.timedJoin(t, left);
                }
                if (t.isAlive()) {
                    for (Thread other : callers) {
                        other.interrupt();
                    }
                    throw new IllegalStateException(w.name() + ": " + t.getName() + " still waits "
                            + w.drainTimeout() + " after the phase's end");
                }
            }
        } catch (InterruptedException e) {
            for (Thread t : callers) {
                t.interrupt();
            }
            Thread.currentThread().interrupt();
            throw new IllegalStateException(w.name() + ": interrupted", e);
        }
        if (stuck.get() > 0) {
            throw new IllegalStateException(w.name() + ": " + stuck.get() + " round trips still in flight "
                    + w.drainTimeout() + " after they started");
        }
        return new Phase(System.nanoTime() - start, errors.get(), firstError.get());
    }

    private static void failed(AtomicLong errors, AtomicReference<String> first, Throwable e) {
        errors.incrementAndGet();
        Throwable cause = (e instanceof java.util.concurrent.CompletionException
                || e instanceof java.util.concurrent.ExecutionException) && e.getCause() != null ? e.getCause() : e;
        first.compareAndSet(null, cause.toString());
    }
}
