package dev.pipeline.rpc;

import dev.pipeline.rpc.spi.Transport;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** PLACEHOLDER: replaced by the server implementation. */
final class DefaultRpcServer implements RpcServer {
    DefaultRpcServer(Transport transport, ServerConfig config) {
    }

    @Override
    public RpcServer expose(String service, Object target) {
        throw new UnsupportedOperationException();
    }

    @Override
    public <T> RpcServer expose(String service, Class<T> iface, T target) {
        throw new UnsupportedOperationException();
    }

    @Override
    public RpcServer handle(String service, String method, MethodHandler handler) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void start() {
        throw new UnsupportedOperationException();
    }

    @Override
    public CompletableFuture<Optional<byte[]>> dispatch(String service, byte[] message) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void close() {
    }
}
