package dev.pipeline.rpc.cli;

import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;

/**
 * Runs the CLI in this JVM with its output captured, with an empty environment unless one is given. A test source of
 * rpc-cli and of rpc-cli-tools (both poms add this folder), whose tests share the package.
 */
final class Cli {
    private Cli() {
    }

    record Result(int exitCode, String out, String err) {
        List<String> errLines() {
            return err.isEmpty() ? List.of() : List.of(err.split("\\R"));
        }
    }

    static Result run(String... args) {
        return runWith(Map.of(), args);
    }

    /** Runs with {@code env} as the only environment variables the CLI sees. */
    static Result runWith(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = PipelineCli.commandLine(env::get);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int rc = cl.execute(args);
        return new Result(rc, out.toString(), err.toString());
    }

    /** A command running in a thread of its own until interrupted (serve, brokers). */
    static final class Background implements AutoCloseable {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        private final Thread thread;
        private volatile Integer exitCode;

        Background(String... args) {
            this(Map.of(), args);
        }

        Background(Map<String, String> env, String... args) {
            CommandLine cl = PipelineCli.commandLine(env::get);
            cl.setOut(new PrintWriter(out, true));
            cl.setErr(new PrintWriter(err, true));
            thread = new Thread(() -> exitCode = cl.execute(args), "cli-" + args[args.length - 1]);
            thread.setDaemon(true);
            thread.start();
        }

        String out() {
            return out.toString();
        }

        String err() {
            return err.toString();
        }

        boolean alive() {
            return thread.isAlive();
        }

        /** Interrupts the command (as Ctrl-C would stop it) and waits for it; @return its exit code. */
        Integer stop() throws InterruptedException {
            thread.interrupt();
            thread.join(60_000);
            return exitCode;
        }

        @Override
        public void close() throws InterruptedException {
            if (thread.isAlive()) {
                stop();
            }
        }
    }
}
