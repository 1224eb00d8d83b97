package dev.pipeline.rpc.tck.selftest;

import dev.pipeline.rpc.spi.Capability;
import dev.pipeline.rpc.spi.ClientChannel;
import dev.pipeline.rpc.spi.HandlerOutcome;
import dev.pipeline.rpc.spi.ClientSettings;
import dev.pipeline.rpc.spi.IncomingRequest;
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
import java.time.Duration;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
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

    /**
     * {@code tck-utf8-mangle:<name>}: hands the server each body after a round trip through a Java String (a classic
     * bug of transports that store bodies as text): invalid UTF-8 is replaced.
     */
    public static final class MangleUtf8 implements TransportProvider {
        @Override
        public String scheme() {
            return "tck-utf8-mangle";
        }

        @Override
        public URI defaultUri() {
            return URI.create("tck-utf8-mangle:default");
        }

        @Override
        public Transport open(URI uri, Map<String, String> properties) {
            return new Wrapped(scheme(), TckTransports.open("inproc:" + uri.getSchemeSpecificPart(), properties)) {
                @Override
                public ServerChannel openServer(String service, ServerSettings settings, RequestHandler handler) {
                    return delegate.openServer(service, settings, r -> handler.handle(new IncomingRequest(
                            new String(r.body(), StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8),
                            r.correlationId(), r.replyTo(), r.deadlineEpochMillis(), r.clientId(), r.traceparent(),
                            r.tracestate())));
                }
            };
        }
    }

    /**
     * {@code tck-drop-trace:<name>}: hands the server each request without its {@code traceparent} and
     * {@code tracestate} (a transport that maps only its own headers).
     */
    public static final class DropTraceContext implements TransportProvider {
        @Override
        public String scheme() {
            return "tck-drop-trace";
        }

        @Override
        public URI defaultUri() {
            return URI.create("tck-drop-trace:default");
        }

        @Override
        public Transport open(URI uri, Map<String, String> properties) {
            return new Wrapped(scheme(), TckTransports.open("inproc:" + uri.getSchemeSpecificPart(), properties)) {
                @Override
                public ServerChannel openServer(String service, ServerSettings settings, RequestHandler handler) {
                    return delegate.openServer(service, settings, r -> handler.handle(new IncomingRequest(r.body(),
                            r.correlationId(), r.replyTo(), r.deadlineEpochMillis(), r.clientId(), null, null)));
                }
            };
        }
    }

    /**
     * {@code tck-broadcast-replies:<name>}: every reply is delivered to every client open on the same name (a shared
     * reply destination without filtering). The core drops the strangers' replies, so only the wire-level checks
     * can see it.
     */
    public static final class BroadcastReplies implements TransportProvider {
        private static final Map<String, Set<ReplyListener>> LISTENERS = new ConcurrentHashMap<>();

        @Override
        public String scheme() {
            return "tck-broadcast-replies";
        }

        @Override
        public URI defaultUri() {
            return URI.create("tck-broadcast-replies:default");
        }

        @Override
        public Transport open(URI uri, Map<String, String> properties) {
            String name = uri.getSchemeSpecificPart();
            return new Wrapped(scheme(), TckTransports.open("inproc:" + name, properties)) {
                @Override
                public ClientChannel openClient(ClientSettings settings, ReplyListener listener) {
                    Set<ReplyListener> all = LISTENERS.computeIfAbsent(name, k -> ConcurrentHashMap.newKeySet());
                    all.add(listener);
                    ClientChannel channel = delegate.openClient(settings,
                            (id, body) -> all.forEach(l -> l.onReply(id, body)));
                    return new ClientChannel() {
                        @Override
                        public CompletableFuture<Void> ready() {
                            return channel.ready();
                        }

                        @Override
                        public CompletableFuture<Void> send(String service, OutgoingRequest request) {
                            return channel.send(service, request);
                        }

                        @Override
                        public void close() {
                            all.remove(listener);
                            channel.close();
                        }
                    };
                }
            };
        }
    }

    /**
     * {@code tck-at-most-once:<name>}: a server instance closed with zero grace acknowledges what it was handling,
     * so those requests are lost (at-most-once), and it declares only LOAD_SHARING: an honest transport without
     * PERSISTENT, REDELIVERY_AFTER_CRASH and DEAD_LETTER. It must pass the delivery suite.
     */
    public static final class AtMostOnce implements TransportProvider {
        @Override
        public String scheme() {
            return "tck-at-most-once";
        }

        @Override
        public URI defaultUri() {
            return URI.create(scheme() + ":default");
        }

        @Override
        public Transport open(URI uri, Map<String, String> properties) {
            return atMostOnce(scheme(), uri, properties,
                    new TransportCapabilities(Set.of(Capability.LOAD_SHARING), 16 << 20));
        }
    }

    /** {@code tck-at-most-once-liar:<name>}: as {@link AtMostOnce}, but claims REDELIVERY_AFTER_CRASH. */
    public static final class AtMostOnceLiar implements TransportProvider {
        @Override
        public String scheme() {
            return "tck-at-most-once-liar";
        }

        @Override
        public URI defaultUri() {
            return URI.create(scheme() + ":default");
        }

        @Override
        public Transport open(URI uri, Map<String, String> properties) {
            return atMostOnce(scheme(), uri, properties, new TransportCapabilities(
                    Set.of(Capability.LOAD_SHARING, Capability.REDELIVERY_AFTER_CRASH), 16 << 20));
        }
    }

    static Transport atMostOnce(String scheme, URI uri, Map<String, String> properties, TransportCapabilities caps) {
        return new Wrapped(scheme, TckTransports.open("inproc:" + uri.getSchemeSpecificPart(), properties)) {
            @Override
            public TransportCapabilities capabilities() {
                return caps;
            }

            @Override
            public ServerChannel openServer(String service, ServerSettings settings, RequestHandler handler) {
                Set<CompletableFuture<HandlerOutcome>> inFlight = ConcurrentHashMap.newKeySet();
                AtomicBoolean dropping = new AtomicBoolean();
                ServerChannel channel = delegate.openServer(service, settings, request -> {
                    CompletableFuture<HandlerOutcome> outcome = new CompletableFuture<>();
                    inFlight.add(outcome);
                    handler.handle(request).whenComplete((o, e) -> {
                        outcome.complete(o == null ? HandlerOutcome.none() : o);
                        inFlight.remove(outcome);
                    });
                    if (dropping.get()) {
                        outcome.complete(HandlerOutcome.none());
                    }
                    return outcome;
                });
                return new ServerChannel() {
                    @Override
                    public void start() {
                        channel.start();
                    }

                    @Override
                    public void close(Duration grace) {
                        if (grace.isZero()) {
                            dropping.set(true);
                            inFlight.forEach(f -> f.complete(HandlerOutcome.none())); // acknowledged, lost
                        }
                        channel.close(grace);
                    }

                    @Override
                    public void close() {
                        channel.close();
                    }
                };
            }
        };
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
        public ClientChannel openClient(ClientSettings settings, ReplyListener listener) {
            return delegate.openClient(settings, listener);
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
