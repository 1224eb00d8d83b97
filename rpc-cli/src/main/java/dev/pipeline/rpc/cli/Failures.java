package dev.pipeline.rpc.cli;

import dev.pipeline.rpc.RpcException;
import dev.pipeline.rpc.spi.Secrets;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

import java.io.PrintWriter;

/** Turns failures into one line on standard error and an exit code; stack traces only with {@code --verbose}. */
final class Failures {
    private Failures() {
    }

    /** A failure with a message meant for the user, as it is (exit code {@link PipelineCli#EXIT_FAILURE}). */
    static final class CliException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        CliException(String message) {
            super(message);
        }

        CliException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** @return the one line describing {@code e}, as printed. */
    static String line(Throwable e) {
        if (e instanceof RpcException rpc) {
            return "error " + rpc.code() + ": " + oneLine(rpc.getMessage());
        }
        if (e instanceof CliException) {
            return "error: " + oneLine(e.getMessage());
        }
        return "error: " + describe(e);
    }

    /** @return the exit code for {@code e}. */
    static int exitCode(Throwable e) {
        return e instanceof RpcException ? PipelineCli.EXIT_RPC_ERROR : PipelineCli.EXIT_FAILURE;
    }

    /** @return {@code e}'s message on one line, with its type when the message alone says too little. */
    static String describe(Throwable e) {
        Throwable t = e;
        while (t.getMessage() == null && t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getMessage();
        if (m == null || m.isBlank()) {
            return t.getClass().getSimpleName();
        }
        if (t instanceof IllegalArgumentException || t instanceof IllegalStateException) {
            return oneLine(m);
        }
        return t.getClass().getSimpleName() + ": " + oneLine(m);
    }

    /** @return the first line of {@code s}, credentials masked (every printed failure passes through here). */
    static String oneLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return Secrets.mask((nl < 0 ? s : s.substring(0, nl)).strip());
    }

    private static boolean verbose(CommandLine cl) {
        for (CommandLine c = cl; c != null; c = c.getParent()) {
            if (c.getCommand() instanceof PipelineCli p) {
                return p.verbose;
            }
        }
        return false;
    }

    /** Failures while a command runs. */
    static final class ExecutionHandler implements CommandLine.IExecutionExceptionHandler {
        @Override
        public int handleExecutionException(Exception ex, CommandLine cl, ParseResult parseResult) {
            PrintWriter err = cl.getErr();
            err.println(line(ex));
            if (ex instanceof RpcException rpc && rpc.data() != null && verbose(cl)) {
                err.println("data: " + rpc.data());
            }
            if (verbose(cl)) {
                ex.printStackTrace(err);
            }
            err.flush();
            return exitCode(ex);
        }
    }

    /** A bad command line: the problem and where to find the usage, on one line. */
    static final class ParameterHandler implements CommandLine.IParameterExceptionHandler {
        @Override
        public int handleParseException(CommandLine.ParameterException ex, String[] args) {
            CommandLine cl = ex.getCommandLine();
            PrintWriter err = cl.getErr();
            String command = cl.getCommandSpec().qualifiedName();
            err.println("error: " + oneLine(ex.getMessage()) + " (see '" + command + " --help')");
            if (verbose(cl)) {
                ex.printStackTrace(err);
            }
            err.flush();
            return PipelineCli.EXIT_USAGE;
        }
    }
}
