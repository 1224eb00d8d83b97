package dev.pipeline.rpc.cli;

import com.google.gson.JsonElement;
import dev.pipeline.rpc.RpcClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** {@code pipeline notify SERVICE METHOD [ARG...]}: a JSON-RPC notification; no reply ever comes. */
@Command(name = "notify", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        description = {"Sends a notification (a request without id): the service runs the method and sends no reply.",
                "Returns once the broker has accepted it."},
        footer = {"", "Examples:",
                "  pipeline notify demo log 'deploy finished'",
                "  pipeline notify demo log --params '[\"as a JSON array\"]'"})
final class NotifyCommand extends Invocation implements Callable<Integer> {
    @Option(names = {"-q", "--quiet"}, description = "Print nothing on success.")
    boolean quiet;

    @Override
    public Integer call() {
        JsonElement p = params();
        if (p.isJsonObject()) {
            throw new ParameterException(spec.commandLine(),
                    "a notification takes its params by position: give ARGs or a JSON array to --params");
        }
        PrintWriter out = spec.commandLine().getOut();
        try (RpcClient client = Connections.client(top.brokerUri(), top.brokerOrigin(), timeout, connectTimeout)) {
            client.notify(service, method, positional(p.getAsJsonArray()));
        }
        if (!quiet) {
            out.println("sent notification " + service + "." + method);
            out.flush();
        }
        return 0;
    }
}
