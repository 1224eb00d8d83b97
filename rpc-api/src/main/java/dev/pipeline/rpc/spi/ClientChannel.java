package dev.pipeline.rpc.spi;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/** A client's connection through a transport: sends requests, receives its own replies. */
public interface ClientChannel extends AutoCloseable {
    /**
     * Completes once a reply sent to this client from now on will be delivered (for example: the reply consumer is
     * assigned and positioned). Completes exceptionally if the channel cannot become ready.
     *
     * @return completes once replies are delivered, or exceptionally with the reason the channel cannot be ready
     */
    CompletableFuture<Void> ready();

    /**
     * Hands a message to the broker for the given service. The transport adds {@link WireHeaders#REPLY_TO} (when a
     * reply is expected) and {@link WireHeaders#CLIENT}.
     *
     * @param service the service whose servers are to receive the message
     * @param request the message with its metadata
     * @return completes when the broker has accepted the message (the caller's timeout clock starts then), or
     * exceptionally when it could not be sent
     */
    CompletableFuture<Void> send(String service, OutgoingRequest request);

    /**
     * Sends like {@link #send}, for a caller that will block until the reply has been handled: the thread that calls
     * this calls {@link #awaitReply} next, with the same correlation id (the core's blocking calls do). A transport
     * that can read replies on the waiting thread may leave this request's reply to that thread instead of waking its
     * own. The default is {@link #send}.
     *
     * @param service the service whose servers are to receive the message
     * @param request the message with its metadata; it expects a reply
     * @return as {@link #send}
     */
    default CompletableFuture<Void> sendAwaited(String service, OutgoingRequest request) {
        return send(service, request);
    }

    /**
     * Lets the calling thread, which sent {@code correlationId} with {@link #sendAwaited} and is about to block until
     * {@code done} returns true, read this client's replies itself: every reply it reads goes to the
     * {@link ReplyListener} as from the transport's own thread, the one that completes {@code done} included. This
     * saves the hand-off from the transport's thread to the waiting one (a thread wake-up per call).
     *
     * <p>Returns when {@code done} returns true, at {@code deadlineNanos} ({@link System#nanoTime()}), when the
     * channel closes or the thread is interrupted (its interrupt flag set again), or at once when the transport cannot
     * lend its reader now (another thread is reading, or it does not support this: the default). Whenever it returns
     * before {@code done}, the transport's own thread delivers that reply, as for {@link #send}. Never throws for a
     * broker failure: the caller's timeout reports it.
     *
     * @param correlationId the id the request was sent with
     * @param done true once the call's reply has been handled
     * @param deadlineNanos the {@link System#nanoTime()} at which to give up
     * @return whether this thread read replies (false: it did nothing, the caller waits as usual)
     */
    default boolean awaitReply(String correlationId, BooleanSupplier done, long deadlineNanos) {
        return false;
    }

    /**
     * Sends {@code notification}, the {@code rpc.cancel} of the call sent earlier as {@code correlationId}, where that
     * call went: a transport that chose a destination for the call (a partition) sends the cancel to the same one, so
     * that it reaches the server instance holding the call. The caller no longer expects the call's reply: the
     * transport may stop tracking it. The default is {@link #send}.
     *
     * @param service       the service the call went to
     * @param correlationId the call's correlation id
     * @param notification  the {@code rpc.cancel} notification to send
     * @return completes when the broker has accepted the notification, or exceptionally when it could not be sent
     */
    default CompletableFuture<Void> sendCancel(String service, String correlationId, OutgoingRequest notification) {
        return send(service, notification);
    }

    /**
     * Whether any server has ever served {@code service} at this broker, asked with one metadata query (no message
     * is sent): Kafka describes the service's consumer group, Redis reads the groups of its stream. The core calls it
     * once per service and caches the answer, so a call's hot path never pays for it.
     *
     * <p>Only a sure "never served" answers with a reason: a server that is restarting (a group that had members,
     * an empty group, pending entries) counts as served, and so does every case the transport cannot tell (a query
     * refused by the broker's ACLs, a timeout, an error): then the call is sent as usual. The default cannot tell.
     *
     * @param service the service a call is about to go to
     * @return completes with empty when a server serves {@code service} or the transport cannot tell, else with
     * the reason, {@link Reachability#noServer formatted} as {@code no server for 'calc' at kafka://127.0.0.1:9092};
     * never completes exceptionally
     */
    default CompletableFuture<Optional<String>> noServer(String service) {
        return CompletableFuture.completedFuture(Optional.empty());
    }

    /**
     * The server instances of {@code service} the broker knows now, with one metadata query (no message is sent):
     * Kafka describes the service's consumer group, Redis lists the consumers of its stream's group. The default
     * cannot list them.
     *
     * @param service the service whose instances to list
     * @return completes with the members (empty when no server has ever served the service), or exceptionally when
     * the transport cannot list them ({@link UnsupportedOperationException}) or the broker refused or failed the query
     */
    default CompletableFuture<java.util.List<ServerMember>> members(String service) {
        return CompletableFuture.failedFuture(new UnsupportedOperationException(
                "this transport cannot list the instances of a service"));
    }

    /** Stops receiving replies and releases connections. Idempotent. */
    @Override
    void close();
}
