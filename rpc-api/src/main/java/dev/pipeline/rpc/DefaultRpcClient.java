package dev.pipeline.rpc;

import dev.pipeline.rpc.spi.Transport;

/** PLACEHOLDER: replaced by the client implementation. */
final class DefaultRpcClient {
    static RpcClient open(Transport transport, ClientConfig config) {
        throw new UnsupportedOperationException("client not implemented yet");
    }
}
