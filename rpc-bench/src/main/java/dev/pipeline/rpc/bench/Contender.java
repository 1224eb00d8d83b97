package dev.pipeline.rpc.bench;

import dev.pipeline.rpc.tck.latency.RoundTrip;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** One request/reply implementation on one broker: our transport, a raw floor, or a competitor. */
interface Contender extends AutoCloseable {
    /** The broker, e.g. {@code kafka}. */
    String broker();

    /** Short label in tables and the chart, e.g. {@code pipeline}, {@code raw floor}. */
    String name();

    Role role();

    /** One line on how it is set up (for the report). */
    String setup();

    /** Creates topics/streams, connects, and returns once a round trip succeeded. */
    void start() throws Exception;

    /** The round trip to measure; valid after {@link #start()}. */
    RoundTrip roundTrip();

    /**
     * The round trip of the sequential points (one call in flight): the implementation's blocking call where it
     * has one, as a caller who waits for each reply uses it (Pipeline's {@code call}, Spring's
     * {@code sendAndReceive(..).get()}); by default {@link #roundTrip()}.
     */
    default RoundTrip sequentialRoundTrip() {
        return roundTrip();
    }

    /**
     * Whether the points with more than one call in flight run {@link #sequentialRoundTrip()} on one caller thread
     * per call in flight (each waits for its call before the next) instead of {@link #roundTrip()} from one thread.
     */
    default boolean callerThreads() {
        return false;
    }

    /**
     * Called after each run of {@link #roundTrip()} that completed every call: drops what the run left behind that
     * would otherwise cost the implementations measured next (see {@link SpringReplyingContender}).
     */
    default void afterRun() {
    }

    @Override
    void close();

    /** Calls until one round trip answers within a second, for at most {@code max}. */
    static void awaitFirstReply(Contender c, Duration max) throws Exception {
        long deadline = System.nanoTime() + max.toNanos();
        Exception last = null;
        while (System.nanoTime() - deadline < 0) {
            try {
                c.roundTrip().call("probe").toCompletableFuture().get(1, TimeUnit.SECONDS);
                return;
            } catch (TimeoutException e) {
                last = e;
            } catch (ExecutionException e) {
                last = e;
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException(c.broker() + " " + c.name() + ": no reply within " + max.toSeconds() + " s"
                + (last != null ? " (" + last + ")" : ""));
    }

    /**
     * The bytes a raw floor sends for {@code payload}: the same JSON-RPC request our client would send, so every
     * implementation moves the same number of bytes.
     */
    static byte[] jsonRequest(String payload, long id) {
        return ("{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":[\"" + payload + "\"],\"id\":" + id + "}")
                .getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Closes the parts that were opened (the null ones were not), in order; a part that fails to close is logged
     * and the next ones are still closed, so a contender that fails to stop leaves nothing of the others running.
     */
    static void closeAll(AutoCloseable... parts) {
        for (AutoCloseable part : parts) {
            if (part == null) {
                continue;
            }
            try {
                part.close();
            } catch (Exception e) {
                org.slf4j.LoggerFactory.getLogger(Contender.class).warn("closing {} failed: {}", part, e.toString());
            }
        }
    }

    static <T> CompletableFuture<T> failed(Throwable t) {
        return CompletableFuture.failedFuture(t);
    }
}
