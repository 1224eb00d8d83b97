package dev.pipeline.rpc.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What {@code call} and {@code notify} share: the target, the params and the timeouts. */
abstract class Invocation {
    @ParentCommand
    PipelineCli top;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SERVICE", description = "Service name, e.g. demo.")
    String service;

    @Parameters(index = "1", paramLabel = "METHOD", description = "Method name, e.g. echo.")
    String method;

    @Parameters(index = "2..*", paramLabel = "ARG",
            description = "Positional params: each is parsed as JSON when it is valid JSON (42, true, null, "
                    + "\"text\", [1,2], {\"a\":1}), else taken as a string.")
    List<String> args = new ArrayList<>();

    @Option(names = {"-p", "--params"}, paramLabel = "JSON",
            description = "All params as one JSON array (by position) or object (by name), instead of ARGs.")
    String params;

    @Option(names = {"-t", "--timeout"}, paramLabel = "DURATION", defaultValue = "30s",
            converter = Durations.class,
            description = "How long to wait for the reply (or for the broker to accept a notification), "
                    + "e.g. 500ms, 10s, 2m (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--connect-timeout", paramLabel = "DURATION", defaultValue = "10s", converter = Durations.class,
            description = "How long to wait for the broker to answer (default: ${DEFAULT-VALUE}).")
    Duration connectTimeout;

    /** The params: by name ({@code JsonObject}) or by position ({@code JsonArray}). */
    JsonElement params() {
        if (params != null) {
            if (!args.isEmpty()) {
                throw new ParameterException(spec.commandLine(),
                        "give the params either as ARGs or with --params, not both");
            }
            JsonElement p = Json.parseStrict(params);
            if (p == null || !(p.isJsonArray() || p.isJsonObject())) {
                throw new ParameterException(spec.commandLine(),
                        "--params must be a JSON array or object, was: " + params);
            }
            return p;
        }
        JsonArray array = new JsonArray();
        args.forEach(a -> array.add(Json.arg(a)));
        return array;
    }

    static Object[] positional(JsonArray array) {
        Object[] out = new Object[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i);
        }
        return out;
    }

    static Map<String, JsonElement> named(JsonObject object) {
        Map<String, JsonElement> out = new LinkedHashMap<>();
        object.entrySet().forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }
}
