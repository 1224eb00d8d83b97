package dev.pipeline.rpc.spi;

/**
 * An open transport to one broker (or cluster). One instance backs one {@code RpcClient} or {@code RpcServer};
 * closing it closes every channel it opened.
 */
public interface Transport extends AutoCloseable {
    /** @return the scheme this transport was opened for, e.g. {@code kafka}. */
    String scheme();

    /** @return what this transport supports. */
    TransportCapabilities capabilities();

    /**
     * The name of the broker destination that requests for {@code service} go to (Kafka: the request topic; Redis:
     * the stream key), as traces show it ({@code messaging.destination.name}). The default is the service name.
     *
     * @param service the service's name
     * @return the destination's name
     */
    default String destination(String service) {
        return service;
    }

    /**
     * Opens the client side.
     *
     * @param settings what the core tells the transport about the client
     * @param replies receives the replies addressed to this client
     * @return the channel; {@link ClientChannel#ready()} says when replies arrive
     */
    ClientChannel openClient(ClientSettings settings, ReplyListener replies);

    /**
     * Opens one server instance's subscription to {@code service}; call {@link ServerChannel#start()} to consume.
     *
     * @param service the service's name
     * @param settings flow-control and shutdown bounds
     * @param handler gets every inbound message and returns its outcome
     * @return the channel, not yet consuming
     */
    ServerChannel openServer(String service, ServerSettings settings, RequestHandler handler);

    /** Closes every channel and connection. Idempotent. */
    @Override
    void close();
}
