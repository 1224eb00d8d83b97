package dev.pipeline.rpc;

/** A one-off method registered with {@link RpcServer#handle}. */
@FunctionalInterface
public interface MethodHandler {
    /**
     * @return the result (converted to JSON with Gson), or a {@code CompletableFuture} of it
     * @throws Exception an {@link RpcException} becomes that error; anything else a {@link ErrorCodes#SERVER_ERROR}
     */
    Object handle(RpcParams params) throws Exception;
}
