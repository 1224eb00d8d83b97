package dev.pipeline.rpc.spi;

import java.time.Duration;

/**
 * Where a server keeps the outcomes of recent calls to idempotent methods, so that a request delivered again (a
 * client's retry or hedge, or the broker redelivering a request whose server died before it committed) is answered
 * from the stored outcome instead of running the method again.
 *
 * <p>Keys are short ASCII strings made by the server (the service name and a digest of the caller's client id and
 * correlation id), values the bytes of a JSON-RPC response with a digest of the request in front; the store treats
 * both as opaque. {@link #inMemory(int, long)} keeps them in the server's heap: it covers a request delivered again
 * to the same instance. A store shared by every instance of a service (the Redis transport's
 * {@code RedisDedupStore}) also covers a request that moves to another instance after a crash.
 *
 * <p>Implementations are thread-safe. A store that fails (throws) never fails a call: the server logs it and runs the
 * method, as it would without a store.
 */
public interface DedupStore extends AutoCloseable {
    /**
     * @param key a key made by the server
     * @return the value stored under {@code key} within its time to live, or {@code null}
     * @throws Exception when the store cannot be read
     */
    byte[] get(String key) throws Exception;

    /**
     * Stores {@code value} under {@code key} for {@code ttl}, replacing what was there.
     *
     * @param key   a key made by the server
     * @param value the bytes to keep
     * @param ttl   how long to keep them, positive
     * @throws Exception when the store cannot be written
     */
    void put(String key, byte[] value, Duration ttl) throws Exception;

    /** Releases what the store holds (connections); the default does nothing. */
    @Override
    default void close() {
    }

    /**
     * A store in this process's heap, bounded by count and by bytes: when either bound is reached, the oldest
     * entries go first, so a flood of distinct requests can push out entries before their time to live, never grow
     * the heap.
     *
     * @param maxEntries at least 1
     * @param maxBytes   the bytes of keys and values together, at least 1
     * @return a new, empty store
     */
    static DedupStore inMemory(int maxEntries, long maxBytes) {
        return new MemoryDedupStore(maxEntries, maxBytes);
    }
}
