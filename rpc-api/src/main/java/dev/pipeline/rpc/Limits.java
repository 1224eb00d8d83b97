package dev.pipeline.rpc;

/**
 * Bounds on input that the codec enforces before and while parsing. Input over a bound is answered with a JSON-RPC
 * error, never a stack overflow, an out-of-memory error or a hang: the server answers one -32600 Invalid Request
 * (id null) whose message names the limit exceeded.
 *
 * @param maxMessageBytes the largest message accepted, in bytes (default 1 MiB)
 * @param maxDepth        the deepest nesting of JSON arrays and objects accepted (default 64)
 * @param maxBatchSize    the most elements in a batch (default 1000)
 */
public record Limits(int maxMessageBytes, int maxDepth, int maxBatchSize) {
    /** 1 MiB, depth 64, batches of up to 1000. */
    public static final Limits DEFAULT = new Limits(1 << 20, 64, 1000);

    /**
     * Checks the bounds.
     *
     * @param maxMessageBytes the largest message accepted, in bytes: at least 64
     * @param maxDepth        the deepest nesting of JSON arrays and objects accepted: at least 2
     * @param maxBatchSize    the most elements in a batch: at least 1
     * @throws IllegalArgumentException when {@code maxMessageBytes} is below 64, {@code maxDepth} below 2 or
     *     {@code maxBatchSize} below 1
     */
    public Limits {
        if (maxMessageBytes < 64) {
            throw new IllegalArgumentException("maxMessageBytes must be >= 64, was " + maxMessageBytes);
        }
        if (maxDepth < 2) {
            throw new IllegalArgumentException("maxDepth must be >= 2, was " + maxDepth);
        }
        if (maxBatchSize < 1) {
            throw new IllegalArgumentException("maxBatchSize must be >= 1, was " + maxBatchSize);
        }
    }
}
