package dev.pipeline.rpc.inproc;

import dev.pipeline.rpc.spi.ClientChannel;
import dev.pipeline.rpc.spi.OutgoingRequest;
import dev.pipeline.rpc.spi.ReplyListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/** A client's connection to an in-process broker. Ready at once: replies are routed by client id. */
final class InprocClientChannel implements ClientChannel {
    private static final Logger LOG = LoggerFactory.getLogger(InprocClientChannel.class);

    private final InprocTransport transport;
    private final InprocBroker broker;
    private final String clientId;
    private final ReplyListener replies;
    private volatile boolean closed;

    InprocClientChannel(InprocTransport transport, InprocBroker broker, String clientId, ReplyListener replies) {
        this.transport = transport;
        this.broker = broker;
        this.clientId = clientId;
        this.replies = Objects.requireNonNull(replies, "replies");
        broker.register(clientId, this);
    }

    @Override
    public CompletableFuture<Void> ready() {
        return closed ? CompletableFuture.failedFuture(new IllegalStateException("the inproc client channel is"
                + " closed")) : CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> send(String service, OutgoingRequest request) {
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(request, "request");
        if (closed) {
            return CompletableFuture.failedFuture(new IllegalStateException("the inproc client channel is closed"));
        }
        int max = InprocTransport.CAPABILITIES.maxMessageBytes();
        if (request.body().length > max) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("message of "
                    + request.body().length + " bytes exceeds the inproc limit of " + max + " bytes"));
        }
        ServiceQueue queue = broker.service(service);
        queue.offer(new Message(request.body(), request.correlationId(),
                request.expectsReply() ? clientId : null, request.deadlineEpochMillis(), clientId,
                request.traceparent(), request.traceparent() == null ? null : request.tracestate(),
                queue.nextSequence()));
        return CompletableFuture.completedFuture(null);
    }

    /** No server yet when no server channel ever consumed the service's queue on this broker. */
    @Override
    public CompletableFuture<java.util.Optional<String>> noServer(String service) {
        return CompletableFuture.completedFuture(broker.service(service).everServed() ? java.util.Optional.empty()
                : java.util.Optional.of(dev.pipeline.rpc.spi.Reachability.noServer(service, broker.toString(),
                "no server channel ever opened")));
    }

    void deliver(String correlationId, byte[] body) {
        if (closed) {
            return;
        }
        try {
            replies.onReply(correlationId, body);
        } catch (RuntimeException e) {
            LOG.warn("the reply listener of client {} on {} failed: {}", clientId, broker, e.toString());
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        broker.unregister(clientId, this);
        transport.forget(this);
    }
}
