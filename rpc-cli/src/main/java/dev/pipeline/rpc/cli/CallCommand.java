package dev.pipeline.rpc.cli;

import com.google.gson.JsonElement;
import dev.pipeline.rpc.RpcClient;
import dev.pipeline.rpc.RpcTimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** {@code pipeline call SERVICE METHOD [ARG...]}: one call, its result printed as JSON. */
@Command(name = "call", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        description = {"Calls a method of a service and prints the result as JSON.",
                "A JSON-RPC error is printed as one line 'error <code>: <message>' with exit code 1."},
        footer = {"", "Examples:",
                "  pipeline call demo echo hello                  # \"hello\"",
                "  pipeline call demo add 1 2.5                   # 3.5",
                "  pipeline call demo add --params '{\"a\":1,\"b\":2}'   # by name",
                "  pipeline call demo echo '{\"x\":[1,2]}' --compact",
                "  pipeline -b redis://127.0.0.1:6379 call demo time"})
final class CallCommand extends Invocation implements Callable<Integer> {
    @Option(names = {"-c", "--compact"}, description = "Print the result on one line.")
    boolean compact;

    @Override
    public Integer call() {
        JsonElement p = params();
        PrintWriter out = spec.commandLine().getOut();
        try (RpcClient client = Connections.client(top.brokerUri(), top.brokerOrigin(), timeout, connectTimeout)) {
            JsonElement result = p.isJsonObject()
                    ? client.callNamed(service, method, JsonElement.class, named(p.getAsJsonObject()))
                    : client.call(service, method, JsonElement.class, positional(p.getAsJsonArray()));
            out.println(compact ? Json.compact(result) : Json.pretty(result));
            out.flush();
        } catch (RpcTimeoutException e) {
            throw new RpcTimeoutException(e.getMessage() + " (is a server for '" + service + "' running on "
                    + top.brokerUri() + "?)");
        }
        return 0;
    }
}
