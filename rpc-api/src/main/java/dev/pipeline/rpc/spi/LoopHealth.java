package dev.pipeline.rpc.spi;

import dev.pipeline.rpc.Health;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

/**
 * The health of one transport loop (a poll or read loop of a server or client channel), for transports to report
 * through {@link ServerChannel#health()}. A loop that catches a fatal error ({@code OutOfMemoryError},
 * {@code StackOverflowError}, any {@code Throwable}) calls {@link #died}, which logs it at ERROR with its cause and
 * returns how long to wait before restarting; once running again it calls {@link #restarted}. An error the loop
 * survives without a restart is reported with {@link #survived}. Thread-safe.
 *
 * <p>{@link #health()} is {@code DOWN} while the loop is dead or {@linkplain #stopped stopped}, {@code DEGRADED} for
 * {@value #DEGRADED_MINUTES} minutes after the last fatal error, then {@code UP} again. The restart delay doubles from
 * 500 ms up to 30 s while the loop keeps dying within a minute of its last death.
 */
public final class LoopHealth {
    /** How long a loop is reported DEGRADED after its last fatal error. */
    public static final int DEGRADED_MINUTES = 5;
    private static final Logger log = LoggerFactory.getLogger(LoopHealth.class);
    private static final long DEGRADED_NANOS = TimeUnit.MINUTES.toNanos(DEGRADED_MINUTES);
    private static final long STREAK_NANOS = TimeUnit.MINUTES.toNanos(1);
    private static final long MAX_BACKOFF_MILLIS = 30_000;

    private final String loop;
    private boolean dead;
    private String stoppedWhy;
    private long errors;
    private int streak;
    private long lastErrorNanos;
    private String lastError;

    /** @param loop what the loop is, for logs and reasons, e.g. {@code "the Kafka poll loop of service 'orders'"} */
    public LoopHealth(String loop) {
        this.loop = loop;
    }

    /**
     * The loop died of {@code error} and will be restarted: logs it at ERROR with the cause.
     *
     * @param error what ended the loop's thread
     * @return how long to wait before the restart, in milliseconds
     */
    public long died(Throwable error) {
        long backoff;
        synchronized (this) {
            long now = System.nanoTime();
            streak = errors > 0 && now - lastErrorNanos < STREAK_NANOS ? streak + 1 : 1;
            note(error, now);
            dead = true;
            backoff = Math.min(MAX_BACKOFF_MILLIS, 500L << Math.min(streak - 1, 6));
        }
        log.error("{} died of {}; it serves nothing until it restarts in {} ms (fatal error {} in a row)", loop,
                error, backoff, streak, error);
        return backoff;
    }

    /**
     * An error hit the loop's thread and the loop went on without a restart: logs it at ERROR with the cause.
     *
     * @param error what was caught
     */
    public void survived(Throwable error) {
        synchronized (this) {
            note(error, System.nanoTime());
        }
        log.error("{} hit {}; it goes on", loop, error, error);
    }

    private void note(Throwable error, long now) {
        errors++;
        lastErrorNanos = now;
        String m = String.valueOf(error);
        lastError = m.length() > 300 ? m.substring(0, 300) + "..." : m;
    }

    /** The loop runs again after {@link #died}. */
    public void restarted() {
        synchronized (this) {
            dead = false;
        }
        log.warn("{} restarted after {}", loop, lastError);
    }

    /**
     * The loop ended for good (not by a close): DOWN until the channel is closed.
     *
     * @param why the reason health reports
     */
    public synchronized void stopped(String why) {
        stoppedWhy = why;
    }

    /** @return the loop's health now */
    public synchronized Health health() {
        if (stoppedWhy != null) {
            return Health.down(loop + " stopped: " + stoppedWhy);
        }
        if (dead) {
            return Health.down("transport loop dead: " + loop + " died of " + lastError + "; restarting");
        }
        long ago = System.nanoTime() - lastErrorNanos;
        if (errors > 0 && ago < DEGRADED_NANOS) {
            return Health.degraded("transport loop fault: " + loop + " hit " + lastError + ", "
                    + TimeUnit.NANOSECONDS.toSeconds(ago) + " s ago (" + errors + " fatal error(s)); it serves again");
        }
        return Health.up();
    }

    @Override
    public String toString() {
        return loop + ": " + health();
    }
}
