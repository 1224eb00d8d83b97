package dev.pipeline.rpc.spi;

import java.util.concurrent.CompletableFuture;

/** A client's connection through a transport: sends requests, receives its own replies. */
public interface ClientChannel extends AutoCloseable {
    /**
     * Completes once a reply sent to this client from now on will be delivered (for example: the reply consumer is
     * assigned and positioned). Completes exceptionally if the channel cannot become ready.
     */
    CompletableFuture<Void> ready();

    /**
     * Hands a message to the broker for the given service. The transport adds {@link WireHeaders#REPLY_TO} (when a
     * reply is expected) and {@link WireHeaders#CLIENT}.
     *
     * @return completes when the broker has accepted the message (the caller's timeout clock starts then), or
     * exceptionally when it could not be sent
     */
    CompletableFuture<Void> send(String service, OutgoingRequest request);

    /** Stops receiving replies and releases connections. Idempotent. */
    @Override
    void close();
}
