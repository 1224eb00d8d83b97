package dev.pipeline.rpc.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.List;
import java.util.Properties;

/**
 * The {@code pipeline} command-line tool: serve a service, call or notify one, start local development brokers and
 * compare brokers, from one runnable jar ({@code java -jar rpc-cli/target/pipeline.jar --help}, or {@code ./pipeline}).
 *
 * <p>Exit codes: 0 success, 1 the call ended in a JSON-RPC error (printed as {@code error <code>: <message>}),
 * 2 a bad command line, 3 any other failure (bad broker URI, unreachable broker, ...), always as one line on standard
 * error unless {@code --verbose}.
 */
@Command(name = "pipeline",
        mixinStandardHelpOptions = true,
        versionProvider = PipelineCli.Version.class,
        sortOptions = false,
        usageHelpAutoWidth = true,
        description = {"JSON-RPC 2.0 between services over message brokers (Kafka, Redis Streams)."},
        subcommands = {ServeCommand.class, CallCommand.class, NotifyCommand.class, BrokersCommand.class,
                BenchCommand.class, SoakCommand.class, ExampleCommand.class, CommandLine.HelpCommand.class},
        footer = {"",
                "Broker URIs:",
                "  kafka://host:port[,host:port...]",
                "  redis://[user:password@]host:port[/db]    (rediss:// for TLS)",
                "The broker is --broker, else $PIPELINE_BROKER, else kafka://localhost:9092.",
                "",
                "Exit codes: 0 ok, 1 JSON-RPC error, 2 bad command line,",
                "            3 other failure (bad URI, unreachable broker, ...)."})
public final class PipelineCli {
    /** Exit code of a call that ended in a JSON-RPC error. */
    public static final int EXIT_RPC_ERROR = 1;
    /** Exit code of a bad command line. */
    public static final int EXIT_USAGE = 2;
    /** Exit code of any other failure: bad URI, unreachable broker, a class that cannot be served... */
    public static final int EXIT_FAILURE = 3;

    /** Environment variable holding the default broker URI. */
    public static final String BROKER_ENV = "PIPELINE_BROKER";
    /** The broker used when neither {@code --broker} nor {@value #BROKER_ENV} names one. */
    public static final String DEFAULT_BROKER = "kafka://localhost:9092";

    @Option(names = {"-b", "--broker"}, scope = ScopeType.INHERIT, paramLabel = "URI",
            description = "Broker URI. Default: $" + BROKER_ENV + ", else the Kafka at localhost:9092.")
    String broker;

    @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT,
            description = "Log at info level and print stack traces of failures.")
    boolean verbose;

    /** Entry point of the runnable jar. */
    public static void main(String[] args) {
        configureLogging(List.of(args).contains("--verbose") || List.of(args).contains("-v"));
        int rc = commandLine().execute(args);
        System.exit(rc);
    }

    /**
     * @return the command line with its exception handlers, ready for {@link CommandLine#execute(String...)}; set
     * {@link CommandLine#setOut(PrintWriter)} and {@link CommandLine#setErr(PrintWriter)} to capture its output
     */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new PipelineCli());
        cl.setExecutionExceptionHandler(new Failures.ExecutionHandler());
        cl.setParameterExceptionHandler(new Failures.ParameterHandler());
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        return cl;
    }

    /** The broker URI chosen by {@code --broker}, the environment, or the default. */
    String brokerUri() {
        if (broker != null && !broker.isBlank()) {
            return broker.trim();
        }
        String env = System.getenv(BROKER_ENV);
        return env != null && !env.isBlank() ? env.trim() : DEFAULT_BROKER;
    }

    /** Where the broker URI came from, for messages. */
    String brokerOrigin() {
        if (broker != null && !broker.isBlank()) {
            return "--broker";
        }
        String env = System.getenv(BROKER_ENV);
        return env != null && !env.isBlank() ? "$" + BROKER_ENV : "the default";
    }

    private static void configureLogging(boolean verbose) {
        if (verbose && System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "info");
            System.setProperty("org.slf4j.simpleLogger.log.org.apache.kafka", "warn");
        }
    }

    /** @return this tool's version, from the build. */
    static String version() {
        Properties p = new Properties();
        try (InputStream in = PipelineCli.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException ignored) {
            // unknown version
        }
        return p.getProperty("version", "unknown");
    }

    /** Version text for {@code --version}. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"pipeline " + version(),
                    "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")"};
        }
    }
}
