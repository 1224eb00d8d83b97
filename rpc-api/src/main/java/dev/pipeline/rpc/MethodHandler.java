package dev.pipeline.rpc;

/** A one-off method registered with {@link RpcServer#handle}. */
@FunctionalInterface
public interface MethodHandler {
    /**
     * Answers one request.
     *
     * @param params the request's params
     * @return the result (converted to JSON with Gson), or a {@code CompletableFuture} of it
     * @throws Exception an {@link RpcException} becomes that error; anything else a {@link ErrorCodes#SERVER_ERROR}
     */
    Object handle(RpcParams params) throws Exception;
}
