package dev.pipeline.rpc.spi;

import dev.pipeline.rpc.Health;

import java.time.Duration;

/** One server instance's subscription to a service's requests. */
public interface ServerChannel extends AutoCloseable {
    /** Starts consuming. Returns once the subscription is set up (or throws with a clear message). */
    void start();

    /**
     * Stops fetching, waits up to {@code grace} for in-flight messages to finish, writes their replies, acknowledges
     * them, and releases connections. Messages not finished in time stay unacknowledged (another instance gets them).
     *
     * @param grace how long to wait for in-flight messages; zero for not at all
     */
    void close(Duration grace);

    /**
     * @return whether the subscription is served now: {@code DOWN} while its transport loop is dead (e.g. killed by
     *     an {@code OutOfMemoryError} and waiting to be restarted), {@code DEGRADED} for a while after such a fault;
     *     see {@link LoopHealth}. Must not block. The default is always {@code UP}.
     */
    default Health health() {
        return Health.up();
    }

    /** Closes with the settings' default grace period. Idempotent. */
    @Override
    void close();
}
