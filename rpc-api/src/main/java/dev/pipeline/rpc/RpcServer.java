package dev.pipeline.rpc;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Exposes Java objects and handlers as JSON-RPC services through a transport. Obtain one with
 * {@link Rpc#server(String)}; register services, then {@link #start()}.
 */
public interface RpcServer extends AutoCloseable {
    /**
     * Exposes the public methods that {@code target}'s class declares (not {@code Object}'s, not static, not
     * synthetic) as methods of {@code service}.
     *
     * @throws IllegalArgumentException for an invalid or already used service name, a reserved method name
     *                                  ({@code rpc.*}) or an ambiguous overload
     */
    RpcServer expose(String service, Object target);

    /** Exposes exactly the methods of {@code iface}, implemented by {@code target}. */
    <T> RpcServer expose(String service, Class<T> iface, T target);

    /** Registers a one-off method. */
    RpcServer handle(String service, String method, MethodHandler handler);

    /** Subscribes every registered service through the transport. */
    void start();

    /**
     * The raw entry point: dispatches the bytes of one JSON-RPC message (single or batch) to {@code service}.
     *
     * @return the response bytes, or empty when no response is due (notifications)
     */
    CompletableFuture<Optional<byte[]>> dispatch(String service, byte[] message);

    /** Stops consuming, finishes in-flight work within the grace period, and releases the transport. */
    @Override
    void close();
}
