package dev.pipeline.rpc.cli;

import dev.pipeline.rpc.soak.Soak;
import dev.pipeline.rpc.soak.SoakOptions;
import dev.pipeline.rpc.soak.SoakResult;
import dev.pipeline.rpc.cli.Failures.CliException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code pipeline soak}: the failover soak of module rpc-soak ({@link Soak}). Exit code 0 when no call was lost,
 * hung or completed twice; 3 otherwise.
 */
@Command(name = "soak", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        description = {"Failover soak: starts a local broker (or uses --broker), N server processes and a load "
                + "client, kills a random server with SIGKILL on a schedule and starts a replacement, then prints "
                + "calls ok / failed / hung / lost, duplicate executions, latency p50 / p99 / max and the time from "
                + "each kill to the first reply from the survivors. See docs/soak.md."},
        footer = {"", "Examples:",
                "  pipeline soak                                  # kafka, then redis; a kill every 10 s",
                "  pipeline soak --transport redis --kill-every 2s",
                "  pipeline -b kafka://127.0.0.1:9092 soak --calls 50000"})
final class SoakCommand implements Callable<Integer> {
    @ParentCommand
    PipelineCli top;

    @Spec
    CommandSpec spec;

    @Option(names = "--transport", split = ",", paramLabel = "kafka|redis",
            description = "Transports to soak, one after the other. Default: kafka,redis (the --broker's only).")
    List<String> transports;

    @Option(names = "--servers", paramLabel = "N", description = "Server processes. Default: ${DEFAULT-VALUE}.")
    int servers = 3;

    @Option(names = "--calls", paramLabel = "N", description = "Calls. Default: ${DEFAULT-VALUE}.")
    int calls = 10_000;

    @Option(names = "--in-flight", paramLabel = "N", description = "Calls in flight. Default: ${DEFAULT-VALUE}.")
    int inFlight = 64;

    @Option(names = "--rate", paramLabel = "N", description = "Calls started per second at most, 0 for no limit."
            + " Default: ${DEFAULT-VALUE}, so that the default run spans about 100 s and nine kills.")
    int rate = 100;

    @Option(names = "--kill-every", paramLabel = "DURATION", description = "Interval between kills. Default: 10s.")
    String killEvery = "10s";

    @Option(names = "--kills", paramLabel = "N", description = "Most kills, 0 for no limit. Default: ${DEFAULT-VALUE}.")
    int kills;

    @Option(names = "--call-timeout", paramLabel = "DURATION", description = "Each call's timeout. Default: 30s.")
    String callTimeout = "30s";

    @Option(names = "--grace", paramLabel = "DURATION",
            description = "Wait past the call timeout before open calls count as hung. Default: 30s.")
    String grace = "30s";

    @Option(names = "--seed", paramLabel = "N", description = "Seed of the choice of server to kill. Default: 1.")
    long seed = 1;

    @Option(names = "--idempotent", description = "Declare the calls idempotent, so the client hedges a call that"
            + " gets no reply in time (a resend to a live server; duplicate executions are its cost).")
    boolean idempotent;

    @Option(names = "--dedup", paramLabel = "WHERE", description = "Declare the method idempotent on the servers"
            + " and keep their dedup window: none, memory (each server's own) or redis (shared by all servers; beside"
            + " Kafka a local redis-server). Default: ${DEFAULT-VALUE}.")
    String dedup = "none";

    @Option(names = "--stable-identities", description = "Each replacement server takes over the identity of the"
            + " one it replaces, as a StatefulSet or a supervisor that restarts a process gives it (Kafka: static"
            + " membership, group.instance.id).")
    boolean stableIdentities;

    @Option(names = "--graceful", description = "Stop servers with SIGTERM (each closes and hands its work over, as"
            + " in a rolling restart) instead of kill -9.")
    boolean graceful;

    @Option(names = "--server-option", paramLabel = "KEY=VALUE", description = "A transport option for every server"
            + " process, added to its broker URI's query (for example heartbeat.interval.ms=500). Repeatable.")
    java.util.Map<String, String> serverOptions = new java.util.LinkedHashMap<>();

    @Option(names = "--logs", paramLabel = "DIR",
            description = "Folder for the execution logs and server output. Default: a new temporary folder.")
    Path logs;

    @Override
    public Integer call() {
        SoakOptions options;
        try {
            SoakOptions.Builder b = SoakOptions.builder().servers(servers).calls(calls).inFlight(inFlight).rate(rate)
                    .killEvery(Durations.parse(killEvery)).maxKills(kills).callTimeout(Durations.parse(callTimeout))
                    .grace(Durations.parse(grace)).seed(seed).workDir(logs).idempotent(idempotent).dedup(dedup)
                    .stableIdentities(stableIdentities).graceful(graceful);
            serverOptions.forEach(b::serverOption);
            String broker = top.givenBroker();
            if (broker != null) {
                URI uri = Connections.parse(broker, top.brokerOrigin());
                String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
                b.broker(broker);
                if (transports == null) {
                    b.transports(List.of(scheme.startsWith("redis") ? "redis" : scheme));
                }
            }
            if (transports != null) {
                b.transports(transports);
            }
            options = b.build();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), Failures.oneLine(e.getMessage()));
        }
        PrintWriter out = spec.commandLine().getOut();
        List<SoakResult> results;
        try (PrintStream progress = new PrintStream(new WriterStream(out), true, StandardCharsets.UTF_8)) {
            results = Soak.run(options, progress);
        } catch (IllegalArgumentException | IllegalStateException | UncheckedIOException e) {
            throw new CliException(Failures.describe(e), e);
        }
        long broken = results.stream().filter(r -> r.lost() > 0 || r.hung() > 0 || r.completedTwice() > 0
                || r.okUnlogged() > 0).count();
        if (broken > 0) {
            throw new CliException("soak: " + broken + " transport(s) lost, hung or double-completed calls");
        }
        return 0;
    }
}
