package dev.pipeline.rpc.cli;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;

import java.io.IOException;
import java.io.StringReader;

/** JSON on the command line: arguments in, pretty results out. */
final class Json {
    private static final Gson PRETTY = new GsonBuilder().setPrettyPrinting().serializeNulls().disableHtmlEscaping()
            .create();
    private static final Gson COMPACT = new GsonBuilder().serializeNulls().disableHtmlEscaping().create();

    private Json() {
    }

    /**
     * One command-line argument as a JSON value: the argument parsed as strict JSON when it is valid JSON
     * ({@code 42}, {@code true}, {@code null}, {@code "quoted"}, {@code [1,2]}, {@code {"a":1}}), else the argument
     * as a string ({@code hello} becomes {@code "hello"}).
     */
    static JsonElement arg(String text) {
        JsonElement parsed = parseStrict(text);
        return parsed != null ? parsed : new JsonPrimitive(text);
    }

    /** @return {@code text} parsed as one strict JSON value, or {@code null} when it is not valid JSON. */
    static JsonElement parseStrict(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try (JsonReader reader = new JsonReader(new StringReader(text))) {
            reader.setStrictness(Strictness.STRICT);
            JsonElement value = JsonParser.parseReader(reader);
            if (reader.peek() != JsonToken.END_DOCUMENT) {
                return null;
            }
            return value;
        } catch (JsonParseException | IOException | IllegalStateException e) {
            return null;
        }
    }

    static String pretty(JsonElement value) {
        return PRETTY.toJson(value == null ? JsonNull.INSTANCE : value);
    }

    static String compact(JsonElement value) {
        return COMPACT.toJson(value == null ? JsonNull.INSTANCE : value);
    }
}
