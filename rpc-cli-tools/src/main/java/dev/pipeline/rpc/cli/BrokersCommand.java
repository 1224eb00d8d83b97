package dev.pipeline.rpc.cli;

import dev.pipeline.rpc.cli.Failures.CliException;
import dev.pipeline.rpc.tck.broker.KafkaBroker;
import dev.pipeline.rpc.tck.broker.RedisBroker;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;

/**
 * {@code pipeline brokers}: starts a local Kafka broker and a local Redis server for development, prints their URIs and
 * runs until Ctrl-C, then stops them and deletes their data.
 */
@Command(name = "brokers", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        description = {"Starts local development brokers on random loopback ports, prints their URIs, and runs until "
                + "Ctrl-C; then stops them and deletes their data.",
                "Kafka: a single-node KRaft Apache Kafka broker in a child JVM (from this jar).",
                "Redis: redis-server from the PATH, else the Redis 6.2 binary shipped in the jar (Linux, macOS)."},
        footer = {"", "Examples:",
                "  pipeline brokers                # both",
                "  pipeline brokers --no-kafka     # Redis only (starts in milliseconds)"})
final class BrokersCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--kafka", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Start a Kafka broker (default: yes; --no-kafka to skip).")
    boolean kafka;

    @Option(names = "--redis", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Start a Redis server (default: yes; --no-redis to skip).")
    boolean redis;

    private KafkaBroker kafkaBroker;
    private RedisBroker redisBroker;
    private boolean stopped;

    @Override
    public Integer call() {
        if (!kafka && !redis) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "nothing to start: --no-kafka and --no-redis");
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println("starting " + (kafka && redis ? "Kafka and Redis" : kafka ? "Kafka" : "Redis") + "...");
        out.flush();
        CountDownLatch done = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stop(out);
            done.countDown();
        }, "pipeline-brokers-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            CompletableFuture<KafkaBroker> k = kafka ? CompletableFuture.supplyAsync(KafkaBroker::startLocal)
                    : CompletableFuture.completedFuture(null);
            CompletableFuture<RedisBroker> r = redis ? CompletableFuture.supplyAsync(() -> RedisBroker.startLocal(false))
                    : CompletableFuture.completedFuture(null);
            started(k, r);
        } catch (RuntimeException e) {
            removeHook(hook);
            stop(null);
            throw e;
        }
        if (kafkaBroker != null) {
            out.println("Kafka  " + kafkaBroker.uri() + "    (" + kafkaBroker + ")");
        }
        if (redisBroker != null) {
            out.println("Redis  " + redisBroker.uri() + "    (" + redisBroker.description() + ")");
        }
        out.println();
        out.println("Use one, e.g.:");
        String first = kafkaBroker != null ? kafkaBroker.uri() : redisBroker.uri().toString();
        out.println("  export " + PipelineCli.BROKER_ENV + "=" + first);
        out.println("  pipeline serve &   pipeline call demo echo hello");
        out.println("Ctrl-C stops the brokers and deletes their data.");
        out.flush();
        try {
            done.await();
        } catch (InterruptedException e) {
            removeHook(hook);
            stop(out);
        }
        return 0;
    }

    private void started(CompletableFuture<KafkaBroker> k, CompletableFuture<RedisBroker> r) {
        RuntimeException failure = null;
        try {
            kafkaBroker = k.join();
        } catch (CompletionException e) {
            failure = new CliException("the local Kafka broker did not start: " + Failures.describe(e.getCause()),
                    e.getCause());
        }
        try {
            redisBroker = r.join();
        } catch (CompletionException e) {
            if (failure == null) {
                failure = new CliException("the local Redis server did not start: " + Failures.describe(e.getCause()),
                        e.getCause());
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException ignored) {
            // shutting down: the hook runs
        }
    }

    private synchronized void stop(PrintWriter out) {
        if (stopped) {
            return;
        }
        stopped = true;
        if (out != null) {
            out.println("stopping the brokers...");
            out.flush();
        }
        if (kafkaBroker != null) {
            kafkaBroker.close();
        }
        if (redisBroker != null) {
            redisBroker.close();
        }
        if (out != null) {
            out.println("stopped; their data is deleted");
            out.flush();
        }
    }
}
