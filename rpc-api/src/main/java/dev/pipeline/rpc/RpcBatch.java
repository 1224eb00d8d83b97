package dev.pipeline.rpc;

import java.lang.reflect.Type;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A JSON-RPC batch to one service, built then sent as one message. Each call's future completes on its own
 * (result, error, or timeout) once the batch reply arrives.
 */
public interface RpcBatch {
    /** Adds a call with positional params. */
    <T> CompletableFuture<T> call(String method, Type resultType, Object... params);

    /** Adds a call with named params. */
    <T> CompletableFuture<T> callNamed(String method, Type resultType, Map<String, ?> params);

    /** Adds a notification with positional params. */
    RpcBatch notify(String method, Object... params);

    /**
     * Sends the batch. A batch of notifications only gets no reply.
     *
     * @return completes when the batch was handed to the broker
     * @throws IllegalStateException if the batch is empty or was already sent
     */
    CompletableFuture<Void> send();
}
