package dev.pipeline.rpc;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import dev.pipeline.rpc.json.JsonInput;
import dev.pipeline.rpc.json.JsonInputException;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Helpers for tests that drive the raw entry point. */
final class ServerTestSupport {
    /** The spec's error messages; ours begin with them, followed by ": details". */
    static final String[] SPEC_MESSAGES = {"Parse error", "Invalid Request", "Method not found", "Invalid params",
            "Internal error", "Server error"};

    private ServerTestSupport() {
    }

    /** @return the reply to {@code message}, or null when none is due. */
    static String dispatch(RpcServer server, String service, String message) {
        return dispatch(server, service, message.getBytes(StandardCharsets.UTF_8));
    }

    static String dispatch(RpcServer server, String service, byte[] message) {
        try {
            Optional<byte[]> reply = server.dispatch(service, message).get(30, TimeUnit.SECONDS);
            return reply.map(b -> new String(b, StandardCharsets.UTF_8)).orElse(null);
        } catch (Exception e) {
            throw new AssertionError("dispatch failed", e);
        }
    }

    /** Parses exactly (numbers keep their text), so trees compare digit for digit. */
    static JsonElement tree(String json) {
        try {
            return JsonInput.parse(json.getBytes(StandardCharsets.UTF_8), Limits.DEFAULT);
        } catch (JsonInputException e) {
            throw new AssertionError("not JSON: " + json, e);
        }
    }

    /**
     * Asserts {@code actual} equals {@code expected} as JSON trees, where an error message of ours may extend the
     * spec's message with ": details".
     */
    static void assertJsonEquals(String actual, String expected) {
        assertThat(actual).as("reply").isNotNull();
        JsonElement a = tree(actual);
        JsonElement e = JsonParser.parseString(expected);
        assertThat(normalize(a, e)).as("reply %s", actual).isEqualTo(normalize(e, e));
    }

    private static JsonElement normalize(JsonElement value, JsonElement expected) {
        if (value instanceof JsonArray array) {
            JsonArray out = new JsonArray();
            for (int i = 0; i < array.size(); i++) {
                JsonElement exp = expected instanceof JsonArray ea && i < ea.size() ? ea.get(i) : null;
                out.add(normalize(array.get(i), exp));
            }
            return out;
        }
        if (value instanceof JsonObject o) {
            JsonObject copy = o.deepCopy();
            if (copy.get("error") instanceof JsonObject error && error.get("message") instanceof JsonPrimitive m
                    && expected instanceof JsonObject eo && eo.get("error") instanceof JsonObject ee
                    && ee.get("message") instanceof JsonPrimitive em) {
                String message = m.getAsString();
                if (message.startsWith(em.getAsString() + ": ")) {
                    error.addProperty("message", em.getAsString());
                }
            }
            JsonObject out = new JsonObject();
            for (var e : copy.entrySet()) {
                JsonElement exp = expected instanceof JsonObject eo ? eo.get(e.getKey()) : null;
                out.add(e.getKey(), normalize(e.getValue(), exp));
            }
            return out;
        }
        if (value instanceof JsonPrimitive p && p.isNumber()) {
            // JsonPrimitive.equals compares such numbers as doubles: compare their exact text instead
            return new JsonPrimitive("number:" + p.getAsString());
        }
        return value;
    }
}
