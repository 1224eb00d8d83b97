package dev.pipeline.rpc.cli;

import dev.pipeline.rpc.bench.BenchOptions;
import dev.pipeline.rpc.bench.BrokerComparison;
import dev.pipeline.rpc.bench.ComparisonResult;
import dev.pipeline.rpc.cli.Failures.CliException;
import dev.pipeline.rpc.spi.Secrets;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code pipeline bench [flags]}: the broker comparison of module rpc-bench ({@link BrokerComparison}); the flags are
 * its own ({@link BenchOptions.Builder}). Progress goes to stderr, the report to stdout.
 */
@Command(name = "bench", sortOptions = false, usageHelpAutoWidth = true,
        description = {"Compares the brokers: starts local Kafka and Redis (or uses the ones given), runs the same "
                + "request/reply workloads on Pipeline's transports, on each broker's raw client floor and on "
                + "Spring Kafka's ReplyingKafkaTemplate, prints the report (the verdict per workload first) and "
                + "writes results.md, results.json and chart.png into the output folder. About 3 minutes on 2 cores.",
                "With --broker kafka://... or redis://..., runs that broker only, at that address."},
        footer = {"", "Examples:",
                "  pipeline bench                             # both brokers, about 3 minutes",
                "  pipeline bench --full                      # longer, more precise",
                "  pipeline bench --quick --transports redis  # a smoke run",
                "  pipeline -b kafka://my-redpanda:9092 bench --duration 10s --output results"})
final class BenchCommand implements Callable<Integer> {
    @ParentCommand
    PipelineCli top;

    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Mixin
    BenchOptions.Builder flags;

    @Override
    public Integer call() {
        String broker = top.givenBroker();
        if (broker != null) {
            String scheme = Connections.parse(broker, top.brokerOrigin()).getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("kafka") && !scheme.equals("redis") && !scheme.equals("rediss")) {
                throw new CliException("bench compares kafka:// and redis:// brokers; " + top.brokerOrigin()
                        + " was " + Secrets.mask(broker));
            }
        }
        BenchOptions options;
        try {
            options = flags.broker(broker).build();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), Failures.oneLine(e.getMessage()));
        }
        ComparisonResult result;
        try (PrintStream progress = new PrintStream(new WriterStream(spec.commandLine().getErr()), true,
                StandardCharsets.UTF_8)) {
            result = BrokerComparison.run(options, progress);
        } catch (IllegalArgumentException | UncheckedIOException e) {
            throw new CliException(Failures.describe(e), e);
        }
        spec.commandLine().getOut().println(result.markdown());
        spec.commandLine().getOut().flush();
        if (!result.failures().isEmpty()) {
            throw new CliException(result.failures().size() + " measurement(s) failed, first: "
                    + Failures.oneLine(result.failures().get(0)));
        }
        return 0;
    }
}
