package dev.pipeline.rpc;

import com.google.gson.JsonElement;

/**
 * A JSON-RPC error: thrown by a service method to answer with a specific error, and raised by the client when a
 * call ends in an error. Carries the error's code, message and optional data.
 */
public class RpcException extends RuntimeException {
    /** Kept for the {@link java.io.Serializable} contract of exceptions; the project serializes none. */
    private static final long serialVersionUID = 1L;

    /** The JSON-RPC error code. */
    private final int code;
    private final transient JsonElement data;

    /**
     * An error with a code and message and no data.
     *
     * @param code the JSON-RPC error code ({@link ErrorCodes}; a service's own codes lie outside -32768..-32000)
     * @param message the error's message, sent to the caller
     */
    public RpcException(int code, String message) {
        this(code, message, null, null);
    }

    /**
     * An error with a code, message and data.
     *
     * @param code the JSON-RPC error code
     * @param message the error's message, sent to the caller
     * @param data the error's data member: any JSON value, or {@code null} for none
     */
    public RpcException(int code, String message, JsonElement data) {
        this(code, message, data, null);
    }

    /**
     * An error with a code, message, data and a local cause.
     *
     * @param code the JSON-RPC error code
     * @param message the error's message, sent to the caller
     * @param data the error's data member: any JSON value, or {@code null} for none
     * @param cause what caused it, for local logs; never sent
     */
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
