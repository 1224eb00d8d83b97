package dev.pipeline.rpc;

import com.google.gson.JsonElement;

/**
 * A JSON-RPC error: thrown by a service method to answer with a specific error, and raised by the client when a
 * call ends in an error. Carries the error's code, message and optional data.
 */
public class RpcException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int code;
    private final transient JsonElement data;

    /** An error with a code and message and no data. */
    public RpcException(int code, String message) {
        this(code, message, null, null);
    }

    /** An error with a code, message and data (any JSON value, or {@code null} for none). */
    public RpcException(int code, String message, JsonElement data) {
        this(code, message, data, null);
    }

    /** An error with a code, message, data and a local cause (the cause is never sent). */
    public RpcException(int code, String message, JsonElement data, Throwable cause) {
        super(message, cause);
        this.code = code;
        this.data = data;
    }

    /** @return the JSON-RPC error code. */
    public int code() {
        return code;
    }

    /** @return the error's data member, or {@code null} when it has none. */
    public JsonElement data() {
        return data;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + code + "] " + getMessage() + (data == null ? "" : " data=" + data);
    }
}
