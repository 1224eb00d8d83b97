package dev.pipeline.examples;

import dev.pipeline.rpc.tck.broker.KafkaBroker;
import dev.pipeline.rpc.tck.broker.RedisBroker;

import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;

/**
 * The broker an example runs against, from its first argument: a broker URI ({@code kafka://host:port},
 * {@code redis://host:port}) to use a running broker, or {@code kafka} / {@code redis} to start a local one for the
 * run (on a random loopback port, removed afterwards); with neither, a local broker of the example's default kind.
 */
public final class ExampleBroker implements AutoCloseable {
    private final String uri;
    private final String description;
    private final AutoCloseable started;
    private final String[] rest;

    private ExampleBroker(String uri, String description, AutoCloseable started, String[] rest) {
        this.uri = uri;
        this.description = description;
        this.started = started;
        this.rest = rest;
    }

    /**
     * @param args        the example's arguments; the first one may name the broker
     * @param defaultKind {@code kafka} or {@code redis}: what to start when the arguments name no broker
     */
    public static ExampleBroker fromArgs(String[] args, String defaultKind) {
        String first = args.length > 0 ? args[0] : null;
        if (first != null && first.contains("://")) {
            return new ExampleBroker(first, "given", null, Arrays.copyOfRange(args, 1, args.length));
        }
        String kind = defaultKind;
        String[] rest = args;
        if (first != null && (first.equalsIgnoreCase("kafka") || first.equalsIgnoreCase("redis"))) {
            kind = first.toLowerCase(Locale.ROOT);
            rest = Arrays.copyOfRange(args, 1, args.length);
        }
        return startLocal(kind, rest);
    }

    private static ExampleBroker startLocal(String kind, String[] rest) {
        System.out.println("starting a local " + kind + " broker for this example...");
        if (kind.equals("kafka")) {
            KafkaBroker k = KafkaBroker.startLocal();
            return new ExampleBroker(k.uri(), "local Kafka broker, removed at exit", k, rest);
        }
        if (kind.equals("redis")) {
            RedisBroker r = RedisBroker.startLocal(false);
            return new ExampleBroker(r.uri().toString(), "local Redis server, removed at exit", r, rest);
        }
        throw new IllegalArgumentException("unknown broker kind '" + kind + "': use kafka, redis or a URI");
    }

    /** @return the broker URI for {@code Rpc.client} and {@code Rpc.server}. */
    public String uri() {
        return uri;
    }

    /** @return the arguments after the broker argument. */
    public String[] rest() {
        return rest.clone();
    }

    @Override
    public String toString() {
        return uri + " (" + description + ")";
    }

    /**
     * Blocks until the JVM is asked to stop (Ctrl-C), then closes {@code resources} in order: for the receivers that
     * run until stopped.
     */
    public static void runUntilStopped(AutoCloseable... resources) throws InterruptedException {
        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (AutoCloseable r : resources) {
                try {
                    r.close();
                } catch (Exception e) {
                    System.err.println("closing " + r + " failed: " + e);
                }
            }
            closed.countDown();
        }, "example-shutdown"));
        closed.await();
    }

    /** Stops the broker if this example started it. */
    @Override
    public void close() {
        if (started != null) {
            try {
                started.close();
            } catch (Exception e) {
                System.err.println("could not stop the local broker: " + e);
            }
        }
    }
}
