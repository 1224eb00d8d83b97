package dev.pipeline.rpc;

import java.lang.reflect.Type;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A JSON-RPC batch to one service, built then sent as one message. Each call's future completes on its own
 * (result, error, or timeout) once the batch reply arrives.
 */
public interface RpcBatch {
    /**
     * Adds a call with positional params.
     *
     * @param <T> the result's type
     * @param method the method's name within the batch's service
     * @param resultType the type the JSON result is converted to
     * @param params the params, sent as a JSON array
     * @return completes with this call's result or error once the batch reply arrives, or with a timeout
     */
    <T> CompletableFuture<T> call(String method, Type resultType, Object... params);

    /**
     * Adds a call with named params.
     *
     * @param <T> the result's type
     * @param method the method's name within the batch's service
     * @param resultType the type the JSON result is converted to
     * @param params the params by name, sent as a JSON object
     * @return completes with this call's result or error once the batch reply arrives, or with a timeout
     */
    <T> CompletableFuture<T> callNamed(String method, Type resultType, Map<String, ?> params);

    /**
     * Adds a notification with positional params: it gets no reply.
     *
     * @param method the method's name within the batch's service
     * @param params the params, sent as a JSON array
     * @return this batch
     */
    RpcBatch notify(String method, Object... params);

    /**
     * Sends the batch. A batch of notifications only gets no reply.
     *
     * @return completes when the batch was handed to the broker
     * @throws IllegalStateException if the batch is empty or was already sent
     */
    CompletableFuture<Void> send();
}
