package dev.pipeline.rpc;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * What a server reports about itself ({@link RpcServer#health()}): a status and the reasons for it. Immutable.
 *
 * <ul>
 *   <li>{@link Status#UP}: every subscription is served; no reasons.</li>
 *   <li>{@link Status#DEGRADED}: it serves, but something went wrong recently, e.g. a transport loop died of a fatal
 *       error and was restarted ({@code "the Kafka poll loop of service 'orders' restarted after OutOfMemoryError:
 *       Java heap space, 12 s ago (1 time)"}).</li>
 *   <li>{@link Status#DOWN}: at least one subscription serves nothing now (its loop is dead and waits to be
 *       restarted, the server is not started or closed).</li>
 * </ul>
 * A health probe (e.g. a Kubernetes liveness check) may restart a process that stays {@code DOWN}.
 */
public final class Health {
    /** How well a server serves, best first. */
    public enum Status {
        /** Serving. */
        UP,
        /** Serving, after a fault; see the reasons. */
        DEGRADED,
        /** Not serving (part of) its subscriptions; see the reasons. */
        DOWN
    }

    private static final Health UP = new Health(Status.UP, List.of());

    private final Status status;
    private final List<String> reasons;

    private Health(Status status, List<String> reasons) {
        this.status = status;
        this.reasons = reasons;
    }

    /** @return {@link Status#UP} without reasons */
    public static Health up() {
        return UP;
    }

    /**
     * @param status  the status
     * @param reasons why (none for {@code UP}); each a line for an operator
     * @return the health
     * @throws IllegalArgumentException for {@code DEGRADED} or {@code DOWN} without a reason
     */
    public static Health of(Status status, List<String> reasons) {
        Objects.requireNonNull(status, "status");
        List<String> r = List.copyOf(reasons);
        if (status != Status.UP && r.isEmpty()) {
            throw new IllegalArgumentException("a " + status + " health needs a reason");
        }
        return status == Status.UP && r.isEmpty() ? UP : new Health(status, r);
    }

    /**
     * A degraded health with one reason.
     *
     * @param reason what is wrong, for the probe's reader
     * @return {@link Status#DEGRADED} for {@code reason}
     */
    public static Health degraded(String reason) {
        return of(Status.DEGRADED, List.of(reason));
    }

    /**
     * A down health with one reason.
     *
     * @param reason what is wrong, for the probe's reader
     * @return {@link Status#DOWN} for {@code reason}
     */
    public static Health down(String reason) {
        return of(Status.DOWN, List.of(reason));
    }

    /**
     * Combines the health of several parts, such as a server's services.
     *
     * @param parts the parts' health
     * @return the worst status of {@code parts} (UP for none) with all their reasons, in order
     */
    public static Health combine(Collection<Health> parts) {
        Status worst = Status.UP;
        List<String> reasons = new ArrayList<>();
        for (Health h : parts) {
            if (h.status.compareTo(worst) > 0) {
                worst = h.status;
            }
            reasons.addAll(h.reasons);
        }
        return of(worst, reasons);
    }

    /** @return the status */
    public Status status() {
        return status;
    }

    /** @return why the status is not {@code UP} (empty when it is), immutable */
    public List<String> reasons() {
        return reasons;
    }

    /** @return whether the status is {@link Status#UP} */
    public boolean isUp() {
        return status == Status.UP;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Health h && h.status == status && h.reasons.equals(reasons);
    }

    @Override
    public int hashCode() {
        return status.hashCode() * 31 + reasons.hashCode();
    }

    @Override
    public String toString() {
        return reasons.isEmpty() ? status.name() : status + " " + reasons;
    }
}
