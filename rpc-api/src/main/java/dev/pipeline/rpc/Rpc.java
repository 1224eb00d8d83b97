package dev.pipeline.rpc;

import dev.pipeline.rpc.spi.Transport;

/**
 * Entry point: opens clients and servers on the transport named by a URI scheme. Transports are found on the class
 * path with {@link java.util.ServiceLoader} ({@code kafka://host:9092}, {@code redis://host:6379},
 * {@code inproc:name}, ...).
 *
 * <pre>{@code
 * try (RpcServer server = Rpc.server("kafka://localhost:9092")) {
 *     server.expose("calc", new Calculator()).start();
 *     try (RpcClient client = Rpc.client("kafka://localhost:9092")) {
 *         int sum = client.call("calc", "add", int.class, 1, 2);
 *     }
 * }
 * }</pre>
 */
public final class Rpc {
    private Rpc() {
    }

    /** A client on the transport named by {@code uri}, with default settings. */
    public static RpcClient client(String uri) {
        return client(uri, ClientConfig.defaults());
    }

    /**
     * A client on the transport named by {@code uri}, once its transport is ready to receive replies.
     *
     * @throws IllegalArgumentException for a malformed URI or a scheme no transport on the class path serves
     * @throws RpcException             {@link ErrorCodes#TRANSPORT_ERROR} when the transport does not become ready:
     *                                  nothing listens at the broker's address ({@code cannot reach Kafka at
     *                                  127.0.0.1:9092: connection refused}, after about 2 s), or not within
     *                                  {@link ClientConfig#readyTimeout()}
     */
    public static RpcClient client(String uri, ClientConfig config) {
        Transport transport = Transports.open(uri, config.transportProperties());
        return DefaultRpcClient.open(transport, config);
    }

    /** A client on the only transport on the class path, at its default address. */
    public static RpcClient client() {
        return client(null, ClientConfig.defaults());
    }

    /** A server on the transport named by {@code uri}, with default settings. */
    public static RpcServer server(String uri) {
        return server(uri, ServerConfig.defaults());
    }

    /** A server on the transport named by {@code uri}. */
    public static RpcServer server(String uri, ServerConfig config) {
        Transport transport = Transports.open(uri, config.transportProperties());
        return new DefaultRpcServer(transport, config);
    }

    /** A server on the only transport on the class path, at its default address. */
    public static RpcServer server() {
        return server(null, ServerConfig.defaults());
    }
}
