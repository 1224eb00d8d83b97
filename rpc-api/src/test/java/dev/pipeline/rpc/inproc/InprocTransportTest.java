package dev.pipeline.rpc.inproc;

import dev.pipeline.rpc.spi.Capability;
import dev.pipeline.rpc.spi.ClientChannel;
import dev.pipeline.rpc.spi.ClientSettings;
import dev.pipeline.rpc.spi.HandlerOutcome;
import dev.pipeline.rpc.spi.IncomingRequest;
import dev.pipeline.rpc.spi.OutgoingRequest;
import dev.pipeline.rpc.spi.ServerChannel;
import dev.pipeline.rpc.spi.ServerSettings;
import dev.pipeline.rpc.spi.Transport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The in-process transport through its SPI only. */
class InprocTransportTest {
    private final InprocTransportProvider provider = new InprocTransportProvider();
    private final List<Transport> transports = new ArrayList<>();
    private URI uri;

    @BeforeEach
    void setUp() {
        uri = URI.create("inproc:spi-" + UUID.randomUUID());
    }

    @AfterEach
    void tearDown() {
        transports.forEach(Transport::close);
    }

    private Transport open() {
        Transport t = provider.open(uri, Map.of());
        transports.add(t);
        return t;
    }

    /** A client that records its replies. */
    private static final class Replies {
        final List<String> correlationIds = new CopyOnWriteArrayList<>();
        final List<String> bodies = new CopyOnWriteArrayList<>();

        void on(String id, byte[] body) {
            correlationIds.add(id);
            bodies.add(new String(body, StandardCharsets.UTF_8));
        }
    }

    /** A handler that keeps every request pending until completed by the test. */
    private static final class Holding {
        final ConcurrentLinkedQueue<CompletableFuture<HandlerOutcome>> pending = new ConcurrentLinkedQueue<>();
        final List<IncomingRequest> seen = new CopyOnWriteArrayList<>();

        CompletableFuture<HandlerOutcome> handle(IncomingRequest r) {
            seen.add(r);
            CompletableFuture<HandlerOutcome> f = new CompletableFuture<>();
            pending.add(f);
            return f;
        }

        void replyAll(String text) {
            CompletableFuture<HandlerOutcome> f;
            while ((f = pending.poll()) != null) {
                f.complete(HandlerOutcome.reply(text.getBytes(StandardCharsets.UTF_8)));
            }
        }
    }

    private static OutgoingRequest request(String body, String correlationId) {
        return new OutgoingRequest(body.getBytes(StandardCharsets.UTF_8), correlationId, 0, null);
    }

    private static ServerSettings settings(int maxInFlight) {
        return new ServerSettings(maxInFlight, Duration.ZERO);
    }

    @Test
    void declaresWhatItDoes() {
        Transport t = open();
        assertThat(t.scheme()).isEqualTo("inproc");
        assertThat(t.capabilities().has(Capability.LOAD_SHARING)).isTrue();
        assertThat(t.capabilities().has(Capability.REDELIVERY_AFTER_CRASH)).isTrue();
        assertThat(t.capabilities().has(Capability.DEAD_LETTER)).isFalse();
        assertThat(t.capabilities().maxMessageBytes()).isEqualTo(16 * 1024 * 1024);
        assertThat(provider.defaultUri()).isEqualTo(URI.create("inproc:default"));
    }

    @Test
    void addresses() {
        provider.open(URI.create("inproc://other-name"), Map.of()).close();
        assertThatThrownBy(() -> provider.open(URI.create("inproc:bad/name"), Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("inproc:<name>");
        assertThatThrownBy(() -> provider.open(URI.create("kafka://x:1"), Map.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void requestReachesServerWithMetadataAndReplyRoutesToItsClient() throws Exception {
        Transport t = open();
        Holding holding = new Holding();
        ServerChannel server = t.openServer("svc", settings(10), holding::handle);
        server.start();
        Replies mine = new Replies();
        Replies theirs = new Replies();
        ClientChannel me = t.openClient(new ClientSettings("me"), mine::on);
        ClientChannel them = open().openClient(new ClientSettings("them"), theirs::on);
        me.ready().get(1, TimeUnit.SECONDS);
        them.ready().get(1, TimeUnit.SECONDS);

        me.send("svc", new OutgoingRequest("{\"a\":1}".getBytes(StandardCharsets.UTF_8), "c-1", 12345L,
                "00-trace-01")).get(1, TimeUnit.SECONDS);
        them.send("svc", request("{}", null)).get(1, TimeUnit.SECONDS);
        assertThat(holding.seen).hasSize(2);
        IncomingRequest r = holding.seen.get(0);
        assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo("{\"a\":1}");
        assertThat(r.correlationId()).isEqualTo("c-1");
        assertThat(r.replyTo()).isEqualTo("me");
        assertThat(r.clientId()).isEqualTo("me");
        assertThat(r.deadlineEpochMillis()).isEqualTo(12345L);
        assertThat(r.traceparent()).isEqualTo("00-trace-01");
        IncomingRequest notification = holding.seen.get(1);
        assertThat(notification.correlationId()).isNull();
        assertThat(notification.replyTo()).isNull();
        assertThat(notification.clientId()).isEqualTo("them");

        holding.replyAll("answer");
        assertThat(mine.correlationIds).containsExactly("c-1");
        assertThat(mine.bodies).containsExactly("answer");
        assertThat(theirs.bodies).isEmpty();
    }

    @Test
    void requestsWaitUntilAServerStarts() throws Exception {
        Transport t = open();
        Replies replies = new Replies();
        ClientChannel client = t.openClient(new ClientSettings("early"), replies::on);
        for (int i = 0; i < 5; i++) {
            client.send("later", request("{\"n\":" + i + "}", "c" + i)).get(1, TimeUnit.SECONDS);
        }
        Holding holding = new Holding();
        ServerChannel server = open().openServer("later", settings(100), holding::handle);
        assertThat(holding.seen).isEmpty(); // not started
        server.start();
        assertThat(holding.seen).extracting(IncomingRequest::correlationId).containsExactly("c0", "c1", "c2", "c3",
                "c4");
    }

    @Test
    void instancesShareTheLoad() throws Exception {
        Transport t = open();
        List<String> byA = new CopyOnWriteArrayList<>();
        List<String> byB = new CopyOnWriteArrayList<>();
        t.openServer("shared", settings(4), r -> {
            byA.add(r.correlationId());
            return CompletableFuture.completedFuture(HandlerOutcome.reply(r.body()));
        }).start();
        open().openServer("shared", settings(4), r -> {
            byB.add(r.correlationId());
            return CompletableFuture.completedFuture(HandlerOutcome.reply(r.body()));
        }).start();
        Replies replies = new Replies();
        ClientChannel client = t.openClient(new ClientSettings("c"), replies::on);
        for (int i = 0; i < 100; i++) {
            client.send("shared", request("{}", "c" + i)).get(1, TimeUnit.SECONDS);
        }
        assertThat(byA).isNotEmpty();
        assertThat(byB).isNotEmpty();
        assertThat(byA.size() + byB.size()).isEqualTo(100);
        assertThat(replies.correlationIds).hasSize(100).doesNotHaveDuplicates();
    }

    @Test
    void aServerAtItsInFlightLimitTakesNoMore() throws Exception {
        Transport t = open();
        Holding holding = new Holding();
        t.openServer("bounded", settings(3), holding::handle).start();
        ClientChannel client = t.openClient(new ClientSettings("c"), (id, body) -> { });
        for (int i = 0; i < 10; i++) {
            client.send("bounded", request("{}", "c" + i)).get(1, TimeUnit.SECONDS);
        }
        assertThat(holding.seen).hasSize(3);
        holding.pending.poll().complete(HandlerOutcome.none());
        assertThat(holding.seen).hasSize(4);
        CompletableFuture<HandlerOutcome> next;
        while ((next = holding.pending.poll()) != null) {
            assertThat(holding.pending.size()).isLessThan(3); // never more than 3 handed out
            next.complete(HandlerOutcome.none());
        }
        assertThat(holding.seen).hasSize(10);
        assertThat(holding.seen).extracting(IncomingRequest::correlationId).doesNotHaveDuplicates();
    }

    @Test
    void unfinishedRequestsOfAnInstanceClosedWithoutGraceGoToAnother() throws Exception {
        Transport t = open();
        Holding crashing = new Holding();
        ServerChannel a = t.openServer("crash", settings(10), crashing::handle);
        a.start();
        Replies replies = new Replies();
        ClientChannel client = t.openClient(new ClientSettings("c"), replies::on);
        client.send("crash", request("{}", "r1")).get(1, TimeUnit.SECONDS);
        client.send("crash", request("{}", "r2")).get(1, TimeUnit.SECONDS);
        assertThat(crashing.seen).hasSize(2);

        a.close(Duration.ZERO);
        crashing.replyAll("from-a"); // too late: the instance is gone, as if it had died
        assertThat(replies.bodies).isEmpty();

        Holding survivor = new Holding();
        open().openServer("crash", settings(10), survivor::handle).start();
        assertThat(survivor.seen).extracting(IncomingRequest::correlationId).containsExactly("r1", "r2");
        survivor.replyAll("from-b");
        assertThat(replies.bodies).containsExactly("from-b", "from-b");
        assertThat(replies.correlationIds).containsExactly("r1", "r2");
    }

    @Test
    void gracefulCloseFinishesInFlightWork() throws Exception {
        Transport t = open();
        Holding holding = new Holding();
        ServerChannel server = t.openServer("graceful", settings(10), holding::handle);
        server.start();
        Replies replies = new Replies();
        ClientChannel client = t.openClient(new ClientSettings("c"), replies::on);
        client.send("graceful", request("{}", "g1")).get(1, TimeUnit.SECONDS);
        Thread closer = new Thread(() -> server.close(Duration.ofSeconds(30)));
        closer.start();
        await().until(() -> closer.getState() == Thread.State.TIMED_WAITING);
        client.send("graceful", request("{}", "g2")).get(1, TimeUnit.SECONDS); // not taken: the instance is closing
        holding.replyAll("done");
        closer.join(10_000);
        assertThat(closer.isAlive()).isFalse();
        assertThat(replies.correlationIds).containsExactly("g1");
        assertThat(holding.seen).hasSize(1);
        Holding next = new Holding();
        open().openServer("graceful", settings(10), next::handle).start();
        assertThat(next.seen).extracting(IncomingRequest::correlationId).containsExactly("g2");
    }

    @Test
    void failingHandlerAcknowledgesWithoutReplyAndKeepsGoing() throws Exception {
        Transport t = open();
        List<String> seen = new CopyOnWriteArrayList<>();
        t.openServer("flaky", settings(1), r -> {
            seen.add(r.correlationId());
            if (seen.size() == 1) {
                throw new IllegalStateException("handler bug");
            }
            return CompletableFuture.failedFuture(new IllegalStateException("stage bug"));
        }).start();
        ClientChannel client = t.openClient(new ClientSettings("c"), (id, body) -> { });
        client.send("flaky", request("{}", "1")).get(1, TimeUnit.SECONDS);
        client.send("flaky", request("{}", "2")).get(1, TimeUnit.SECONDS);
        client.send("flaky", request("{}", "3")).get(1, TimeUnit.SECONDS);
        assertThat(seen).containsExactly("1", "2", "3");
    }

    @Test
    void closedChannelsAndTransports() throws Exception {
        Transport t = open();
        ClientChannel client = t.openClient(new ClientSettings("c"), (id, body) -> { });
        assertThatThrownBy(() -> t.openClient(new ClientSettings("c"), (id, body) -> { }))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("already connected");
        t.close();
        assertThat(client.send("svc", request("{}", "x"))).isCompletedExceptionally();
        assertThatThrownBy(() -> t.openClient(new ClientSettings("d"), (id, body) -> { }))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        // the id is free again once its channel closed
        open().openClient(new ClientSettings("c"), (id, body) -> { }).ready().get(1, TimeUnit.SECONDS);
    }

    @Test
    void oversizedMessageIsRefused() {
        Transport t = open();
        ClientChannel client = t.openClient(new ClientSettings("c"), (id, body) -> { });
        CompletableFuture<Void> sent = client.send("svc",
                new OutgoingRequest(new byte[16 * 1024 * 1024 + 1], "x", 0, null));
        assertThat(sent).failsWithin(Duration.ZERO).withThrowableThat().withMessageContaining("exceeds");
    }
}
