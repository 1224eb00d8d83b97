package dev.pipeline.rpc;

import java.time.Duration;
import java.util.Objects;

/**
 * When a client hedges calls to {@link Idempotent} methods: after a delay without a reply it sends the same request
 * again (the same correlation id, so whichever reply comes first completes the call and the other is dropped and
 * counted as late), and the transport sends it where a live server reads (Kafka: a partition other than the first
 * attempt's, one that answered recently; Redis: the service's stream, which every live server reads).
 *
 * <p>The delay is the {@link #percentile()} of the recent reply times of the service (the last 256 replies, from
 * the broker accepting an attempt to its reply), within [{@link #minDelay()}, {@link #maxDelay()}]; before a
 * service has answered 16 times, {@link #maxDelay()}. Hedge {@code n} goes out {@code n} delays after the broker
 * accepted the first attempt, at most {@link #maxHedges()} per call, never once the call's timeout has passed, never
 * for notifications, batches or calls not declared idempotent. The hedges of one client are also bounded by a
 * budget: at most {@link #budget()} hedges per idempotent call on average, with a reserve of
 * {@value #BURST} hedges for a burst; a hedge whose reply completed its call (the first attempt was stranded with a
 * dead or hung server) does not count, so the budget bounds the hedges of calls that were only slow, which add load
 * to a service that is slow already.
 *
 * <p>The cost: each hedge that goes out while the first attempt is only slow, or stranded with a dead server whose
 * work is redelivered later, runs the method once more. {@link RpcMetrics#hedgeSent} and
 * {@link RpcMetrics#hedgeWon} count them. Immutable; build with {@link #builder()}.
 */
public final class HedgePolicy {
    /** Hedges a client may send at once beyond its average {@link #budget()}. */
    public static final int BURST = 100;
    private static final HedgePolicy DEFAULTS = builder().build();
    private static final HedgePolicy DISABLED = builder().maxHedges(0).build();

    private final int maxHedges;
    private final Duration minDelay;
    private final Duration maxDelay;
    private final double percentile;
    private final double budget;

    private HedgePolicy(Builder b) {
        this.maxHedges = b.maxHedges;
        this.minDelay = b.minDelay;
        this.maxDelay = b.maxDelay;
        this.percentile = b.percentile;
        this.budget = b.budget;
    }

    /**
     * {@return the defaults: up to 2 hedges per call, the delay the p99 of recent reply times within [50 ms,
     * 500 ms], a budget of 0.1 hedges per idempotent call}
     */
    public static HedgePolicy defaults() {
        return DEFAULTS;
    }

    /** {@return no hedging: every call is sent once} */
    public static HedgePolicy disabled() {
        return DISABLED;
    }

    /** @return a builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** {@return the most hedges per call (0 to 5; 0 disables hedging)} */
    public int maxHedges() {
        return maxHedges;
    }

    /** {@return whether calls are ever hedged (at least one hedge per call is allowed)} */
    public boolean enabled() {
        return maxHedges > 0;
    }

    /** {@return the shortest delay before a hedge} */
    public Duration minDelay() {
        return minDelay;
    }

    /** {@return the longest delay before a hedge; also the delay while a service has no recent replies} */
    public Duration maxDelay() {
        return maxDelay;
    }

    /** {@return which percentile of recent reply times the delay is (above 0.5, below 1)} */
    public double percentile() {
        return percentile;
    }

    /**
     * {@return the hedges that did not complete their call, per idempotent call on average, at most (above 0, at
     * most 5)}
     */
    public double budget() {
        return budget;
    }

    @Override
    public String toString() {
        return enabled() ? "HedgePolicy{maxHedges=" + maxHedges + ", delay=p" + (percentile * 100) + " in ["
                + minDelay.toMillis() + " ms, " + maxDelay.toMillis() + " ms], budget=" + budget + "}"
                : "HedgePolicy{disabled}";
    }

    /** Builder of {@link HedgePolicy}; values are validated as they are set, their relation by {@link #build()}. */
    public static final class Builder {
        private int maxHedges = 2;
        private Duration minDelay = Duration.ofMillis(50);
        private Duration maxDelay = Duration.ofMillis(500);
        private double percentile = 0.99;
        private double budget = 0.1;

        private Builder() {
        }

        /**
         * Sets the most hedges per call (default 2).
         *
         * @param max 0 to 5; 0 disables hedging
         * @return this builder
         * @throws IllegalArgumentException when outside that range
         */
        public Builder maxHedges(int max) {
            if (max < 0 || max > 5) {
                throw new IllegalArgumentException("maxHedges must be 0 to 5, was " + max);
            }
            this.maxHedges = max;
            return this;
        }

        /**
         * Sets the shortest delay before a hedge (default 50 ms).
         *
         * @param delay at least 1 ms, and at most {@link #maxDelay} when built
         * @return this builder
         * @throws IllegalArgumentException when shorter than 1 ms
         */
        public Builder minDelay(Duration delay) {
            this.minDelay = atLeastOneMilli(delay, "minDelay");
            return this;
        }

        /**
         * Sets the longest delay before a hedge (default 500 ms).
         *
         * @param delay at least 1 ms, and at least {@link #minDelay} when built
         * @return this builder
         * @throws IllegalArgumentException when shorter than 1 ms
         */
        public Builder maxDelay(Duration delay) {
            this.maxDelay = atLeastOneMilli(delay, "maxDelay");
            return this;
        }

        /**
         * Sets the percentile of recent reply times used as the delay (default 0.99).
         *
         * @param p above 0.5 and below 1
         * @return this builder
         * @throws IllegalArgumentException when outside that range
         */
        public Builder percentile(double p) {
            if (!(p > 0.5 && p < 1)) {
                throw new IllegalArgumentException("percentile must be above 0.5 and below 1, was " + p);
            }
            this.percentile = p;
            return this;
        }

        /**
         * Sets the budget: hedges that do not complete their call, per idempotent call on average (default 0.1).
         *
         * @param hedgesPerCall above 0 and at most 5
         * @return this builder
         * @throws IllegalArgumentException when outside that range
         */
        public Builder budget(double hedgesPerCall) {
            if (!(hedgesPerCall > 0 && hedgesPerCall <= 5)) {
                throw new IllegalArgumentException("budget must be above 0 and at most 5, was " + hedgesPerCall);
            }
            this.budget = hedgesPerCall;
            return this;
        }

        /**
         * Checks the delays together and builds the policy.
         *
         * @return an immutable policy
         * @throws IllegalArgumentException when {@code minDelay} exceeds {@code maxDelay}
         */
        public HedgePolicy build() {
            if (minDelay.compareTo(maxDelay) > 0) {
                throw new IllegalArgumentException("minDelay " + minDelay + " exceeds maxDelay " + maxDelay);
            }
            return new HedgePolicy(this);
        }

        private static Duration atLeastOneMilli(Duration d, String name) {
            Objects.requireNonNull(d, name);
            if (d.compareTo(Duration.ofMillis(1)) < 0) {
                throw new IllegalArgumentException(name + " must be at least 1 ms, was " + d);
            }
            if (d.compareTo(Duration.ofHours(1)) > 0) {
                throw new IllegalArgumentException(name + " must be at most 1 hour, was " + d);
            }
            return d;
        }
    }
}
