package dev.pipeline.rpc;

import com.google.gson.JsonElement;

/** One callable JSON-RPC method of a service, as the dispatcher sees it. */
interface RpcMethod {
    /**
     * Binds {@code params} and runs the method on the calling thread.
     *
     * @param params a JSON array or object, or {@code null} when the request has none
     * @return the result: a value to convert with the codec, or a {@link java.util.concurrent.CompletionStage} of it
     * @throws RpcException for invalid params (or thrown by the method); anything else thrown by the method as is
     */
    Object invoke(JsonElement params) throws Throwable;

    /** Whether the method is declared {@link Idempotent} (on it, a method it implements, or a class of either). */
    default boolean idempotent() {
        return false;
    }

    /** @return whether a cancel of a running call interrupts its thread ({@link Interruptible}) */
    default boolean interruptible() {
        return false;
    }

    /** Shortens text taken from a request before it goes into an error message. */
    static String clip(String s) {
        return s.length() <= 100 ? s : s.substring(0, 100) + "...";
    }

    /** @return an {@link ErrorCodes#INVALID_PARAMS} error with {@code detail}. */
    static RpcException invalidParams(String detail) {
        return new RpcException(ErrorCodes.INVALID_PARAMS, "Invalid params: " + detail);
    }
}
