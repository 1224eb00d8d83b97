package dev.pipeline.rpc.tck.latency;

import java.time.Duration;
import java.util.Objects;

/**
 * What the {@link LatencyKit} runs: round trips with a payload of a given size, one at a time (sequential) or with a
 * fixed number in flight (pipelined), for a number of calls and/or a duration, after a warm-up. Immutable; build with
 * {@link #builder(String)}.
 */
public final class Workload {
    private final String name;
    private final int payloadBytes;
    private final int inFlight;
    private final long warmupCalls;
    private final long calls;
    private final Duration duration;
    private final Duration drainTimeout;
    private final boolean callerThreads;

    private Workload(Builder b) {
        this.name = b.name;
        this.payloadBytes = b.payloadBytes;
        this.inFlight = b.inFlight;
        this.warmupCalls = b.warmupCalls;
        this.calls = b.calls;
        this.duration = b.duration;
        this.drainTimeout = b.drainTimeout;
        this.callerThreads = b.callerThreads;
    }

    /**
     * Starts a workload with the defaults.
     *
     * @param name a label in reports, e.g. {@code kafka-pipeline}; not blank
     * @return a builder
     * @throws IllegalArgumentException for a blank name
     */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** {@return the label in reports} */
    public String name() {
        return name;
    }

    /**
     * {@return the size of the payload string in bytes} ASCII; the message on the wire adds the JSON-RPC envelope.
     */
    public int payloadBytes() {
        return payloadBytes;
    }

    /** {@return the round trips in flight at once: 1 is sequential, more is pipelined} */
    public int inFlight() {
        return inFlight;
    }

    /** {@return the calls made and not measured before measuring} */
    public long warmupCalls() {
        return warmupCalls;
    }

    /**
     * {@return the measured calls} The run stops after this many, or after {@link #duration()}, whichever comes
     * first.
     */
    public long calls() {
        return calls;
    }

    /** {@return how long the measured phase may last at most, or {@code null} for no limit} */
    public Duration duration() {
        return duration;
    }

    /** {@return how long to wait at the end for round trips still in flight before giving up} */
    public Duration drainTimeout() {
        return drainTimeout;
    }

    /**
     * {@return whether each of the {@link #inFlight()} round trips runs on a thread of its own that waits for it to
     * complete before it starts the next} That is how the threads of a thread-per-request server call a blocking
     * API; otherwise one thread starts a round trip whenever one completes.
     */
    public boolean callerThreads() {
        return callerThreads;
    }

    /**
     * Names the way calls are made, for reports.
     *
     * @return "sequential", "pipelined", or "threads" (more than one in flight, on
     * {@linkplain #callerThreads() caller threads})
     */
    public String mode() {
        return inFlight == 1 ? "sequential" : callerThreads ? "threads" : "pipelined";
    }

    @Override
    public String toString() {
        return "Workload[" + name + ", " + mode() + ", inFlight=" + inFlight + ", payload=" + payloadBytes
                + "B, warmup=" + warmupCalls + ", calls=" + calls + ", duration=" + duration + "]";
    }

    /** Builder of {@link Workload}; values are validated as they are set. */
    public static final class Builder {
        private final String name;
        private int payloadBytes = 64;
        private int inFlight = 1;
        private long warmupCalls = 1_000;
        private long calls = 10_000;
        private Duration duration;
        private Duration drainTimeout = Duration.ofSeconds(60);
        private boolean callerThreads;

        private Builder(String name) {
            Objects.requireNonNull(name, "name");
            if (name.isBlank()) {
                throw new IllegalArgumentException("workload name must not be blank");
            }
            this.name = name;
        }

        /**
         * Sets the payload size (default 64).
         *
         * @param bytes 0 to 64 MiB
         * @return this builder
         * @throws IllegalArgumentException when outside that range
         */
        public Builder payloadBytes(int bytes) {
            if (bytes < 0 || bytes > (64 << 20)) {
                throw new IllegalArgumentException("payloadBytes must be 0..67108864, was " + bytes);
            }
            this.payloadBytes = bytes;
            return this;
        }

        /**
         * Sets the round trips in flight at once (default 1: sequential).
         *
         * @param n 1 to 100,000
         * @return this builder
         * @throws IllegalArgumentException when outside that range
         */
        public Builder inFlight(int n) {
            if (n < 1 || n > 100_000) {
                throw new IllegalArgumentException("inFlight must be 1..100000, was " + n);
            }
            this.inFlight = n;
            return this;
        }

        /**
         * Sets the unmeasured warm-up calls (default 1,000).
         *
         * @param n 0 or more
         * @return this builder
         * @throws IllegalArgumentException when negative
         */
        public Builder warmupCalls(long n) {
            if (n < 0) {
                throw new IllegalArgumentException("warmupCalls must be >= 0, was " + n);
            }
            this.warmupCalls = n;
            return this;
        }

        /**
         * Sets the measured calls (default 10,000).
         *
         * @param n 1 or more; {@link Long#MAX_VALUE} with a {@link #duration duration} to run for a time
         * @return this builder
         * @throws IllegalArgumentException when below 1
         */
        public Builder calls(long n) {
            if (n < 1) {
                throw new IllegalArgumentException("calls must be >= 1, was " + n);
            }
            this.calls = n;
            return this;
        }

        /**
         * Sets the upper bound on the measured phase (default none).
         *
         * @param d positive
         * @return this builder
         * @throws IllegalArgumentException when zero or negative
         */
        public Builder duration(Duration d) {
            Objects.requireNonNull(d, "duration");
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("duration must be positive, was " + d);
            }
            this.duration = d;
            return this;
        }

        /**
         * Sets how long to wait for the last round trips at the end of a phase (default 60 s).
         *
         * @param d positive
         * @return this builder
         * @throws IllegalArgumentException when zero or negative
         */
        public Builder drainTimeout(Duration d) {
            Objects.requireNonNull(d, "drainTimeout");
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("drainTimeout must be positive, was " + d);
            }
            this.drainTimeout = d;
            return this;
        }

        /**
         * Runs each round trip in flight on a caller thread of its own, which waits for it before the next (default
         * false: one thread keeps {@code inFlight} round trips going). For blocking round trips, such as
         * {@code client.call(..)} wrapped in a completed future, this is {@code inFlight} callers that block.
         *
         * @param on true for a caller thread per round trip in flight
         * @return this builder
         */
        public Builder callerThreads(boolean on) {
            this.callerThreads = on;
            return this;
        }

        /**
         * Builds the workload.
         *
         * @return an immutable workload
         * @throws IllegalArgumentException when the calls are unbounded ({@link Long#MAX_VALUE}) and no duration is
         *     set
         */
        public Workload build() {
            if (calls == Long.MAX_VALUE && duration == null) {
                throw new IllegalArgumentException("an unbounded number of calls needs a duration");
            }
            return new Workload(this);
        }
    }
}
