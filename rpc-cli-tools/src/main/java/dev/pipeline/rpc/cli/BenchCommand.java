package dev.pipeline.rpc.cli;

import dev.pipeline.rpc.bench.BenchOptions;
import dev.pipeline.rpc.bench.BrokerComparison;
import dev.pipeline.rpc.bench.ComparisonResult;
import dev.pipeline.rpc.cli.Failures.CliException;
import dev.pipeline.rpc.spi.Secrets;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code pipeline bench [flags]}: the broker comparison of module rpc-bench ({@link BrokerComparison}); the flags are
 * its own ({@link BenchOptions#usage()}).
 */
@Command(name = "bench", sortOptions = false, usageHelpAutoWidth = true,
        description = {"Compares the brokers: starts local Kafka and Redis (or uses the ones given), runs the same "
                + "request/reply workloads on Pipeline's transports, on each broker's raw client floor and on "
                + "Spring Kafka's ReplyingKafkaTemplate, prints a table with the ratios and writes results.md, "
                + "results.json and chart.png into the output folder.",
                "With --broker kafka://... or redis://..., runs that broker only, at that address."})
final class BenchCommand implements Callable<Integer> {
    @ParentCommand
    PipelineCli top;

    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Parameters(paramLabel = "FLAG", arity = "0..*", description = "The comparison's flags, listed below.")
    List<String> flags = new ArrayList<>();

    /** Lets the comparison's own flags through picocli untouched and lists them in the help. */
    static void configure(CommandLine bench) {
        bench.setUnmatchedOptionsArePositionalParams(true);
        bench.getCommandSpec().usageMessage().footer("", "Flags:", BenchOptions.usage().stripTrailing(), "",
                "Examples:",
                "  pipeline bench                                   # both brokers, defaults (a few minutes)",
                "  pipeline bench --quick --transports redis        # a smoke run",
                "  pipeline -b kafka://my-redpanda:9092 bench --duration 10s --output results");
    }

    @Override
    public Integer call() {
        List<String> args = new ArrayList<>(flags);
        String broker = top.givenBroker();
        if (broker != null) {
            URI uri = Connections.parse(broker, top.brokerOrigin());
            String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
            boolean transportsGiven = args.stream().anyMatch(a -> a.equals("--transports")
                    || a.startsWith("--transports="));
            switch (scheme) {
                case "kafka" -> args.addAll(List.of("--kafka", uri.getRawAuthority()));
                case "redis", "rediss" -> args.addAll(List.of("--redis", broker));
                default -> throw new CliException("bench compares kafka:// and redis:// brokers; "
                        + top.brokerOrigin() + " was " + Secrets.mask(broker));
            }
            if (!transportsGiven) {
                args.addAll(List.of("--transports", scheme.startsWith("redis") ? "redis" : "kafka"));
            }
        }
        BenchOptions options;
        try {
            options = BenchOptions.parse(args.toArray(String[]::new));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), Failures.oneLine(e.getMessage()));
        }
        PrintWriter out = spec.commandLine().getOut();
        ComparisonResult result;
        try (PrintStream progress = new PrintStream(new WriterStream(out), true, StandardCharsets.UTF_8)) {
            result = BrokerComparison.run(options, progress);
        } catch (IllegalArgumentException | UncheckedIOException e) {
            throw new CliException(Failures.describe(e), e);
        }
        if (!result.failures().isEmpty()) {
            throw new CliException(result.failures().size() + " measurement(s) failed, first: "
                    + Failures.oneLine(result.failures().get(0)));
        }
        return 0;
    }
}
