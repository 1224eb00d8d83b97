package dev.pipeline.rpc.redis;

import dev.pipeline.rpc.spi.Capability;
import dev.pipeline.rpc.spi.ClientChannel;
import dev.pipeline.rpc.spi.HandlerOutcome;
import dev.pipeline.rpc.spi.IncomingRequest;
import dev.pipeline.rpc.spi.ServerChannel;
import dev.pipeline.rpc.spi.Transport;
import dev.pipeline.rpc.spi.WireHeaders;
import io.lettuce.core.Consumer;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XReadArgs;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The transport at SPI level against a real Redis: an echo handler and a map of received replies. */
class RedisTransportSpiTest extends RedisTestSupport {

    @Test
    void declaresItsCapabilities() {
        Transport t = transport(FAST);
        assertThat(t.scheme()).isEqualTo("redis");
        assertThat(t.capabilities().features()).containsExactlyInAnyOrder(Capability.PERSISTENT,
                Capability.REDELIVERY_AFTER_CRASH, Capability.DEAD_LETTER, Capability.LOAD_SHARING);
        assertThat(t.capabilities().maxMessageBytes()).isEqualTo(FAST.maxMessageBytes());
    }

    @Test
    void firstRequestAfterReadyIsAnsweredWithMetadata() throws Exception {
        String service = uniqueService();
        Transport t = transport(FAST);
        List<IncomingRequest> seen = new CopyOnWriteArrayList<>();
        server(t, service, 16, r -> {
            seen.add(r);
            return echo("re:").handle(r);
        });
        Map<String, String> replies = replies();
        ClientChannel client = client(t, replies);
        client.ready().get(10, TimeUnit.SECONDS);
        long deadline = System.currentTimeMillis() + 60_000;
        client.send(service, new dev.pipeline.rpc.spi.OutgoingRequest("{\"x\":\"é\"}".getBytes(StandardCharsets.UTF_8),
                "id-1", deadline, "00-trace-01")).get(10, TimeUnit.SECONDS);

        await().atMost(Duration.ofSeconds(20)).until(() -> replies.containsKey("id-1"));
        assertThat(replies).containsEntry("id-1", "re:{\"x\":\"é\"}");
        IncomingRequest r = seen.get(0);
        assertThat(r.correlationId()).isEqualTo("id-1");
        assertThat(r.deadlineEpochMillis()).isEqualTo(deadline);
        assertThat(r.traceparent()).isEqualTo("00-trace-01");
        assertThat(r.clientId()).startsWith("c-");
        assertThat(r.replyTo()).isEqualTo("rpc:reply:" + r.clientId());
        // acknowledged after the reply; the reply stream carries an expiry
        await().atMost(Duration.ofSeconds(10)).until(() -> redis().xpending("rpc:" + service, "rpc:" + service)
                .getCount() == 0);
        assertThat(redis().pttl(r.replyTo())).isPositive();
    }

    @Test
    void notificationsCarryNoReplyAddressAndGetNoReply() throws Exception {
        String service = uniqueService();
        Transport t = transport(FAST);
        List<IncomingRequest> seen = new CopyOnWriteArrayList<>();
        server(t, service, 16, r -> {
            seen.add(r);
            return CompletableFuture.completedFuture(HandlerOutcome.reply("should not be sent".getBytes()));
        });
        Map<String, String> replies = replies();
        ClientChannel client = client(t, replies);
        client.ready().get(10, TimeUnit.SECONDS);
        client.send(service, notification("{\"n\":1}")).get(10, TimeUnit.SECONDS);
        client.send(service, request("after", "{}")).get(10, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(20)).until(() -> replies.containsKey("after"));
        assertThat(seen).hasSize(2);
        IncomingRequest n = seen.stream().filter(r -> r.correlationId() == null).findFirst().orElseThrow();
        assertThat(n.replyTo()).isNull();
        assertThat(replies).containsOnlyKeys("after");
    }

    @Test
    void repliesReachOnlyTheirOwnClient() throws Exception {
        String service = uniqueService();
        Transport serverSide = transport(FAST);
        server(serverSide, service, 64, echo(""));
        Transport clientSide = transport(FAST);
        List<Map<String, String>> received = new ArrayList<>();
        List<ClientChannel> clients = new ArrayList<>();
        for (int c = 0; c < 3; c++) {
            Map<String, String> replies = replies();
            received.add(replies);
            ClientChannel ch = client(clientSide, replies);
            ch.ready().get(10, TimeUnit.SECONDS);
            clients.add(ch);
        }
        List<CompletableFuture<Void>> sends = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            for (int c = 0; c < clients.size(); c++) {
                sends.add(clients.get(c).send(service, request("c" + c + "-" + i, "c" + c + "-" + i)));
            }
        }
        CompletableFuture.allOf(sends.toArray(new CompletableFuture<?>[0])).get(20, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(30)).until(() -> received.stream().allMatch(m -> m.size() >= 100));
        for (int c = 0; c < clients.size(); c++) {
            Map<String, String> m = received.get(c);
            assertThat(m).hasSize(100);
            String prefix = "c" + c + "-";
            assertThat(m).allSatisfy((id, body) -> {
                assertThat(id).startsWith(prefix);
                assertThat(body).isEqualTo(id);
            });
        }
    }

    @Test
    void twoServerChannelsShareTheLoad() throws Exception {
        String service = uniqueService();
        AtomicInteger a = new AtomicInteger();
        AtomicInteger b = new AtomicInteger();
        // each server in its own transport, as two processes would be; slow handlers so neither drains it all
        server(transport(FAST), service, 4, r -> {
            a.incrementAndGet();
            return CompletableFuture.supplyAsync(() -> HandlerOutcome.reply(r.body()),
                    CompletableFuture.delayedExecutor(5, TimeUnit.MILLISECONDS));
        });
        server(transport(FAST), service, 4, r -> {
            b.incrementAndGet();
            return CompletableFuture.supplyAsync(() -> HandlerOutcome.reply(r.body()),
                    CompletableFuture.delayedExecutor(5, TimeUnit.MILLISECONDS));
        });
        Map<String, String> replies = replies();
        ClientChannel client = client(transport(FAST), replies);
        client.ready().get(10, TimeUnit.SECONDS);
        for (int i = 0; i < 200; i++) {
            client.send(service, request("r" + i, "x")).get(10, TimeUnit.SECONDS);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> replies.size() == 200);
        assertThat(a.get() + b.get()).isEqualTo(200);
        assertThat(a.get()).isPositive();
        assertThat(b.get()).isPositive();
    }

    @Test
    void requestOfAKilledServerIsClaimedAndAnsweredByAnother() throws Exception {
        String service = uniqueService();
        CompletableFuture<IncomingRequest> taken = new CompletableFuture<>();
        ServerChannel dying = server(transport(FAST), service, 8, r -> {
            taken.complete(r);
            return new CompletableFuture<>(); // never completes: the server "dies" mid-request
        });
        Map<String, String> replies = replies();
        ClientChannel client = client(transport(FAST), replies);
        client.ready().get(10, TimeUnit.SECONDS);
        client.send(service, request("orphan", "hello")).get(10, TimeUnit.SECONDS);
        taken.get(20, TimeUnit.SECONDS);
        dying.close(Duration.ZERO);

        List<String> answeredBy = new CopyOnWriteArrayList<>();
        server(transport(FAST), service, 8, r -> {
            answeredBy.add(new String(r.body(), StandardCharsets.UTF_8));
            return echo("survivor:").handle(r);
        });
        await().atMost(Duration.ofSeconds(30)).until(() -> replies.containsKey("orphan"));
        assertThat(replies).containsEntry("orphan", "survivor:hello");
        assertThat(answeredBy).containsExactly("hello");
        await().atMost(Duration.ofSeconds(10)).until(() -> redis().xpending("rpc:" + service, "rpc:" + service)
                .getCount() == 0);
    }

    @Test
    void claimingABacklogOfLargeEntriesKeepsToTheByteBudget() throws Exception {
        String service = uniqueService();
        String stream = "rpc:" + service;
        int big = 1 << 20;
        int entries = 12;
        long budget = 4L << 20;
        // a dead consumer left a backlog of 1 MiB entries pending
        redis().xgroupCreate(XReadArgs.StreamOffset.from(stream, "0-0"), stream,
                io.lettuce.core.XGroupCreateArgs.Builder.mkstream());
        String blob = "x".repeat(big);
        for (int i = 0; i < entries; i++) {
            redis().xadd(stream, Map.of(WireHeaders.RPC_ID, "big-" + i, WireHeaders.BODY, blob));
        }
        redis().xreadgroup(Consumer.from(stream, "dead-one"), XReadArgs.Builder.count(entries),
                XReadArgs.StreamOffset.lastConsumed(stream));

        java.util.concurrent.atomic.AtomicLong held = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicLong maxHeld = new java.util.concurrent.atomic.AtomicLong();
        AtomicInteger bigDone = new AtomicInteger();
        RedisTransportConfig config = FAST.toBuilder().claimIdle(Duration.ofSeconds(6))
                .consumerIdleTimeout(Duration.ofSeconds(30)).build();
        ServerChannel s = transport(config).openServer(service,
                new dev.pipeline.rpc.spi.ServerSettings(64, Duration.ofSeconds(5), budget), r -> {
                    if (r.body().length < big) {
                        return echo("").handle(r);
                    }
                    maxHeld.accumulateAndGet(held.addAndGet(r.body().length), Math::max);
                    return CompletableFuture.supplyAsync(() -> {
                        held.addAndGet(-r.body().length);
                        bigDone.incrementAndGet();
                        return HandlerOutcome.none();
                    }, CompletableFuture.delayedExecutor(300, TimeUnit.MILLISECONDS));
                });
        s.start();
        // small requests first, before the backlog is idle long enough to be claimed: the reads learn that the live
        // traffic is small, so a read would ask for many entries at once
        Map<String, String> replies = replies();
        ClientChannel client = client(transport(config), replies);
        client.ready().get(10, TimeUnit.SECONDS);
        for (int i = 0; i < 30; i++) {
            String id = "small-" + i;
            client.send(service, request(id, "s")).get(10, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(10)).until(() -> replies.containsKey(id));
        }

        await().atMost(Duration.ofSeconds(60)).until(() -> bigDone.get() == entries);
        await().atMost(Duration.ofSeconds(10)).until(() -> redis().xpending(stream, stream).getCount() == 0);
        System.out.printf("claiming %d entries of %d bytes under a budget of %d bytes: at most %d bytes held%n",
                entries, big, budget, maxHeld.get());
        // the budget, plus the one entry a claim may take beyond it when the room left is smaller than an entry
        assertThat(maxHeld.get()).as("bytes of claimed entries held at once").isLessThanOrEqualTo(budget + big);
    }

    @Test
    void slowHandlerKeepsItsEntryAndIsNotClaimedTwice() throws Exception {
        String service = uniqueService();
        AtomicInteger handled = new AtomicInteger();
        RedisTransportConfig quick = FAST.toBuilder().claimIdle(Duration.ofMillis(1000)).build();
        for (int s = 0; s < 2; s++) {
            server(transport(quick), service, 8, r -> {
                handled.incrementAndGet();
                // three claim periods: without refreshed idle times the other server would claim it
                return CompletableFuture.supplyAsync(() -> HandlerOutcome.reply(r.body()),
                        CompletableFuture.delayedExecutor(3000, TimeUnit.MILLISECONDS));
            });
        }
        Map<String, String> replies = replies();
        ClientChannel client = client(transport(quick), replies);
        client.ready().get(10, TimeUnit.SECONDS);
        client.send(service, request("slow", "s")).get(10, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(20)).until(() -> replies.containsKey("slow"));
        await().atMost(Duration.ofSeconds(10)).until(() -> redis().xpending("rpc:" + service, "rpc:" + service)
                .getCount() == 0);
        assertThat(handled.get()).isEqualTo(1);
    }

    @Test
    void requestDeliveredTooOftenGoesToTheDeadLetterStream() throws Exception {
        String service = uniqueService();
        AtomicInteger attempts = new AtomicInteger();
        RedisTransportConfig limited = FAST.toBuilder().claimIdle(Duration.ofMillis(200)).maxDeliveries(3).build();
        server(transport(limited), service, 8, r -> {
            attempts.incrementAndGet();
            // a handler that breaks its contract: the entry stays pending and is delivered again
            return CompletableFuture.failedFuture(new IllegalStateException("boom"));
        });
        ClientChannel client = client(transport(limited), replies());
        client.ready().get(10, TimeUnit.SECONDS);
        client.send(service, request("poison", "{\"bad\":true}")).get(10, TimeUnit.SECONDS);

        String dlq = "rpc:" + service + ":dlq";
        await().atMost(Duration.ofSeconds(30)).until(() -> redis().xlen(dlq) == 1);
        StreamMessage<String, String> dead = redis().xrange(dlq, io.lettuce.core.Range.create("-", "+")).get(0);
        assertThat(dead.getBody()).containsEntry(WireHeaders.BODY, "{\"bad\":true}")
                .containsEntry(WireHeaders.RPC_ID, "poison");
        assertThat(dead.getBody().get(WireHeaders.DLQ_REASON)).contains("3 deliveries");
        assertThat(attempts.get()).isEqualTo(3);
        await().atMost(Duration.ofSeconds(10)).until(() -> redis().xpending("rpc:" + service, "rpc:" + service)
                .getCount() == 0);
    }

    @Test
    void deadLetterReasonCopiesTheMessageAndTheReplyIsStillSent() throws Exception {
        String service = uniqueService();
        Transport t = transport(FAST);
        server(t, service, 8, r -> CompletableFuture.completedFuture(new HandlerOutcome(
                "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32700,\"message\":\"Parse error\"},\"id\":null}"
                        .getBytes(StandardCharsets.UTF_8), "parse error: unexpected end")));
        Map<String, String> replies = replies();
        ClientChannel client = client(t, replies);
        client.ready().get(10, TimeUnit.SECONDS);
        client.send(service, request("p1", "{not json")).get(10, TimeUnit.SECONDS);

        await().atMost(Duration.ofSeconds(20)).until(() -> replies.containsKey("p1"));
        assertThat(replies.get("p1")).contains("-32700");
        String dlq = "rpc:" + service + ":dlq";
        await().atMost(Duration.ofSeconds(10)).until(() -> redis().xlen(dlq) == 1);
        Map<String, String> dead = redis().xrange(dlq, io.lettuce.core.Range.create("-", "+")).get(0).getBody();
        assertThat(dead).containsEntry(WireHeaders.BODY, "{not json")
                .containsEntry(WireHeaders.DLQ_REASON, "parse error: unexpected end");
        assertThat(redis().xpending("rpc:" + service, "rpc:" + service).getCount()).isZero();
    }

    @Test
    void serverStopsReadingAtMaxInFlightAndResumesAsWorkCompletes() throws Exception {
        String service = uniqueService();
        AtomicInteger running = new AtomicInteger();
        AtomicInteger maxRunning = new AtomicInteger();
        List<CompletableFuture<HandlerOutcome>> held = new CopyOnWriteArrayList<>();
        server(transport(FAST), service, 4, r -> {
            maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
            CompletableFuture<HandlerOutcome> f = new CompletableFuture<>();
            held.add(f);
            byte[] body = r.body();
            return f.thenApply(x -> {
                running.decrementAndGet();
                return HandlerOutcome.reply(body);
            });
        });
        Map<String, String> replies = replies();
        ClientChannel client = client(transport(FAST), replies);
        client.ready().get(10, TimeUnit.SECONDS);
        for (int i = 0; i < 20; i++) {
            client.send(service, request("q" + i, "q" + i)).get(10, TimeUnit.SECONDS);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> held.size() == 4);
        // the other 16 stay in Redis, not delivered to this consumer
        await().atMost(Duration.ofSeconds(10)).until(() -> redis().xpending("rpc:" + service, "rpc:" + service)
                .getCount() == 4);
        assertThat(held).hasSize(4);
        int released = 0;
        while (released < 20) {
            int before = released;
            await().atMost(Duration.ofSeconds(20)).until(() -> held.size() > before);
            for (; released < held.size(); released++) {
                held.get(released).complete(null);
            }
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> replies.size() == 20);
        assertThat(maxRunning.get()).isLessThanOrEqualTo(4);
        assertThat(replies).hasSize(20);
    }

    @Test
    void requestsSentBeforeAnyServerExistsAreServedWhenOneStarts() throws Exception {
        String service = uniqueService();
        Map<String, String> replies = replies();
        ClientChannel client = client(transport(FAST), replies);
        client.ready().get(10, TimeUnit.SECONDS);
        for (int i = 0; i < 5; i++) {
            client.send(service, request("early" + i, "e" + i)).get(10, TimeUnit.SECONDS);
        }
        server(transport(FAST), service, 8, echo(""));
        await().atMost(Duration.ofSeconds(20)).until(() -> replies.size() == 5);
    }

    @Test
    void requestStreamsAreTrimmedAndCapped() throws Exception {
        String service = uniqueService();
        Transport t = transport(FAST);
        server(t, service, 64, echo(""));
        Map<String, String> replies = replies();
        ClientChannel client = client(t, replies);
        client.ready().get(10, TimeUnit.SECONDS);
        List<CompletableFuture<Void>> sends = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            sends.add(client.send(service, request("t" + i, "t")));
        }
        CompletableFuture.allOf(sends.toArray(new CompletableFuture<?>[0])).get(20, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(30)).until(() -> replies.size() == 1000);
        // MINID ~ below the oldest entry still needed: whole nodes of acknowledged entries go
        await().atMost(Duration.ofSeconds(20)).until(() -> redis().xlen("rpc:" + service) < 200);

        // no server: XADD MAXLEN ~ caps the stream
        String unserved = uniqueService();
        Transport capped = transport(FAST.toBuilder().streamMaxLen(100).build());
        ClientChannel c2 = client(capped, replies());
        List<CompletableFuture<Void>> more = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            more.add(c2.send(unserved, notification("n")));
        }
        CompletableFuture.allOf(more.toArray(new CompletableFuture<?>[0])).get(20, TimeUnit.SECONDS);
        assertThat(redis().xlen("rpc:" + unserved)).isLessThan(300);
        redis().del("rpc:" + unserved);
    }

    @Test
    @SuppressWarnings("unchecked")
    void deadConsumersAreRemovedFromTheGroup() throws Exception {
        String service = uniqueService();
        String stream = "rpc:" + service;
        // a consumer that read once and vanished (a crashed server with nothing pending)
        redis().xgroupCreate(XReadArgs.StreamOffset.from(stream, "0-0"), stream,
                io.lettuce.core.XGroupCreateArgs.Builder.mkstream());
        redis().xadd(stream, Map.of(WireHeaders.BODY, "{}"));
        List<StreamMessage<String, String>> got = redis().xreadgroup(Consumer.from(stream, "ghost"),
                XReadArgs.Builder.count(1), XReadArgs.StreamOffset.lastConsumed(stream));
        redis().xack(stream, stream, got.get(0).getId());
        assertThat(consumerNames(stream)).containsExactly("ghost");
        ServerChannel server = server(transport(FAST), service, 8, echo(""));
        await().atMost(Duration.ofSeconds(30)).until(() -> !consumerNames(stream).contains("ghost"));
        // a cleanly closed server removes itself
        server.close();
        assertThat(consumerNames(stream)).isEmpty();
    }

    @Test
    void closedClientFailsSendsAndDeletesItsReplyStream() throws Exception {
        String service = uniqueService();
        Transport t = transport(FAST);
        List<String> replyTo = new CopyOnWriteArrayList<>();
        server(t, service, 8, r -> {
            replyTo.add(r.replyTo());
            return echo("").handle(r);
        });
        Map<String, String> replies = replies();
        ClientChannel client = client(t, replies);
        client.ready().get(10, TimeUnit.SECONDS);
        client.send(service, request("one", "1")).get(10, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(20)).until(() -> replies.containsKey("one"));
        assertThat(redis().exists(replyTo.get(0))).isEqualTo(1);
        client.close();
        client.close(); // idempotent
        assertThatThrownBy(() -> client.send(service, request("two", "2")).get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).hasMessageContaining("closed");
        assertThat(redis().exists(replyTo.get(0))).isZero();
    }

    @Test
    void oversizedMessageIsRefusedWithAClearError() {
        Transport t = transport(FAST.toBuilder().maxMessageBytes(1024).build());
        ClientChannel client = client(t, replies());
        assertThatThrownBy(() -> client.send("any", request("big", "x".repeat(2000))).get(5, TimeUnit.SECONDS))
                .hasCauseInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("2000 bytes exceeds the Redis transport limit of 1024");
    }

    @Test
    void unreachableRedisGivesOneLineErrorsAndAClientCanStillBeCreated() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        RedisTransportConfig quick = FAST.toBuilder().connectTimeout(Duration.ofMillis(500)).build();
        Transport t = transport(java.net.URI.create("redis://127.0.0.1:" + port), quick);
        ClientChannel client = client(t, replies()); // no broker: creating the client works
        assertThat(client.ready()).isNotDone();
        assertThatThrownBy(() -> client.send("svc", request("x", "{}")).get(10, TimeUnit.SECONDS))
                .hasMessageContaining("cannot reach Redis at redis://127.0.0.1:" + port + ": connection refused");
        assertThatThrownBy(() -> server(t, "svc", 1, echo("")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cannot start the server for service 'svc'")
                .hasMessageContaining("127.0.0.1:" + port);
        client.close();
        assertThat(client.ready()).isCompletedExceptionally();
    }

    private List<String> consumerNames(String stream) {
        List<String> names = new ArrayList<>();
        for (Object o : redis().xinfoConsumers(stream, stream)) {
            List<?> info = (List<?>) o;
            for (int i = 0; i + 1 < info.size(); i += 2) {
                if ("name".equals(String.valueOf(info.get(i)))) {
                    names.add(String.valueOf(info.get(i + 1)));
                }
            }
        }
        return names;
    }
}
