package dev.pipeline.rpc.cli;

import dev.pipeline.rpc.RpcServer;
import dev.pipeline.rpc.ServerConfig;
import dev.pipeline.rpc.cli.Failures.CliException;
import dev.pipeline.rpc.spi.Secrets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;

/** {@code pipeline serve [SERVICE] [--class FQCN]}: exposes a service until Ctrl-C, then shuts down gracefully. */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        description = {"Exposes a service on the broker until Ctrl-C; then stops taking requests, finishes the ones "
                + "in flight (up to --grace) and exits.",
                "Without --class it serves the built-in demo service: echo(value), add(a, b), time(), "
                        + "sleep(millis), fail(message), log(message), logged()."},
        footer = {"", "Examples:",
                "  pipeline serve                                 # the demo service, named demo",
                "  pipeline -b redis://127.0.0.1:6379 serve",
                "  pipeline serve inventory --class dev.pipeline.examples.klass.InMemoryInventory",
                "  java -cp pipeline.jar:dir dev.pipeline.rpc.cli.PipelineCli serve --class a.B"})
final class ServeCommand implements Callable<Integer> {
    @ParentCommand
    PipelineCli top;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "SERVICE",
            description = "Service name (default: demo, or with --class the class's simple name in lower case).")
    String service;

    @Option(names = "--class", paramLabel = "FQCN",
            description = "Serve the public methods of this class (on the class path, with a public no-argument "
                    + "constructor) instead of the demo service.")
    String className;

    @Option(names = "--concurrency", paramLabel = "N", defaultValue = "16",
            description = "Handlers running at once (default: ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--grace", paramLabel = "DURATION", defaultValue = "10s", converter = Durations.class,
            description = "On Ctrl-C, how long to let in-flight requests finish (default: ${DEFAULT-VALUE}).")
    Duration grace;

    @Option(names = "--connect-timeout", paramLabel = "DURATION", defaultValue = "10s", converter = Durations.class,
            description = "How long to wait for the broker to answer (default: ${DEFAULT-VALUE}).")
    Duration connectTimeout;

    private RpcServer server;
    private boolean closed;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Object target = className == null ? new DemoService(out) : instantiate(className);
        String name = service != null ? service : className == null ? "demo"
                : target.getClass().getSimpleName().toLowerCase(Locale.ROOT);
        ServerConfig config;
        try {
            config = ServerConfig.builder().concurrency(concurrency).shutdownGrace(grace).build();
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage(), e);
        }
        String uri = top.brokerUri();
        server = Connections.server(uri, top.brokerOrigin(), config, connectTimeout);
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stop(out);
            stopped.countDown();
        }, "pipeline-serve-shutdown");
        try {
            server.expose(name, target);
            server.start();
        } catch (IllegalArgumentException e) {
            close();
            throw new CliException("cannot serve " + target.getClass().getName() + " as '" + name + "': "
                    + Failures.oneLine(e.getMessage()), e);
        } catch (RuntimeException e) {
            close();
            throw new CliException("cannot start serving '" + name + "' on " + Secrets.mask(uri) + ": "
                    + Failures.describe(e), e);
        }
        Runtime.getRuntime().addShutdownHook(hook);
        out.println("serving " + name + " " + methods(target.getClass()) + " on " + Secrets.mask(uri)
                + "; Ctrl-C stops");
        out.flush();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            // stopped from inside the JVM (tests, embedding): same graceful stop as Ctrl-C
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException ignored) {
                // already shutting down: the hook stops the server
            }
            stop(out);
        }
        return 0;
    }

    private void stop(PrintWriter out) {
        if (close()) {
            out.println("stopped");
            out.flush();
        }
    }

    /** Closes the server once; @return whether this call closed it. */
    private synchronized boolean close() {
        if (closed || server == null) {
            return false;
        }
        closed = true;
        server.close();
        return true;
    }

    /** @return the method names a server exposes for {@code type}: public, declared by it, not static. */
    static String methods(Class<?> type) {
        return Arrays.stream(type.getDeclaredMethods())
                .filter(m -> Modifier.isPublic(m.getModifiers()) && !Modifier.isStatic(m.getModifiers())
                        && !m.isSynthetic() && !m.isBridge())
                .map(Method::getName).distinct().sorted()
                .collect(Collectors.joining(", ", "[", "]"));
    }

    static Object instantiate(String className) {
        Class<?> type;
        try {
            ClassLoader cl = Thread.currentThread().getContextClassLoader();
            type = Class.forName(className, true, cl != null ? cl : ServeCommand.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new CliException("class " + className + " is not on the class path (with java -jar only the jar is;"
                    + " use java -cp pipeline.jar:<your classes> dev.pipeline.rpc.cli.PipelineCli serve ...)", e);
        } catch (LinkageError e) {
            throw new CliException("class " + className + " cannot be loaded: " + Failures.describe(e), e);
        }
        if (!Modifier.isPublic(type.getModifiers()) || type.isInterface() || Modifier.isAbstract(type.getModifiers())) {
            throw new CliException("class " + className + " must be a public, concrete class");
        }
        Constructor<?> ctor;
        try {
            ctor = type.getConstructor();
        } catch (NoSuchMethodException e) {
            throw new CliException("class " + className + " has no public no-argument constructor", e);
        }
        try {
            return ctor.newInstance();
        } catch (InvocationTargetException e) {
            throw new CliException("the constructor of " + className + " failed: " + Failures.describe(e.getCause()),
                    e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new CliException("cannot create " + className + ": " + Failures.describe(e), e);
        }
    }
}
