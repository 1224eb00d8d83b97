package dev.pipeline.rpc.json;

import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import dev.pipeline.rpc.ErrorCodes;

import java.util.Map;

/**
 * The JSON-RPC 2.0 message model: building requests and responses, validating requests (server side) and
 * responses (client side) by the specification's exact rules.
 */
public final class Messages {
    /** The protocol version string every message carries. */
    public static final String VERSION = "2.0";

    private static final JsonPrimitive VERSION_JSON = new JsonPrimitive(VERSION);

    private Messages() {
    }

    /**
     * A valid request or notification.
     *
     * @param id     the id; Java {@code null} when absent (a notification), {@link JsonNull} for {@code "id": null}
     * @param method the method name
     * @param params a JSON array or object, or {@code null} when absent
     */
    public record Request(JsonElement id, String method, JsonElement params) {
        /** @return whether this is a notification (no id member): it must never be answered. */
        public boolean isNotification() {
            return id == null;
        }
    }

    /** A JSON-RPC error object. {@code data} is {@code null} when absent. */
    public record ErrorObject(int code, String message, JsonElement data) {
        JsonObject toJson() {
            JsonObject error = new JsonObject();
            error.addProperty("code", code);
            error.addProperty("message", message == null ? "" : message);
            if (data != null) {
                error.add("data", data);
            }
            return error;
        }
    }

    /**
     * A response as the client sees it: exactly one of {@code result} and {@code error} is non-null.
     *
     * @param id the id ({@link JsonNull} when null)
     */
    public record Response(JsonElement id, JsonElement result, ErrorObject error) {
        /** @return whether this is an error response. */
        public boolean isError() {
            return error != null;
        }
    }

    /** Either a valid request, or the error response to send for an invalid one. */
    public record Validated(Request request, JsonObject errorResponse) {
        /** @return whether the element was a valid request. */
        public boolean valid() {
            return request != null;
        }
    }

    /**
     * Builds a request or a notification.
     *
     * @param id the request's id, or {@code null} for a notification
     * @param method the method's name
     * @param params an array or an object, or {@code null} for none
     * @return a request ({@code id} non-null) or a notification ({@code id} null)
     */
    public static JsonObject request(JsonElement id, String method, JsonElement params) {
        JsonObject o = new JsonObject();
        o.add("jsonrpc", VERSION_JSON);
        o.addProperty("method", method);
        if (params != null) {
            o.add("params", params);
        }
        if (id != null) {
            o.add("id", id);
        }
        return o;
    }

    /**
     * Builds a success response.
     *
     * @param id the request's id ({@code null} becomes JSON null)
     * @param result the result ({@code null} becomes JSON null)
     * @return a success response
     */
    public static JsonObject success(JsonElement id, JsonElement result) {
        JsonObject o = new JsonObject();
        o.add("jsonrpc", VERSION_JSON);
        o.add("result", result == null ? JsonNull.INSTANCE : result);
        o.add("id", id == null ? JsonNull.INSTANCE : id);
        return o;
    }

    /**
     * Builds an error response.
     *
     * @param id the request's id, or {@code null} (JSON null) when it could not be read
     * @param code the JSON-RPC error code
     * @param message the error's message
     * @param data the error's data member, or {@code null} for none
     * @return an error response
     */
    public static JsonObject failure(JsonElement id, int code, String message, JsonElement data) {
        JsonObject o = new JsonObject();
        o.add("jsonrpc", VERSION_JSON);
        o.add("error", new ErrorObject(code, message, data).toJson());
        o.add("id", id == null ? JsonNull.INSTANCE : id);
        return o;
    }

    /**
     * Validates one element of a message (a whole single message, or one batch element) as a request.
     * Rules: an object; {@code "jsonrpc": "2.0"}; {@code method} a string; {@code params}, when present, an array or
     * an object; {@code id}, when present, a string, a number or null. An invalid request is answered with -32600,
     * echoing its id when the id itself is valid, else with id null.
     *
     * @param element the parsed element
     * @return the request, or the error response to answer it with
     */
    public static Validated validateRequest(JsonElement element) {
        if (!(element instanceof JsonObject o)) {
            return invalid(null, "Invalid Request: expected a JSON object");
        }
        JsonElement id = o.get("id");
        boolean idValid = id == null || isValidId(id);
        JsonElement echoId = idValid ? id : null;
        JsonElement version = o.get("jsonrpc");
        if (!(version instanceof JsonPrimitive p && p.isString() && VERSION.equals(p.getAsString()))) {
            return invalid(echoId, "Invalid Request: \"jsonrpc\" must be \"2.0\"");
        }
        JsonElement method = o.get("method");
        if (!(method instanceof JsonPrimitive m && m.isString())) {
            return invalid(echoId, "Invalid Request: \"method\" must be a string");
        }
        JsonElement params = o.get("params");
        if (params != null && !params.isJsonArray() && !params.isJsonObject()) {
            return invalid(echoId, "Invalid Request: \"params\" must be an array or an object");
        }
        if (!idValid) {
            return invalid(null, "Invalid Request: \"id\" must be a string, a number or null");
        }
        return new Validated(new Request(id, method.getAsString(), params), null);
    }

    private static Validated invalid(JsonElement id, String message) {
        return new Validated(null, failure(id, ErrorCodes.INVALID_REQUEST, message, null));
    }

    /**
     * Checks an id's type.
     *
     * @param id a present id member
     * @return whether {@code id} is a legal id value: a string, a number or null
     */
    public static boolean isValidId(JsonElement id) {
        return id.isJsonNull() || id instanceof JsonPrimitive p && (p.isString() || p.isNumber());
    }

    /**
     * Reads one response (client side).
     *
     * @param element one parsed response (a whole message, or one element of a batch reply)
     * @return the response's id and its result or error
     * @throws IllegalArgumentException when {@code element} is not a valid JSON-RPC 2.0 response
     */
    public static Response parseResponse(JsonElement element) {
        if (!(element instanceof JsonObject o)) {
            throw new IllegalArgumentException("response is not a JSON object");
        }
        JsonElement version = o.get("jsonrpc");
        if (!(version instanceof JsonPrimitive p && p.isString() && VERSION.equals(p.getAsString()))) {
            throw new IllegalArgumentException("response lacks \"jsonrpc\": \"2.0\"");
        }
        JsonElement id = o.get("id");
        if (id == null || !isValidId(id)) {
            throw new IllegalArgumentException("response has no valid \"id\"");
        }
        JsonElement result = o.get("result");
        JsonElement error = o.get("error");
        if ((result == null) == (error == null)) {
            throw new IllegalArgumentException("response must hold exactly one of \"result\" and \"error\"");
        }
        if (result != null) {
            return new Response(id, result, null);
        }
        if (!(error instanceof JsonObject e)) {
            throw new IllegalArgumentException("response \"error\" is not an object");
        }
        JsonElement code = e.get("code");
        JsonElement message = e.get("message");
        if (!(code instanceof JsonPrimitive c && c.isNumber())) {
            throw new IllegalArgumentException("error \"code\" is not a number");
        }
        int intCode;
        try {
            intCode = new java.math.BigDecimal(c.getAsString()).intValueExact();
        } catch (ArithmeticException | NumberFormatException ex) {
            throw new IllegalArgumentException("error \"code\" is not an integer");
        }
        if (!(message instanceof JsonPrimitive m && m.isString())) {
            throw new IllegalArgumentException("error \"message\" is not a string");
        }
        return new Response(id, null, new ErrorObject(intCode, m.getAsString(), e.get("data")));
    }

    /**
     * Builds a JSON object for error data.
     *
     * @param values members by name, each converted as {@link Codec#toJson} does
     * @return a JSON object of {@code values}
     */
    public static JsonObject object(Map<String, ?> values) {
        JsonObject o = new JsonObject();
        values.forEach((k, v) -> o.add(k, Codec.toJson(v)));
        return o;
    }
}
