package dev.pipeline.rpc;

import dev.pipeline.rpc.spi.ClientChannel;
import dev.pipeline.rpc.spi.ClientSettings;
import dev.pipeline.rpc.spi.HandlerOutcome;
import dev.pipeline.rpc.spi.IncomingRequest;
import dev.pipeline.rpc.spi.ReplyListener;
import dev.pipeline.rpc.spi.RequestHandler;
import dev.pipeline.rpc.spi.ServerChannel;
import dev.pipeline.rpc.spi.ServerSettings;
import dev.pipeline.rpc.spi.Transport;
import dev.pipeline.rpc.spi.TransportCapabilities;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static dev.pipeline.rpc.ServerTestSupport.tree;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The server's side of the transport SPI: channels opened per service, expired requests, dead-lettering, close.
 * The transport here is a minimal SPI implementation that hands messages straight to the server's handler.
 */
class ServerLifecycleTest {
    /** A server-only SPI transport that records what the server asks of it. */
    static final class DirectTransport implements Transport {
        final Map<String, DirectChannel> channels = new ConcurrentHashMap<>();
        volatile boolean closed;
        volatile String failStartOf;

        @Override
        public String scheme() {
            return "direct-test";
        }

        @Override
        public TransportCapabilities capabilities() {
            return new TransportCapabilities(Set.of(), 1 << 20);
        }

        @Override
        public ClientChannel openClient(ClientSettings settings, ReplyListener replies) {
            throw new UnsupportedOperationException("server-only test transport");
        }

        @Override
        public ServerChannel openServer(String service, ServerSettings settings, RequestHandler handler) {
            DirectChannel channel = new DirectChannel(service, settings, handler);
            channels.put(service, channel);
            return channel;
        }

        @Override
        public void close() {
            closed = true;
        }

        final class DirectChannel implements ServerChannel {
            final String service;
            final ServerSettings settings;
            final RequestHandler handler;
            volatile boolean started;
            volatile Duration closedWith;

            DirectChannel(String service, ServerSettings settings, RequestHandler handler) {
                this.service = service;
                this.settings = settings;
                this.handler = handler;
            }

            @Override
            public void start() {
                if (service.equals(failStartOf)) {
                    throw new IllegalStateException("cannot subscribe to " + service);
                }
                started = true;
            }

            HandlerOutcome deliver(String body, long deadline) throws Exception {
                return handler.handle(new IncomingRequest(body.getBytes(StandardCharsets.UTF_8), "c1", "reply-here",
                        deadline, "client-1", null)).toCompletableFuture().get(30, TimeUnit.SECONDS);
            }

            @Override
            public void close(Duration grace) {
                closedWith = grace;
            }

            @Override
            public void close() {
                close(settings.shutdownGrace());
            }
        }
    }

    /** Records every metric call. */
    static final class RecordingMetrics implements RpcMetrics {
        final List<String> events = new CopyOnWriteArrayList<>();

        @Override
        public void serverRequest(String service, String method, String transport, String outcome, long nanos) {
            assertThat(nanos).isNotNegative();
            events.add("request " + service + " " + method + " " + transport + " " + outcome);
        }

        @Override
        public void rejectedInput(String service, String transport, String reason) {
            events.add("rejected " + service + " " + transport + " " + reason);
        }
    }

    private final DirectTransport transport = new DirectTransport();
    private final RecordingMetrics metrics = new RecordingMetrics();
    private final DefaultRpcServer server = new DefaultRpcServer(transport, ServerConfig.builder()
            .concurrency(2).maxInFlight(7).maxInFlightBytes(5_000_000).shutdownGrace(Duration.ofSeconds(3)).metrics(metrics)
            .limits(new Limits(200, 4, 10)).build());

    @AfterEach
    void tearDown() {
        server.close();
    }

    private static String text(HandlerOutcome outcome) {
        return outcome.reply() == null ? null : new String(outcome.reply(), StandardCharsets.UTF_8);
    }

    @Test
    void startOpensOneChannelPerServiceWithTheConfiguredSettings() {
        server.handle("a", "m", p -> 1).handle("a", "n", p -> 2).handle("b", "m", p -> 3);
        assertThat(transport.channels).isEmpty();
        server.start();
        assertThat(transport.channels.keySet()).containsExactlyInAnyOrder("a", "b");
        for (var channel : transport.channels.values()) {
            assertThat(channel.started).isTrue();
            assertThat(channel.settings).isEqualTo(new ServerSettings(7, Duration.ofSeconds(3), 5_000_000));
        }
        assertThatThrownBy(server::start).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already started");
    }

    @Test
    void theByteBudgetDefaultsTo32MebibytesAndIsValidated() {
        assertThat(ServerConfig.defaults().maxInFlightBytes()).isEqualTo(32L << 20);
        assertThat(new ServerSettings(1, Duration.ZERO).maxInFlightBytes()).isEqualTo(32L << 20);
        assertThatThrownBy(() -> ServerConfig.builder().maxInFlightBytes(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxInFlightBytes");
        assertThatThrownBy(() -> new ServerSettings(1, Duration.ZERO, -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxInFlightBytes");
    }

    @Test
    void aServiceRegisteredAfterStartIsSubscribedAtOnce() throws Exception {
        server.handle("a", "m", p -> 1);
        server.start();
        server.handle("late", "m", p -> "late");
        assertThat(transport.channels.get("late").started).isTrue();
        assertThat(text(transport.channels.get("late").deliver("{\"jsonrpc\":\"2.0\",\"method\":\"m\",\"id\":1}", 0)))
                .isEqualTo("{\"jsonrpc\":\"2.0\",\"result\":\"late\",\"id\":1}");
        server.handle("a", "more", p -> 2); // same service: no new channel
        assertThat(transport.channels).hasSize(2);
    }

    @Test
    void aFailedSubscriptionAfterStartLeavesNoHalfRegisteredService() {
        server.start();
        transport.failStartOf = "broken";
        assertThatThrownBy(() -> server.handle("broken", "m", p -> 1)).hasMessageContaining("cannot subscribe");
        assertThat(transport.channels.get("broken").closedWith).isEqualTo(Duration.ZERO);
        assertThat(ServerTestSupport.dispatch(server, "broken", "{\"jsonrpc\":\"2.0\",\"method\":\"m\",\"id\":1}"))
                .contains("-32601");
    }

    @Test
    void aFailedStartClosesTheChannelsAlreadyOpened() {
        server.handle("a", "m", p -> 1).handle("b", "m", p -> 1);
        transport.failStartOf = "b";
        assertThatThrownBy(server::start).hasMessageContaining("cannot subscribe to b");
        assertThat(transport.channels.get("a").closedWith).isEqualTo(Duration.ZERO);
    }

    @Test
    void repliesThroughTheTransportAndCountsRequests() throws Exception {
        server.handle("a", "m", p -> 1);
        server.start();
        HandlerOutcome outcome = transport.channels.get("a").deliver("{\"jsonrpc\":\"2.0\",\"method\":\"m\",\"id\":1}", 0);
        assertThat(text(outcome)).isEqualTo("{\"jsonrpc\":\"2.0\",\"result\":1,\"id\":1}");
        assertThat(outcome.deadLetterReason()).isNull();
        HandlerOutcome notification = transport.channels.get("a").deliver("{\"jsonrpc\":\"2.0\",\"method\":\"m\"}", 0);
        assertThat(notification).isEqualTo(HandlerOutcome.none());
        transport.channels.get("a").deliver("{\"jsonrpc\":\"2.0\",\"method\":\"zz\",\"id\":1}", 0);
        assertThat(metrics.events).containsExactly("request a m direct-test ok", "request a m direct-test ok",
                "request a unknown direct-test error");
    }

    @Test
    void expiredRequestsAreSkippedAndCounted() throws Exception {
        List<String> ran = new CopyOnWriteArrayList<>();
        server.handle("a", "m", p -> ran.add("ran"));
        server.start();
        long past = System.currentTimeMillis() - 1000;
        HandlerOutcome outcome = transport.channels.get("a").deliver("{\"jsonrpc\":\"2.0\",\"method\":\"m\",\"id\":1}",
                past);
        assertThat(outcome).isEqualTo(HandlerOutcome.none());
        assertThat(ran).isEmpty();
        assertThat(metrics.events).containsExactly("rejected a direct-test expired");
        long future = System.currentTimeMillis() + 600_000;
        assertThat(text(transport.channels.get("a").deliver("{\"jsonrpc\":\"2.0\",\"method\":\"m\",\"id\":1}",
                future))).contains("\"result\":true");
        assertThat(ran).hasSize(1);
    }

    @Test
    void aRequestWhoseDeadlinePassesWhileQueuedIsNotStarted() throws Exception {
        DirectTransport direct = new DirectTransport();
        RecordingMetrics recorded = new RecordingMetrics();
        DefaultRpcServer single = new DefaultRpcServer(direct, ServerConfig.builder().concurrency(1)
                .metrics(recorded).build());
        try {
            java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
            List<String> ran = new CopyOnWriteArrayList<>();
            single.handle("a", "block", p -> {
                entered.countDown();
                return release.await(30, TimeUnit.SECONDS);
            });
            single.handle("a", "work", p -> ran.add("work"));
            single.start();
            var channel = direct.channels.get("a");
            CompletableFuture<HandlerOutcome> blocked = CompletableFuture.supplyAsync(() -> {
                try {
                    return channel.deliver("{\"jsonrpc\":\"2.0\",\"method\":\"block\",\"id\":1}", 0);
                } catch (Exception e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            });
            assertThat(entered.await(30, TimeUnit.SECONDS)).isTrue();
            long deadline = System.currentTimeMillis() + 100;
            var queued = channel.handler.handle(new IncomingRequest(
                    "{\"jsonrpc\":\"2.0\",\"method\":\"work\",\"id\":2}".getBytes(StandardCharsets.UTF_8),
                    "c2", "reply-here", deadline, "client-1", null)).toCompletableFuture();
            org.awaitility.Awaitility.await().until(() -> System.currentTimeMillis() >= deadline);
            release.countDown();
            assertThat(text(blocked.get(30, TimeUnit.SECONDS))).contains("\"result\":true");
            assertThat(queued.get(30, TimeUnit.SECONDS)).isEqualTo(HandlerOutcome.none());
            assertThat(ran).isEmpty();
            assertThat(recorded.events).contains("rejected a direct-test expired");
        } finally {
            single.close();
        }
    }

    @Test
    void poisonIsAnsweredAndDeadLettered() throws Exception {
        server.handle("a", "m", p -> 1);
        server.start();
        var channel = transport.channels.get("a");
        HandlerOutcome garbage = channel.deliver("{not json", 0);
        assertThat(tree(text(garbage)).getAsJsonObject().getAsJsonObject("error").get("code").getAsInt())
                .isEqualTo(-32700);
        assertThat(garbage.deadLetterReason()).startsWith("parse: invalid JSON");
        HandlerOutcome large = channel.deliver("[" + "1,".repeat(150) + "1]", 0);
        assertThat(text(large)).contains("-32600");
        assertThat(large.deadLetterReason()).startsWith("too-large: message of 303 bytes exceeds the limit of 200");
        HandlerOutcome deep = channel.deliver("[[[[[1]]]]]", 0);
        assertThat(text(deep)).contains("-32600");
        assertThat(deep.deadLetterReason()).startsWith("too-deep: JSON nesting exceeds the limit of 4");
        HandlerOutcome invalid = channel.deliver("{\"jsonrpc\":\"2.0\"}", 0);
        assertThat(text(invalid)).contains("-32600");
        assertThat(invalid.deadLetterReason()).as("a valid JSON invalid request is answered, not dead-lettered")
                .isNull();
        assertThat(metrics.events).containsExactly("rejected a direct-test parse", "rejected a direct-test too-large",
                "rejected a direct-test too-deep", "rejected a direct-test invalid");
    }

    @Test
    void closeClosesChannelsThenTransportAndIsIdempotent() {
        server.handle("a", "m", p -> 1);
        server.start();
        server.close();
        assertThat(transport.channels.get("a").closedWith).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(3));
        assertThat(transport.closed).isTrue();
        server.close();
        assertThatThrownBy(server::start).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> server.dispatch("a", new byte[]{'1'}).get())
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(IllegalStateException.class);
    }

    @Test
    void closeCompletesWorkThatOutlivesTheGracePeriod() throws Exception {
        DefaultRpcServer quick = new DefaultRpcServer(new DirectTransport(), ServerConfig.builder()
                .shutdownGrace(Duration.ofMillis(50)).build());
        CompletableFuture<String> never = new CompletableFuture<>();
        quick.handle("a", "hang", p -> never);
        var reply = quick.dispatch("a", "{\"jsonrpc\":\"2.0\",\"method\":\"hang\",\"id\":1}"
                .getBytes(StandardCharsets.UTF_8));
        quick.close();
        assertThatThrownBy(() -> reply.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(IllegalStateException.class);
    }

    @Test
    void closeWaitsForInFlightWorkWithinTheGrace() throws Exception {
        CompletableFuture<String> slow = new CompletableFuture<>();
        server.handle("a", "slow", p -> slow);
        var reply = server.dispatch("a", "{\"jsonrpc\":\"2.0\",\"method\":\"slow\",\"id\":1}"
                .getBytes(StandardCharsets.UTF_8));
        CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS).execute(() -> slow.complete("done"));
        server.close();
        assertThat(new String(reply.get(10, TimeUnit.SECONDS).orElseThrow(), StandardCharsets.UTF_8))
                .contains("\"result\":\"done\"");
    }

    @Test
    void aDispatchOnlyServerCannotStart() {
        RpcServer plain = DefaultRpcServer.dispatchOnly(ServerConfig.defaults());
        assertThatThrownBy(plain::start).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no transport");
        plain.close();
    }

    @Test
    void rawDispatchIsTaggedDirect() {
        server.handle("a", "m", p -> 1);
        ServerTestSupport.dispatch(server, "a", "[{\"jsonrpc\":\"2.0\",\"method\":\"m\",\"id\":1},1,[]]");
        ServerTestSupport.dispatch(server, "a", "[]");
        ServerTestSupport.dispatch(server, "a", "[" + "{},".repeat(10) + "{}]");
        assertThat(metrics.events).containsExactlyInAnyOrder("rejected a direct invalid", "rejected a direct invalid",
                "request a m direct ok", "rejected a direct invalid", "rejected a direct too-large");
    }
}
