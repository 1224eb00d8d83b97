package dev.pipeline.rpc.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;

/**
 * The {@code pipeline} command-line tool: serve a service, call or notify one, start local development brokers and
 * compare brokers ({@code ./pipeline --help}).
 *
 * <p>Two runnable jars share this entry point: {@code rpc-cli/target/pipeline.jar} has the everyday commands
 * ({@code serve}, {@code call}, {@code notify}, {@code example}); {@code rpc-cli-tools/target/pipeline-tools.jar}
 * adds {@code brokers}, {@code bench} and {@code soak}, which need the local brokers and the benchmark's peers. In the
 * everyday jar those three are listed too, and say which jar has them.
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
        subcommands = {ServeCommand.class, CallCommand.class, NotifyCommand.class, IntrospectCommands.Ping.class,
                IntrospectCommands.Discover.class, IntrospectCommands.Stats.class},
        footer = {"",
                "Broker URIs:",
                "  kafka://host:port[,host:port...]",
                "  redis://[user:password@]host:port[/db]    (rediss:// for TLS)",
                "The broker is --broker, else $PIPELINE_BROKER, else kafka://localhost:9092.",
                "",
                "Exit codes: 0 ok, 1 JSON-RPC error, 2 bad command line,",
                "            3 other failure (bad URI, unreachable broker, ...)."})
public final class PipelineCli implements Callable<Integer> {
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

    /** The commands of the tools jar, in the order the usage lists them. */
    static final List<String> TOOL_COMMANDS = List.of("brokers", "bench", "soak");

    /** The class in the tools jar that provides {@link #TOOL_COMMANDS} (absent from the everyday jar). */
    private static final String TOOLS_CLASS = PipelineCli.class.getPackageName() + ".ToolCommands";

    private final UnaryOperator<String> env;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-b", "--broker"}, scope = ScopeType.INHERIT, paramLabel = "URI",
            description = "Broker URI. Default: $" + BROKER_ENV + ", else the Kafka at localhost:9092.")
    String broker;

    @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT,
            description = "Log at info level and print stack traces of failures.")
    boolean verbose;

    PipelineCli(UnaryOperator<String> env) {
        this.env = Objects.requireNonNull(env, "env");
    }

    /** Entry point of the runnable jars. */
    public static void main(String[] args) {
        configureLogging(List.of(args).contains("--verbose") || List.of(args).contains("-v"));
        int rc = commandLine().execute(args);
        System.exit(rc);
    }

    /**
     * @return the command line with its exception handlers, reading the environment of this process; ready for
     * {@link CommandLine#execute(String...)}; set {@link CommandLine#setOut(PrintWriter)} and
     * {@link CommandLine#setErr(PrintWriter)} to capture its output
     */
    public static CommandLine commandLine() {
        return commandLine(System::getenv);
    }

    /**
     * @param env the environment variables, by name ({@code null} for one that is not set)
     * @return the command line reading {@value #BROKER_ENV} from {@code env}
     */
    static CommandLine commandLine(UnaryOperator<String> env) {
        CommandLine cl = new CommandLine(new PipelineCli(env));
        Map<String, Object> tools = toolCommands();
        for (String name : TOOL_COMMANDS) {
            Object command = tools.get(name);
            cl.addSubcommand(name, command != null ? command : new NotInThisJar(name));
        }
        cl.addSubcommand(new ExampleCommand());
        cl.addSubcommand(new CommandLine.HelpCommand());
        for (String name : TOOL_COMMANDS) {
            CommandLine sub = cl.getSubcommands().get(name);
            if (sub.getCommand() instanceof NotInThisJar) {
                sub.setUnmatchedOptionsArePositionalParams(true);
                sub.getCommandSpec().usageMessage().description(NotInThisJar.DESCRIPTIONS.get(name),
                        "In pipeline-tools.jar: ./pipeline " + name + " runs it from there.");
            }
        }
        cl.setExecutionExceptionHandler(new Failures.ExecutionHandler());
        cl.setParameterExceptionHandler(new Failures.ParameterHandler());
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        return cl;
    }

    /** {@code pipeline} without a command: the usage, on standard error, and the usage exit code. */
    @Override
    public Integer call() {
        CommandLine cl = spec.commandLine();
        cl.usage(cl.getErr());
        cl.getErr().flush();
        return EXIT_USAGE;
    }

    /** @return the tools jar's commands by name, or none in the everyday jar */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> toolCommands() {
        try {
            Class.forName(TOOLS_CLASS, false, PipelineCli.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            return Map.of();
        }
        return (Map<String, Object>) invokeTools("commands");
    }

    private static Object invokeTools(String method, Object... args) {
        try {
            Class<?> tools = Class.forName(TOOLS_CLASS, true, PipelineCli.class.getClassLoader());
            Class<?>[] types = args.length == 0 ? new Class<?>[0] : new Class<?>[] {CommandLine.class};
            return tools.getDeclaredMethod(method, types).invoke(null, args);
        } catch (InvocationTargetException e) {
            throw new IllegalStateException(TOOLS_CLASS + "." + method + " failed", e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(TOOLS_CLASS + "." + method + " is not usable", e);
        }
    }

    /**
     * The broker named by {@code --broker}, else by {@value #BROKER_ENV}; {@code null} when neither names one (the
     * commands that can start local brokers do so then). Every command resolves its broker through here.
     */
    String givenBroker() {
        if (broker != null && !broker.isBlank()) {
            return broker.trim();
        }
        String fromEnv = env.apply(BROKER_ENV);
        return fromEnv != null && !fromEnv.isBlank() ? fromEnv.trim() : null;
    }

    /** The broker URI chosen by {@code --broker}, the environment, or the default. */
    String brokerUri() {
        String given = givenBroker();
        return given != null ? given : DEFAULT_BROKER;
    }

    /** Where the broker URI came from, for messages. */
    String brokerOrigin() {
        if (broker != null && !broker.isBlank()) {
            return "--broker";
        }
        return givenBroker() != null ? "$" + BROKER_ENV : "the default";
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

    /** A command of the tools jar, listed in the everyday jar: it says where the command is. */
    @Command(mixinStandardHelpOptions = true)
    static final class NotInThisJar implements Callable<Integer> {
        static final Map<String, String> DESCRIPTIONS = Map.of(
                "brokers", "Starts local development brokers (Kafka, Redis) and prints their URIs.",
                "bench", "Compares the brokers: Kafka vs Redis Streams, with each broker's raw floor.",
                "soak", "Failover soak: kills servers under load and checks every call.");

        private final String name;

        @picocli.CommandLine.Parameters(arity = "0..*", paramLabel = "ARG", hidden = true)
        List<String> args;

        NotInThisJar(String name) {
            this.name = name;
        }

        @Override
        public Integer call() {
            throw new Failures.CliException("'" + name + "' is in the tools jar, not in this one: run ./pipeline "
                    + name + " from the repository (it builds rpc-cli-tools/target/pipeline-tools.jar), or"
                    + " java -jar pipeline-tools.jar " + name);
        }
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
