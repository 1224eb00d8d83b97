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

    /**
     * Opens a client on the transport named by {@code uri}, with default settings; see
     * {@link #client(String, ClientConfig)}.
     *
     * @param uri the broker address, such as {@code kafka://localhost:9092} or {@code redis://localhost:6379}; its
     *     scheme picks the transport
     * @return a ready client; close it to release its transport
     */
    public static RpcClient client(String uri) {
        return client(uri, ClientConfig.defaults());
    }

    /**
     * Opens a client on the transport named by {@code uri}, and returns once its transport is ready to receive
     * replies.
     *
     * @param uri the broker address, such as {@code kafka://localhost:9092} or {@code redis://localhost:6379}; its
     *     scheme picks the transport
     * @param config the client's settings; its transport properties add to the URI's options
     * @return a ready client; close it to release its transport
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

    /**
     * Opens a client on the only transport on the class path, at its default address.
     *
     * @return a ready client; close it to release its transport
     * @throws IllegalArgumentException when no transport or more than one is on the class path
     */
    public static RpcClient client() {
        return client(null, ClientConfig.defaults());
    }

    /**
     * Creates a server on the transport named by {@code uri}, with default settings; expose services on it, then
     * {@link RpcServer#start()} it.
     *
     * @param uri the broker address, such as {@code kafka://localhost:9092} or {@code redis://localhost:6379}; its
     *     scheme picks the transport
     * @return a server not yet started
     * @throws IllegalArgumentException for a malformed URI or a scheme no transport on the class path serves
     */
    public static RpcServer server(String uri) {
        return server(uri, ServerConfig.defaults());
    }

    /**
     * Creates a server on the transport named by {@code uri}; expose services on it, then {@link RpcServer#start()}
     * it.
     *
     * @param uri the broker address, such as {@code kafka://localhost:9092} or {@code redis://localhost:6379}; its
     *     scheme picks the transport
     * @param config the server's settings; its transport properties add to the URI's options
     * @return a server not yet started
     * @throws IllegalArgumentException for a malformed URI or a scheme no transport on the class path serves
     */
    public static RpcServer server(String uri, ServerConfig config) {
        Transport transport = Transports.open(uri, config.transportProperties());
        return new DefaultRpcServer(transport, config);
    }

    /**
     * Creates a server on the only transport on the class path, at its default address.
     *
     * @return a server not yet started
     * @throws IllegalArgumentException when no transport or more than one is on the class path
     */
    public static RpcServer server() {
        return server(null, ServerConfig.defaults());
    }
}
