package dev.pipeline.rpc.tck.selftest;

import dev.pipeline.rpc.spi.ClientChannel;
import dev.pipeline.rpc.spi.ClientSettings;
import dev.pipeline.rpc.spi.OutgoingRequest;
import dev.pipeline.rpc.spi.ReplyListener;
import dev.pipeline.rpc.spi.RequestHandler;
import dev.pipeline.rpc.spi.ServerChannel;
import dev.pipeline.rpc.spi.ServerSettings;
import dev.pipeline.rpc.spi.Transport;
import dev.pipeline.rpc.spi.TransportCapabilities;
import dev.pipeline.rpc.spi.TransportProvider;
import dev.pipeline.rpc.tck.TckTransports;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Deliberately broken transports that wrap {@code inproc:}; the TCK must fail on them. Registered in
 * META-INF/services of the test class path.
 */
public final class BrokenTransports {
    private BrokenTransports() {
    }

    /** {@code tck-drop-tenth:<name>}: loses every tenth reply a client should receive. */
    public static final class DropTenthReply implements TransportProvider {
        @Override
        public String scheme() {
            return "tck-drop-tenth";
        }

        @Override
        public URI defaultUri() {
            return URI.create("tck-drop-tenth:default");
        }

        @Override
        public Transport open(URI uri, Map<String, String> properties) {
            return new Wrapped(scheme(), TckTransports.open("inproc:" + uri.getSchemeSpecificPart(), properties)) {
                private final AtomicLong replies = new AtomicLong();

                @Override
                public ClientChannel openClient(ClientSettings settings, ReplyListener listener) {
                    return delegate.openClient(settings, (correlationId, body) -> {
                        if (replies.incrementAndGet() % 10 != 0) {
                            listener.onReply(correlationId, body);
                        }
                    });
                }
            };
        }
    }

    /** {@code tck-answer-notifications:<name>}: delivers a reply to the sender of every notification. */
    public static final class AnswerNotifications implements TransportProvider {
        @Override
        public String scheme() {
            return "tck-answer-notifications";
        }

        @Override
        public URI defaultUri() {
            return URI.create("tck-answer-notifications:default");
        }

        @Override
        public Transport open(URI uri, Map<String, String> properties) {
            return new Wrapped(scheme(), TckTransports.open("inproc:" + uri.getSchemeSpecificPart(), properties)) {
                @Override
                public ClientChannel openClient(ClientSettings settings, ReplyListener listener) {
                    ClientChannel channel = delegate.openClient(settings, listener);
                    return new ClientChannel() {
                        @Override
                        public CompletableFuture<Void> ready() {
                            return channel.ready();
                        }

                        @Override
                        public CompletableFuture<Void> send(String service, OutgoingRequest request) {
                            CompletableFuture<Void> sent = channel.send(service, request);
                            if (!request.expectsReply()) {
                                sent.thenRun(() -> listener.onReply(null,
                                        "{\"jsonrpc\":\"2.0\",\"result\":null,\"id\":null}"
                                                .getBytes(StandardCharsets.UTF_8)));
                            }
                            return sent;
                        }

                        @Override
                        public void close() {
                            channel.close();
                        }
                    };
                }
            };
        }
    }

    /** Delegates everything to a wrapped transport. */
    abstract static class Wrapped implements Transport {
        final String scheme;
        final Transport delegate;

        Wrapped(String scheme, Transport delegate) {
            this.scheme = scheme;
            this.delegate = delegate;
        }

        @Override
        public String scheme() {
            return scheme;
        }

        @Override
        public TransportCapabilities capabilities() {
            return delegate.capabilities();
        }

        @Override
        public ServerChannel openServer(String service, ServerSettings settings, RequestHandler handler) {
            return delegate.openServer(service, settings, handler);
        }

        @Override
        public void close() {
            delegate.close();
        }
    }
}
