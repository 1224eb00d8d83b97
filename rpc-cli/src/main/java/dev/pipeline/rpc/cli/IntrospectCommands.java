package dev.pipeline.rpc.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.pipeline.rpc.Introspect;
import dev.pipeline.rpc.RpcClient;
import dev.pipeline.rpc.RpcTimeoutException;
import dev.pipeline.rpc.spi.ServerMember;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.BiFunction;

/**
 * {@code pipeline ping|discover|stats SERVICE}: the built-in methods every server answers (docs/introspection.md),
 * printed as JSON. Each is one call, answered by the instance the broker delivers it to.
 */
final class IntrospectCommands {
    private IntrospectCommands() {
    }

    /** What the three commands share. */
    abstract static class Base implements Callable<Integer> {
        @ParentCommand
        PipelineCli top;

        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "SERVICE", description = "Service name, e.g. demo.")
        String service;

        @Option(names = {"-t", "--timeout"}, paramLabel = "DURATION", defaultValue = "10s",
                converter = Durations.class,
                description = "How long to wait for the reply, e.g. 500ms, 10s (default: ${DEFAULT-VALUE}).")
        Duration timeout;

        @Option(names = "--connect-timeout", paramLabel = "DURATION", defaultValue = "10s",
                converter = Durations.class,
                description = "How long to wait for the broker to answer (default: ${DEFAULT-VALUE}).")
        Duration connectTimeout;

        @Option(names = {"-c", "--compact"}, description = "Print the answer on one line.")
        boolean compact;

        abstract BiFunction<RpcClient, String, JsonObject> method();

        /** Adds to {@code answer} what the command shows beside it; nothing by default. */
        void addMembers(RpcClient client, JsonObject answer) {
        }

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try (RpcClient client = Connections.client(top.brokerUri(), top.brokerOrigin(), timeout,
                    connectTimeout)) {
                JsonObject answer = method().apply(client, service);
                addMembers(client, answer);
                out.println(compact ? Json.compact(answer) : Json.pretty(answer));
                out.flush();
            } catch (RpcTimeoutException e) {
                throw new RpcTimeoutException(e.getMessage() + " (no live instance of '" + service + "' answered on "
                        + top.brokerUri() + ")");
            }
            return 0;
        }
    }

    @Command(name = "ping", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
            description = {"Calls rpc.ping of a service: the instance id, library version, transport and uptime of"
                    + " the instance that answers, and lists under 'members' every instance the broker knows"
                    + " (Kafka: the consumer group's members; Redis: the group's consumers and their idle time).",
                    "Exit code 1 when no instance answers (no server, or none within the timeout)."},
            footer = {"", "Example:", "  pipeline ping demo"})
    static final class Ping extends Base {
        @Override
        BiFunction<RpcClient, String, JsonObject> method() {
            return Introspect::ping;
        }

        /** Every instance the broker knows ({@link Introspect#members}), when the transport can list them. */
        @Override
        void addMembers(RpcClient client, JsonObject answer) {
            List<ServerMember> members;
            try {
                members = Introspect.members(client, service);
            } catch (RuntimeException e) {
                return; // the transport cannot list them, or the broker refused: the answer alone is printed
            }
            JsonArray list = new JsonArray();
            for (ServerMember m : members) {
                JsonObject o = new JsonObject();
                o.addProperty("name", m.name());
                if (!m.host().isEmpty()) {
                    o.addProperty("host", m.host());
                }
                if (m.idleMillis() >= 0) {
                    o.addProperty("idleMs", m.idleMillis());
                }
                list.add(o);
            }
            answer.add("members", list);
        }
    }

    @Command(name = "discover", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
            description = {"Calls rpc.discover of a service: its OpenRPC 1.3.2 document (methods, params, JSON"
                    + " Schemas of params and results, errors)."},
            footer = {"", "Example:", "  pipeline discover demo > demo.openrpc.json"})
    static final class Discover extends Base {
        @Override
        BiFunction<RpcClient, String, JsonObject> method() {
            return Introspect::discover;
        }
    }

    @Command(name = "stats", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
            description = {"Calls rpc.stats of a service: per method calls, errors and latency percentiles of the"
                    + " instance that answers, its messages in flight and uptime."},
            footer = {"", "Example:", "  pipeline stats demo"})
    static final class Stats extends Base {
        @Override
        BiFunction<RpcClient, String, JsonObject> method() {
            return Introspect::stats;
        }
    }
}
