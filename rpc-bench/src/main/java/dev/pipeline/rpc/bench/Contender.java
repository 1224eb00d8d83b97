package dev.pipeline.rpc.bench;

import dev.pipeline.rpc.bench.ComparisonResult.Role;
import dev.pipeline.rpc.tck.latency.RoundTrip;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** One request/reply implementation on one broker: Pipeline, a raw floor, or a competitor. */
abstract class Contender implements AutoCloseable {
    private final String broker;
    private final String name;
    private final Role role;

    /**
     * @param broker {@code kafka} or {@code redis}
     * @param name   label in tables and the chart, e.g. {@code pipeline}, {@code raw floor}
     */
    Contender(String broker, String name, Role role) {
        this.broker = broker;
        this.name = name;
        this.role = role;
    }

    final String broker() {
        return broker;
    }

    final String name() {
        return name;
    }

    final Role role() {
        return role;
    }

    /** One line on how it is set up (for the report). */
    abstract String setup();

    /** Creates topics or streams, connects, and returns once a round trip succeeded. */
    abstract void start() throws Exception;

    /** The round trip measured under load; valid after {@link #start()}. */
    abstract RoundTrip roundTrip();

    /**
     * The round trip of the sequential points: the implementation's blocking call where it has one, as a caller who
     * waits for each reply uses it (Pipeline's {@code call}, Spring's {@code sendAndReceive(..).get()}).
     */
    RoundTrip sequentialRoundTrip() {
        return roundTrip();
    }

    /** Called after each run that completed every call: drops what the run left behind (see Spring's). */
    void afterRun() {
    }

    @Override
    public abstract void close();

    /** Calls until one round trip answers within a second, for at most {@code max}. */
    static void awaitFirstReply(Contender c, Duration max) throws Exception {
        long deadline = System.nanoTime() + max.toNanos();
        Exception last = null;
        while (System.nanoTime() - deadline < 0) {
            try {
                c.roundTrip().call("probe").toCompletableFuture().get(1, TimeUnit.SECONDS);
                return;
            } catch (TimeoutException | ExecutionException e) {
                last = e;
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException(c.broker() + " " + c.name() + ": no reply within " + max.toSeconds() + " s"
                + (last != null ? " (" + last + ")" : ""));
    }

    /** The bytes the floors and Spring send: the JSON-RPC request Pipeline's client sends, so all move the same. */
    static byte[] jsonRequest(String payload, long id) {
        return ("{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":[\"" + payload + "\"],\"id\":" + id + "}")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** Waits up to 5 s for each thread to end. */
    static void join(List<Thread> threads) {
        for (Thread t : threads) {
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                keepInterrupt(e);
            }
        }
    }

    /** Restores the thread's interrupt flag when {@code e} is an {@link InterruptedException}. */
    static void keepInterrupt(Exception e) {
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
    }

    /** Closes the non-null parts in order; one that fails is logged and the next ones are still closed. */
    static void closeAll(AutoCloseable... parts) {
        for (AutoCloseable part : parts) {
            try {
                if (part != null) {
                    part.close();
                }
            } catch (Exception e) {
                org.slf4j.LoggerFactory.getLogger(Contender.class).warn("closing {} failed: {}", part, e.toString());
            }
        }
    }
}
