package dev.pipeline.rpc;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collection;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Times out a client's pending calls: one daemon thread per client sleeps until the earliest deadline of the calls
 * armed, then fails the calls that are due.
 *
 * <p>Why not a {@code ScheduledThreadPoolExecutor}: a task scheduled per call costs an allocation, a lock on the
 * delay queue and, when the new task becomes the queue's head (always, for sequential calls), a wake-up of the timer
 * thread, which is a context switch on every call; its cancellation costs the same again. Here arming a timeout is
 * a volatile write on the call's own record and, at most once between two sweeps, a compare-and-set on the earliest
 * deadline; a completed call leaves nothing behind (it is simply gone from the pending map).
 *
 * <p>Why not a sweep every tick: a tick of 10 ms is 100 wake-ups a
 * second, each a pass over the calls in flight, whether or not any call can be due; with 256 calls in flight on two
 * busy cores that was 7.5 ms of CPU a second (docs/benchmarks.md). The thread now sleeps until the earliest deadline
 * it knows of: with timeouts of equal length the calls armed later are due later, so a steady stream of calls costs
 * no wake-up at all until the first of them could be due, and nothing armed costs none. A call armed with a deadline
 * earlier than the one the thread sleeps until wakes it. Sweeps stay at least {@value #TICK_MILLIS} ms apart, so a
 * timeout fires up to that much late, and many short timeouts cost at most one pass per tick.
 */
final class TimeoutSweeper {
    static final long TICK_MILLIS = 10;
    private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS);
    private static final long MAX_TIMEOUT_NANOS = Long.MAX_VALUE / 4;
    /** "None" for {@link #armedMin}, {@link #wakeAt} and hedge times; {@link #deadline} never returns it. */
    static final long NONE = 0;
    private static final Logger LOG = LoggerFactory.getLogger(TimeoutSweeper.class);

    private final String threadName;
    private final Collection<ClientCore.Pending> pending;
    private final Consumer<ClientCore.Pending> onTimeout;
    private final Consumer<ClientCore.Pending> onHedge;
    private final Object lock = new Object();
    /** The earliest deadline armed since the thread last looked at the pending calls, or {@link #NONE}. */
    private final AtomicLong armedMin = new AtomicLong(NONE);
    /** When the thread will wake next ({@link System#nanoTime()}), or {@link #NONE} while it sleeps until woken. */
    private volatile long wakeAt = NONE;
    private final AtomicLong sweeps = new AtomicLong();
    private volatile Thread thread;
    private volatile boolean stopped;

    TimeoutSweeper(String threadName, Collection<ClientCore.Pending> pending, Consumer<ClientCore.Pending> onTimeout) {
        this(threadName, pending, onTimeout, p -> p.hedgeAtNanos = NONE);
    }

    /**
     * {@code onHedge} runs for an armed call whose {@link ClientCore.Pending#hedgeAtNanos} is due (and not its
     * deadline); it sends the hedge and sets the next hedge time, or {@link #NONE}.
     */
    TimeoutSweeper(String threadName, Collection<ClientCore.Pending> pending, Consumer<ClientCore.Pending> onTimeout,
                   Consumer<ClientCore.Pending> onHedge) {
        this.threadName = threadName;
        this.pending = pending;
        this.onTimeout = onTimeout;
        this.onHedge = onHedge;
    }

    /** @return the deadline of a call armed at {@code nowNanos}; never 0 (0 means "not armed"). */
    static long deadline(long nowNanos, long timeoutNanos) {
        long d = nowNanos + Math.min(timeoutNanos, MAX_TIMEOUT_NANOS);
        return d == NONE ? 1 : d;
    }

    /**
     * Called once a call's deadline is set ({@code deadlineNanos}, from {@link #deadline}): starts the thread on
     * first use, or wakes it if it sleeps past that deadline. @return false when the sweeper was stopped (the client
     * is closing).
     */
    boolean armed(long deadlineNanos) {
        Thread running = thread;
        if (running == null) {
            synchronized (lock) {
                if (stopped) {
                    return false;
                }
                if (thread == null) {
                    lowerArmedMin(deadlineNanos);
                    Thread t = new Thread(this::run, threadName);
                    t.setDaemon(true);
                    t.start();
                    thread = t;
                    return true;
                }
                running = thread;
            }
        }
        if (lowerArmedMin(deadlineNanos)) {
            // the thread publishes wakeAt and then reads armedMin again; this lowered armedMin and now reads wakeAt:
            // one of the two sees the other's write, so the deadline is never slept past
            long w = wakeAt;
            if (w == NONE || deadlineNanos - w < 0) {
                LockSupport.unpark(running);
            }
        }
        return !stopped;
    }

    /** @return whether {@code d} became the earliest armed deadline (it was not already covered). */
    private boolean lowerArmedMin(long d) {
        while (true) {
            long cur = armedMin.get();
            if (cur != NONE && cur - d <= 0) {
                return false;
            }
            if (armedMin.compareAndSet(cur, d)) {
                return true;
            }
        }
    }

    /** Stops the thread; calls still pending are the closing client's business. Idempotent. */
    void stop() {
        synchronized (lock) {
            stopped = true;
            Thread t = thread;
            if (t != null) {
                LockSupport.unpark(t);
            }
        }
    }

    private void run() {
        long lastSweep = System.nanoTime() - TICK_NANOS;
        while (!stopped) {
            // no sweep sooner than a tick after the last: at most one pass per tick however short the timeouts
            long now = System.nanoTime();
            long gap = lastSweep + TICK_NANOS - now;
            if (gap > 0) {
                LockSupport.parkNanos(this, gap);
                continue;
            }
            armedMin.set(NONE); // arms from here on are seen either by the sweep or through armedMin
            lastSweep = now;
            long next = sweep(now);
            while (!stopped) {
                next = earlier(next, armedMin.get());
                wakeAt = next;
                long again = armedMin.get(); // after publishing wakeAt: see the arm that read the old one
                if (earlier(next, again) == next) {
                    break;
                }
                next = again;
            }
            if (next == NONE) {
                LockSupport.park(this); // nothing armed: the next armed call wakes the thread
            } else {
                long left = next - System.nanoTime();
                if (left > 0) {
                    LockSupport.parkNanos(this, left);
                }
            }
        }
    }

    /** The earlier of two deadlines, either of which may be {@link #NONE}. */
    private static long earlier(long a, long b) {
        if (a == NONE) {
            return b;
        }
        if (b == NONE) {
            return a;
        }
        return a - b <= 0 ? a : b;
    }

    /** Whether the thread sleeps until the next armed call wakes it, with no deadline to wait for (for tests). */
    boolean isAsleep() {
        Thread t = thread;
        return wakeAt == NONE && armedMin.get() == NONE && t != null && t.getState() == Thread.State.WAITING;
    }

    /** Passes over the pending calls so far (for tests). */
    long sweeps() {
        return sweeps.get();
    }

    /**
     * Fails every armed call whose deadline is at or before {@code nowNanos}, and hedges every other armed call
     * whose hedge time is ({@link ClientCore.Pending#hedgeAtNanos}, written before its deadline is armed).
     *
     * @return the earliest deadline or hedge time of the armed calls left (not yet due), or {@link #NONE}
     */
    long sweep(long nowNanos) {
        sweeps.incrementAndGet();
        long next = NONE;
        for (ClientCore.Pending p : pending) {
            long d = p.deadlineNanos;
            if (d == NONE) {
                continue;
            }
            if (nowNanos - d >= 0) {
                try {
                    onTimeout.accept(p);
                } catch (RuntimeException | Error e) { // a caller's dependent stage; the sweep must go on
                    LOG.warn("timing out a call failed: {}", e.toString(), e);
                }
            } else {
                next = earlier(next, d);
                long h = p.hedgeAtNanos;
                if (h != NONE && nowNanos - h >= 0) {
                    try {
                        onHedge.accept(p);
                    } catch (RuntimeException | Error e) {
                        p.hedgeAtNanos = NONE;
                        LOG.warn("hedging a call failed: {}", e.toString(), e);
                    }
                    h = p.hedgeAtNanos;
                }
                if (h != NONE) {
                    next = earlier(next, h);
                }
            }
        }
        return next;
    }
}
