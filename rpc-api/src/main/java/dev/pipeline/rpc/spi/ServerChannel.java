package dev.pipeline.rpc.spi;

import java.time.Duration;

/** One server instance's subscription to a service's requests. */
public interface ServerChannel extends AutoCloseable {
    /** Starts consuming. Returns once the subscription is set up (or throws with a clear message). */
    void start();

    /**
     * Stops fetching, waits up to {@code grace} for in-flight messages to finish, writes their replies, acknowledges
     * them, and releases connections. Messages not finished in time stay unacknowledged (another instance gets them).
     */
    void close(Duration grace);

    /** Closes with the settings' default grace period. Idempotent. */
    @Override
    void close();
}
