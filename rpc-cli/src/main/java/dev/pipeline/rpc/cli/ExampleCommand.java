package dev.pipeline.rpc.cli;

import dev.pipeline.examples.klass.ClassExample;
import dev.pipeline.examples.messenger.MessengerExample;
import dev.pipeline.examples.simple.SimpleExample;
import dev.pipeline.rpc.cli.Failures.CliException;
import dev.pipeline.rpc.spi.Secrets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code pipeline example NAME [kafka|redis]}: runs one of the examples of the examples module, in this JVM. */
@Command(name = "example", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        description = {"Runs an example: a receiver and a sender on one broker, printing what happens.",
                "  simple     an echo service and its sender (on Kafka by default)",
                "  class      an object called through typed proxies (on Redis by default)",
                "  messenger  messages; the recipient's inbox is notified (on Kafka by default)",
                "With --broker (or $PIPELINE_BROKER) it uses that broker; else it starts a local one for the run, "
                        + "of the kind given (kafka or redis) or the example's default."},
        footer = {"", "Examples:",
                "  pipeline example simple",
                "  pipeline example class kafka",
                "  pipeline -b redis://127.0.0.1:6379 example messenger"})
final class ExampleCommand implements Callable<Integer> {
    @ParentCommand
    PipelineCli top;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME", description = "simple, class or messenger.")
    String name;

    @Parameters(index = "1", arity = "0..1", paramLabel = "KIND",
            description = "kafka or redis: the kind of local broker to start when no broker is given.")
    String kind;

    @Override
    public Integer call() throws Exception {
        if (!List.of("simple", "class", "klass", "clazz", "messenger").contains(name)) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "unknown example '" + name + "': simple, class or messenger");
        }
        List<String> args = new ArrayList<>();
        String given = top.givenBroker();
        if (kind != null && !kind.equals("kafka") && !kind.equals("redis")) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "KIND must be kafka or redis, was '" + kind + "'");
        }
        if (given != null && kind == null) {
            Connections.probe(Connections.parse(given, top.brokerOrigin()), Secrets.mask(given), top.brokerOrigin(),
                    Duration.ofSeconds(10));
            args.add(given);
        } else if (!localBrokersHere()) {
            throw new CliException("example " + name + " needs a broker: give --broker or $" + PipelineCli.BROKER_ENV
                    + " (./pipeline brokers starts local ones), or run it from pipeline-tools.jar, which starts one"
                    + " for the run (./pipeline example does so)");
        } else if (kind != null) {
            args.add(kind);
        }
        String[] a = args.toArray(String[]::new);
        switch (name) {
            case "simple" -> SimpleExample.main(a);
            case "class", "klass", "clazz" -> ClassExample.main(a);
            case "messenger" -> MessengerExample.main(a);
            default -> throw new IllegalStateException(name);
        }
        return 0;
    }

    /** @return whether the local broker fixtures are on the class path (the tools jar has them, the everyday one not) */
    static boolean localBrokersHere() {
        try {
            Class.forName("dev.pipeline.rpc.tck.broker.KafkaBroker", false, ExampleCommand.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
