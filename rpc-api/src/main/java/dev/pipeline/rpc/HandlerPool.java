package dev.pipeline.rpc;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The server's own handler pool: up to {@code maxThreads} threads, woken sparingly.
 *
 * <p>Why not a {@code ThreadPoolExecutor}: while it has parked threads it wakes one for every task, so each small
 * request costs a futex wake-up and two context switches. On our 2-core machines that was ~4 µs of CPU per call, a
 * quarter of the benchmark JVM's CPU at 256 calls in flight (docs/benchmarks.md). Here tasks go to one shared queue
 * and only {@code eager} threads (by default as many as there are cores) are woken for queued work: more runnable
 * threads than cores would only take turns. A burst of requests is then run back to back by a thread that is
 * already awake, and their replies leave together.
 *
 * <p>Handlers may block, which is what the other threads are for. A watchdog thread ticks while the pool is busy.
 * A thread that has been waiting (a sleep, a future, a condition) in a task started more than a tick ago counts as
 * stuck and no longer as one of the {@code eager} ones, so new work wakes another thread (a runnable one only after
 * {@value #RUNNABLE_STALL_TICKS} ticks, see {@link #looksStuck}); and when tasks are queued and none was taken for
 * two ticks, the watchdog itself wakes (or starts) one more thread (then waits twice as long while the threads it
 * woke have not taken a task either: they may be waiting for a core), up to {@code maxThreads}. A blocking handler
 * therefore delays the work queued behind it by a few ticks, never until it returns; with every thread blocked, work
 * waits, as in any bounded pool. The watchdog sleeps for good after {@value #WATCHDOG_LINGER_TICKS} idle ticks
 * (under two seconds) and is woken by the next task.
 *
 * <p>A tick is {@code stallNanos} (1 ms by default) while something may be stuck: a task or inline run that waits and
 * is older than a tick, or that runs and nears the bound for runnable ones, a thread counted stuck, queued work that
 * made no progress or has too few threads. After each quiet tick the next is twice as long, up to
 * {@value #MAX_TICK_FACTOR} times: a pool busy with short tasks costs about 125 wake-ups a second instead of 1,000
 * (with 256 calls of 10 KB in flight the fixed 1 ms tick cost 3.6 µs of CPU per call, 3.5% of the benchmark JVM's:
 * docs/benchmarks.md), and a handler that starts blocking is noticed within that longest tick.
 *
 * <p>Every task submitted before {@link #shutdown()} runs exactly once (unless {@link #shutdownNow()} drops it);
 * tasks submitted after are rejected. Idle threads exit after the keep-alive time.
 */
final class HandlerPool implements Executor {
    private static final Logger log = LoggerFactory.getLogger(HandlerPool.class);
    static final long DEFAULT_STALL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    static final int WATCHDOG_LINGER_TICKS = 200;
    static final int RUNNABLE_STALL_TICKS = 20;
    /** The longest tick, in base ticks, after quiet ticks (nothing older than a tick, no stuck thread). */
    static final int MAX_TICK_FACTOR = 8;

    private final String namePrefix;
    private final int maxThreads;
    private final int eager;
    private final long keepAliveNanos;
    private final long stallNanos;

    private final ConcurrentLinkedQueue<Runnable> queue = new ConcurrentLinkedQueue<>();
    /** Tasks taken from the queue so far: the watchdog's measure of progress. */
    private final AtomicLong taken = new AtomicLong();
    /** Parked workers, most recently parked first (a warm thread is woken first). */
    private final ConcurrentLinkedDeque<Worker> idle = new ConcurrentLinkedDeque<>();
    /** Threads alive and not parked (running a task, looking for one, or about to exit). */
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicInteger threads = new AtomicInteger();
    /** Active threads the watchdog counts as stuck in their task (see {@link #looksStuck}). */
    private final AtomicInteger stuck = new AtomicInteger();
    private final AtomicInteger names = new AtomicInteger();
    private final Set<Worker> workers = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean watchdogAsleep = new AtomicBoolean();
    /** The watchdog's ticks so far (for tests). */
    private final AtomicLong ticks = new AtomicLong();
    /** The task running on its caller's thread ({@link #runInline}), if any: at most one at a time. */
    private volatile Inline inline;
    private final AtomicBoolean watchdogStarted = new AtomicBoolean();
    private final Thread watchdog;
    private volatile boolean shutdown;
    private volatile boolean shutdownNowCalled;

    /**
     * @param namePrefix thread names are this plus a number ({@code watchdog} for the watchdog)
     * @param maxThreads the most threads running handlers at once
     */
    HandlerPool(String namePrefix, int maxThreads) {
        this(namePrefix, maxThreads, Math.min(maxThreads, Runtime.getRuntime().availableProcessors()),
                TimeUnit.SECONDS.toNanos(30), DEFAULT_STALL_NANOS);
    }

    HandlerPool(String namePrefix, int maxThreads, int eager, long keepAliveNanos, long stallNanos) {
        if (maxThreads < 1 || eager < 1 || eager > maxThreads || keepAliveNanos <= 0 || stallNanos <= 0) {
            throw new IllegalArgumentException("invalid pool settings: maxThreads " + maxThreads + ", eager " + eager);
        }
        this.namePrefix = namePrefix;
        this.maxThreads = maxThreads;
        this.eager = eager;
        this.keepAliveNanos = keepAliveNanos;
        this.stallNanos = stallNanos;
        this.watchdog = new Thread(this::watch, namePrefix + "watchdog");
        this.watchdog.setDaemon(true);
        this.watchdogAsleep.set(true);
    }

    @Override
    public void execute(Runnable task) {
        if (task == null) {
            throw new NullPointerException("task");
        }
        if (shutdown) {
            throw new RejectedExecutionException("the handler pool is shut down");
        }
        queue.offer(task);
        if (shutdown && queue.remove(task)) { // raced with shutdown(): nobody may be left to run it
            throw new RejectedExecutionException("the handler pool is shut down");
        }
        if (active.get() - stuck.get() < eager) {
            wakeOne(false);
        }
        wakeWatchdog();
    }

    private void wakeWatchdog() {
        if (watchdogAsleep.get() && watchdogAsleep.compareAndSet(true, false)) {
            if (!watchdogStarted.get() && watchdogStarted.compareAndSet(false, true)) {
                watchdog.start(); // on the first task: a server that never serves costs no thread
            } else {
                LockSupport.unpark(watchdog);
            }
        }
    }

    /**
     * Runs {@code task} on the calling thread when the pool is idle (no thread active, nothing queued, a thread left
     * under the bound), saving the hand-off to a pool thread and its wake-up; otherwise does nothing. The run counts
     * as one of the pool's threads while it lasts, so the bound holds. If it is still running two base ticks after
     * it started and waiting, or {@value #RUNNABLE_STALL_TICKS} after it started whatever it does, the watchdog calls
     * {@code onStall} once at its next tick (from its own thread): the caller's thread is held up, and whatever else it was meant
     * to do must move elsewhere. An interrupt the task leaves set is cleared, as on the pool's own threads.
     *
     * @return whether the task ran (it ran to its end on this thread)
     */
    boolean runInline(Runnable task, Runnable onStall) {
        if (shutdown || active.get() != 0 || !queue.isEmpty()) {
            return false;
        }
        int t = threads.get();
        if (t >= maxThreads || !threads.compareAndSet(t, t + 1)) {
            return false;
        }
        if (!active.compareAndSet(0, 1)) {
            threads.decrementAndGet();
            return false;
        }
        Inline run = new Inline(Thread.currentThread(), onStall);
        inline = run; // alone: another runInline needs active at 0, which this one holds up until it clears the slot
        wakeWatchdog();
        try {
            runGuarded(task);
        } finally {
            inline = null;
            if (run.countedStuck.compareAndSet(true, false)) {
                stuck.decrementAndGet();
            }
            active.decrementAndGet();
            threads.decrementAndGet();
            Thread.interrupted(); // a handler's interrupt does not leak into its caller's thread (a poll loop)
            // tasks offered meanwhile counted this run as active and may not have woken anyone
            if (!queue.isEmpty() && !shutdownNowCalled && active.get() - stuck.get() < eager) {
                wakeOne(false);
            }
        }
        return true;
    }

    private static void runGuarded(Runnable task) {
        try {
            task.run();
        } catch (Throwable t) {
            log.error("a handler task failed (a bug: tasks handle their own failures)", t);
        }
    }

    /** A task running on its caller's thread. */
    private static final class Inline {
        final Thread thread;
        final long start = System.nanoTime();
        final Runnable onStall;
        final AtomicBoolean countedStuck = new AtomicBoolean();
        boolean stallReported; // watchdog thread only

        Inline(Thread thread, Runnable onStall) {
            this.thread = thread;
            this.onStall = onStall;
        }
    }

    /**
     * Wakes a parked worker, or starts one when none is parked and the bound allows. Unless {@code always}, a thread
     * is started only if fewer than {@code eager} are still free once no parked one was found: the caller read the
     * count before, and a worker taking itself back from the idle set (it counts itself active first) or another
     * waker may have covered the deficit meanwhile.
     */
    private void wakeOne(boolean always) {
        Worker w = idle.poll();
        if (w != null) {
            // if the claim fails, it is taking itself back (or another waker took it): it is active already
            claim(w);
            return;
        }
        if (!always && active.get() - stuck.get() >= eager) {
            return;
        }
        int t;
        while ((t = threads.get()) < maxThreads) {
            if (threads.compareAndSet(t, t + 1)) {
                active.incrementAndGet();
                Worker worker = new Worker();
                workers.add(worker);
                try {
                    worker.thread.start();
                } catch (Throwable e) { // out of threads: the queued work waits for the ones there are
                    workers.remove(worker);
                    active.decrementAndGet();
                    threads.decrementAndGet();
                    log.warn("cannot start a handler thread: {}", e.toString());
                }
                return;
            }
        }
    }

    /** Wakes a parked worker unless someone else already did; counts it active. */
    private void claim(Worker w) {
        if (w.parked.compareAndSet(true, false)) {
            active.incrementAndGet();
            LockSupport.unpark(w.thread);
        }
    }

    private final class Worker implements Runnable {
        final AtomicBoolean parked = new AtomicBoolean();
        /** When the current task started ({@link System#nanoTime()}), 0 between tasks. */
        volatile long taskStart;
        /** Whether the watchdog counted this thread in {@link #stuck}. */
        final AtomicBoolean countedStuck = new AtomicBoolean();
        final Thread thread;

        Worker() {
            thread = new Thread(this, namePrefix + names.incrementAndGet());
            thread.setDaemon(true);
        }

        @Override
        public void run() {
            try {
                work();
            } finally {
                workers.remove(this);
                active.decrementAndGet();
                threads.decrementAndGet();
                // a task offered while this thread was deciding to exit counted it as active: pass it on
                if (!queue.isEmpty() && !shutdownNowCalled) {
                    wakeOne(false);
                }
            }
        }

        private void work() {
            while (true) {
                Runnable task = queue.poll();
                if (task != null) {
                    taken.incrementAndGet();
                    runTask(task);
                    continue;
                }
                if (shutdown) {
                    return;
                }
                // nothing to do: park, unless work arrives while going idle (the execute() that offered it may have
                // counted this thread as active and not woken anyone)
                unmarkStuck();
                parked.set(true);
                idle.push(this); // before leaving the active count: whoever sees it lower must find this thread
                active.decrementAndGet();
                if (!queue.isEmpty() || shutdown) {
                    reclaim();
                    continue;
                }
                long deadline = System.nanoTime() + keepAliveNanos;
                while (parked.get()) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0 || shutdown) {
                        if (reclaim() && queue.isEmpty()) {
                            return; // idle for the keep-alive time, or shutting down
                        }
                        break;
                    }
                    LockSupport.parkNanos(HandlerPool.this, left);
                }
            }
        }

        private void unmarkStuck() {
            if (countedStuck.get() && countedStuck.compareAndSet(true, false)) {
                stuck.decrementAndGet();
            }
        }

        /**
         * Takes this worker back from the idle set; false when a waker claimed it first (it counted it active). It
         * counts itself active before it unparks itself: a submitter may already have polled it from the idle set
         * (its claim failing), and the next submitter, finding the idle set empty, must see it counted, or it starts
         * a thread for a deficit this one covers (seen: a third thread in a burst meant for two, preempted here).
         * Meanwhile it may be counted twice, for an instant; it polls the queue next either way.
         */
        private boolean reclaim() {
            active.incrementAndGet();
            if (parked.compareAndSet(true, false)) {
                idle.remove(this);
                return true;
            }
            active.decrementAndGet(); // the waker that claimed it counted it
            return false;
        }

        private void runTask(Runnable task) {
            long start = System.nanoTime();
            taskStart = start == 0 ? 1 : start;
            try {
                runGuarded(task);
            } finally {
                taskStart = 0;
                unmarkStuck();
            }
            if (!shutdownNowCalled) {
                Thread.interrupted(); // a handler's interrupt does not leak into the next task
            }
        }
    }

    /**
     * The watchdog: while the pool is busy, marks the threads stuck in a task, and wakes one more thread when queued
     * work made no progress for {@link #stallTicksAfter} ticks, or when a tick finds too few threads free.
     */
    private void watch() {
        long lastTaken = -1;
        StallClock stall = new StallClock();
        int idleTicks = 0;
        long tick = stallNanos;
        while (!(shutdown && threads.get() == 0)) {
            // a tick first: when just started or woken by a task, the submitter is waking a thread for it right now,
            // and deciding at the same moment would wake a second one for the same deficit
            LockSupport.parkNanos(this, tick);
            ticks.incrementAndGet();
            if (shutdown && threads.get() == 0) {
                break;
            }
            long now = System.nanoTime();
            // whether this tick saw anything that may need the next one soon: a task or inline run that looks
            // stuck or soon may, a thread counted stuck, queued work that made no progress or too few threads for it
            boolean watchful = false;
            Inline in = inline;
            if (in != null) {
                watchInline(in, now);
                watchful = mayStall(in.thread, now - in.start);
            }
            for (Worker w : workers) {
                long start = w.taskStart;
                if (start == 0 || !mayStall(w.thread, now - start)) {
                    continue;
                }
                watchful = true;
                if (looksStuck(w.thread, now - start) && !w.countedStuck.get()
                        && w.countedStuck.compareAndSet(false, true)) {
                    // if its task just ended, the mark stays until the thread's next task ends or it parks: at
                    // worst one thread too many is woken meanwhile
                    stuck.incrementAndGet();
                }
            }
            if (!queue.isEmpty()) {
                idleTicks = 0;
                long t = taken.get();
                boolean stalled = stall.tick(t != lastTaken);
                boolean tooFew = active.get() - stuck.get() < eager;
                if (!shutdownNowCalled && (stalled || tooFew)) {
                    wakeOne(stalled);
                }
                watchful |= t == lastTaken || tooFew;
                lastTaken = t;
            } else {
                lastTaken = -1;
                stall.reset();
                if (active.get() > 0) {
                    idleTicks = 0;
                } else if (++idleTicks > WATCHDOG_LINGER_TICKS && !shutdown) {
                    idleTicks = 0;
                    watchdogAsleep.set(true);
                    if (queue.isEmpty()) {
                        while (watchdogAsleep.get() && !shutdown) {
                            LockSupport.park(this);
                        }
                    }
                    watchdogAsleep.set(false);
                    tick = stallNanos;
                    continue;
                }
            }
            watchful |= stuck.get() > 0;
            tick = watchful ? stallNanos : Math.min(2 * tick, MAX_TICK_FACTOR * stallNanos);
        }
    }

    /**
     * Ticks without progress on queued work before the watchdog wakes one more thread, after {@code wakes} such wakes
     * that brought no progress yet: 2, then 4, 8, 16, at most 32. Progress (a task taken) starts again from 2, so
     * handlers that block still get a new thread every two ticks, each taking a task as it starts.
     */
    static int stallTicksAfter(int wakes) {
        return 2 << Math.min(wakes, 4);
    }

    /**
     * The watchdog's count of ticks without progress on queued work. Two in a row call for one more thread (one can
     * be a preempted thread, or a late watchdog, on a saturated machine), then twice as many after each such wake
     * that brought none ({@link #stallTicksAfter}): a thread just woken or started may wait milliseconds for a core,
     * and a thread per tick meanwhile filled the pool.
     */
    static final class StallClock {
        private int ticks;
        private int wakes;

        /** One tick with work queued. @return whether it calls for one more thread */
        boolean tick(boolean progress) {
            if (progress) {
                reset();
                return false;
            }
            if (++ticks < stallTicksAfter(wakes)) {
                return false;
            }
            ticks = 0;
            wakes++;
            return true;
        }

        /** Nothing queued: the next stall counts from the start. */
        void reset() {
            ticks = 0;
            wakes = 0;
        }
    }

    /**
     * Whether a thread {@code age} nanoseconds into its task counts as stuck: after a tick when it waits (a sleep, a
     * future, a condition), after {@value #RUNNABLE_STALL_TICKS} ticks otherwise. A runnable thread is usually
     * computing or waiting for a core, and one blocked on a monitor usually waits for a thread that runs: on a
     * saturated machine threads are preempted for milliseconds, and counting them as stuck would start more threads
     * exactly when there is no CPU for them (measured: 7 threads started instead of 2 at 256 calls in flight on 2
     * cores, while kafka-clients' locks were contended). A handler blocked in native I/O also shows as runnable; the
     * work queued behind it is still served once two ticks pass without progress.
     */
    private boolean looksStuck(Thread thread, long age) {
        if (age <= stallNanos) {
            return false;
        }
        if (age > RUNNABLE_STALL_TICKS * stallNanos) {
            return true;
        }
        Thread.State state = thread.getState();
        return state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING;
    }

    /**
     * Whether a thread {@code age} nanoseconds into its task needs ticks of {@code stallNanos}: it looks stuck
     * ({@link #looksStuck}), or it is runnable and the longest tick would take it past the runnable bound unseen. A
     * runnable task a few ticks old is the usual case on a saturated machine (preempted threads) and needs no more
     * ticks than a quiet pool.
     */
    private boolean mayStall(Thread thread, long age) {
        return age > stallNanos && (age > (RUNNABLE_STALL_TICKS - MAX_TICK_FACTOR) * stallNanos
                || looksStuck(thread, age));
    }

    /**
     * An inline run holds up its caller: report it once when it is two ticks old and waiting (a sleep, a future, a
     * condition), or {@value #RUNNABLE_STALL_TICKS} ticks old whatever it does. A runnable one younger than that is
     * usually computing or waiting for a core (preempted, or the whole JVM stopped for a collection, the watchdog
     * with it): on two saturated cores that happened to runs of a few microseconds several times a second, and each
     * report moved the caller's loop to a new thread and sent its next work to the pool for seconds, although no
     * other thread could have done it sooner. It counts as stuck by the rule for pool threads.
     */
    private void watchInline(Inline in, long now) {
        long age = now - in.start;
        if (!in.stallReported && age > 2 * stallNanos && looksStuck(in.thread, age)) {
            in.stallReported = true;
            try {
                in.onStall.run();
            } catch (Throwable e) {
                log.warn("the stall hook of an inline handler failed: {}", e.toString(), e);
            }
        }
        if (looksStuck(in.thread, age) && in.countedStuck.compareAndSet(false, true)) {
            stuck.incrementAndGet();
            if (inline != in && in.countedStuck.compareAndSet(true, false)) { // it ended meanwhile
                stuck.decrementAndGet();
            }
        }
    }

    /** No new tasks; queued ones still run; idle threads exit. */
    void shutdown() {
        shutdown = true;
        Worker w;
        while ((w = idle.poll()) != null) {
            claim(w);
        }
        LockSupport.unpark(watchdog);
    }

    /** As {@link #shutdown()}, and drops the queued tasks and interrupts the running ones (an inline one too). */
    void shutdownNow() {
        shutdownNowCalled = true;
        shutdown();
        queue.clear();
        for (Worker w : workers) {
            w.thread.interrupt();
        }
        Inline in = inline;
        if (in != null) {
            in.thread.interrupt(); // cleared again when its task returns: the caller's thread goes on
        }
    }

    /** @return whether every thread has exited within the time given */
    boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (!isTerminated()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            LockSupport.parkNanos(this, Math.min(left, TimeUnit.MILLISECONDS.toNanos(1)));
        }
        return true;
    }

    boolean isTerminated() {
        return shutdown && threads.get() == 0 && queue.isEmpty();
    }

    /** The watchdog's ticks so far (for tests). */
    long watchdogTicks() {
        return ticks.get();
    }

    /** Threads alive (for tests). */
    int threadCount() {
        return threads.get();
    }

    @Override
    public String toString() {
        return "HandlerPool[" + namePrefix + "*, threads " + threads.get() + "/" + maxThreads + ", eager " + eager
                + (queue.isEmpty() ? "" : ", work queued") + (shutdown ? ", shut down" : "") + "]";
    }
}
