package dev.pipeline.rpc;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collection;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Times out a client's pending calls: one daemon thread per client wakes every {@value #TICK_MILLIS} ms and fails
 * the calls whose deadline has passed.
 *
 * <p>Why not a {@code ScheduledThreadPoolExecutor}: a task scheduled per call costs an allocation, a lock on the
 * delay queue and, when the new task becomes the queue's head (always, for sequential calls), a wake-up of the timer
 * thread, which is a context switch on every call; its cancellation costs the same again. Here arming a timeout is
 * two volatile writes on the call's own record, a completed call leaves nothing behind (it is simply gone from the
 * pending map), and the sweep costs one pass over the calls in flight per tick. Timeouts fire up to one tick late.
 *
 * <p>A client with nothing to time out costs no wake-ups: after {@value #LINGER_TICKS} ticks without an armed call the
 * thread parks until the next call is armed, which unparks it (once; calls in a steady stream keep it ticking).
 */
final class TimeoutSweeper {
    static final long TICK_MILLIS = 10;
    /** Ticks without an armed call before the thread parks until one is armed (1 s). */
    static final int LINGER_TICKS = 100;
    private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS);
    private static final long MAX_TIMEOUT_NANOS = Long.MAX_VALUE / 4;
    private static final Logger LOG = LoggerFactory.getLogger(TimeoutSweeper.class);

    private final String threadName;
    private final Collection<ClientCore.Pending> pending;
    private final Consumer<ClientCore.Pending> onTimeout;
    private final int lingerTicks;
    private final Object lock = new Object();
    private volatile Thread thread;
    private volatile boolean stopped;
    /** The thread parked with no tick: the next armed call unparks it. */
    private volatile boolean asleep;

    TimeoutSweeper(String threadName, Collection<ClientCore.Pending> pending, Consumer<ClientCore.Pending> onTimeout) {
        this(threadName, pending, onTimeout, LINGER_TICKS);
    }

    TimeoutSweeper(String threadName, Collection<ClientCore.Pending> pending, Consumer<ClientCore.Pending> onTimeout,
                   int lingerTicks) {
        if (lingerTicks < 1) {
            throw new IllegalArgumentException("lingerTicks must be >= 1, was " + lingerTicks);
        }
        this.threadName = threadName;
        this.pending = pending;
        this.onTimeout = onTimeout;
        this.lingerTicks = lingerTicks;
    }

    /** @return the deadline of a call armed at {@code nowNanos}; never 0 (0 means "not armed"). */
    static long deadline(long nowNanos, long timeoutNanos) {
        long d = nowNanos + Math.min(timeoutNanos, MAX_TIMEOUT_NANOS);
        return d == 0 ? 1 : d;
    }

    /**
     * Starts the thread on first use, or wakes it if it parked for want of calls; called once a call's deadline is
     * set. @return false when the sweeper was stopped (the client is closing).
     */
    boolean ensureStarted() {
        Thread running = thread;
        if (running != null) {
            if (asleep) {
                asleep = false;
                LockSupport.unpark(running);
            }
            return !stopped;
        }
        synchronized (lock) {
            if (stopped) {
                return false;
            }
            if (thread == null) {
                Thread t = new Thread(this::run, threadName);
                t.setDaemon(true);
                t.start();
                thread = t;
            }
            return true;
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
        int idleTicks = 0;
        while (!stopped) {
            LockSupport.parkNanos(this, TICK_NANOS);
            if (sweep(System.nanoTime())) {
                idleTicks = 0;
            } else if (++idleTicks >= lingerTicks) {
                idleTicks = 0;
                // set before looking again: a call armed meanwhile either is seen here or sees the flag and unparks
                asleep = true;
                if (!anyArmed()) {
                    while (asleep && !stopped) {
                        LockSupport.park(this);
                    }
                }
                asleep = false;
            }
        }
    }

    /** Whether the thread is parked until the next armed call (for tests). */
    boolean isAsleep() {
        Thread t = thread;
        return asleep && t != null && t.getState() == Thread.State.WAITING;
    }

    private boolean anyArmed() {
        for (ClientCore.Pending p : pending) {
            if (p.deadlineNanos != 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * Fails every armed call whose deadline is at or before {@code nowNanos}.
     *
     * @return whether an armed call is left (one not yet due)
     */
    boolean sweep(long nowNanos) {
        boolean armedLeft = false;
        for (ClientCore.Pending p : pending) {
            long d = p.deadlineNanos;
            if (d == 0) {
                continue;
            }
            if (nowNanos - d >= 0) {
                try {
                    onTimeout.accept(p);
                } catch (RuntimeException | Error e) { // a caller's dependent stage; the sweep must go on
                    LOG.warn("timing out a call failed: {}", e.toString(), e);
                }
            } else {
                armedLeft = true;
            }
        }
        return armedLeft;
    }
}
