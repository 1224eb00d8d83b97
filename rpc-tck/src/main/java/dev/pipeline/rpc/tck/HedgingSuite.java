package dev.pipeline.rpc.tck;

import dev.pipeline.rpc.ErrorCodes;
import dev.pipeline.rpc.HedgePolicy;
import dev.pipeline.rpc.Idempotent;
import dev.pipeline.rpc.RpcClient;
import dev.pipeline.rpc.RpcException;
import dev.pipeline.rpc.RpcMetrics;
import dev.pipeline.rpc.RpcServer;
import dev.pipeline.rpc.spi.Capability;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hedging through the broker: a call to an {@link Idempotent} method that gets no reply within the hedge delay is
 * sent again, the transport delivers the hedge to a server that reads (Kafka: another partition), the first reply
 * completes the call and the other one is dropped and counted as late. Two server instances (one when the transport
 * does not share load) run {@code work(token)}, whose first execution of a token blocks until the test ends, as a
 * hung server would; later executions answer at once.
 *
 * <p>A transport module runs it with one class:
 * <pre>{@code
 * class KafkaHedgingTest extends HedgingSuite {
 *     @Override protected TransportFixture fixture() { return new KafkaTckFixture(); }
 * }
 * }</pre>
 */
public abstract class HedgingSuite extends TckBase {
    /** Timeout of the calls that a hedge must complete: far longer than the hedge delay. */
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(20);
    /** Timeout of the calls that are never hedged, so must time out. */
    private static final Duration SHORT = Duration.ofSeconds(3);
    private static final HedgePolicy POLICY = HedgePolicy.builder().maxHedges(1)
            .minDelay(Duration.ofMillis(50)).maxDelay(Duration.ofMillis(300)).build();

    /** The work method as a typed stub, every method idempotent. */
    @Idempotent
    public interface IdempotentWork {
        /**
         * Does the work of {@code token}; the test's servers hold some tokens so that only a hedge completes.
         *
         * @param token names the call, so that its executions are counted
         * @return the result, naming the server that ran it
         */
        String work(String token);

        /**
         * As {@link #work}, asynchronously.
         *
         * @param token names the call
         * @return completes with the result
         */
        CompletableFuture<String> workAsync(String token);
    }

    /** The same methods, only one of them declared idempotent. */
    public interface MixedWork {
        /**
         * Not declared idempotent: never hedged.
         *
         * @param token names the call
         * @return the result
         */
        String work(String token);

        /**
         * Declared idempotent: hedged when no reply comes in time.
         *
         * @param token names the call
         * @return the result
         */
        @Idempotent
        String idempotentWork(String token);
    }

    /** Two servers of one service sharing the executions of each token. */
    final class Servers {
        final String service = uniqueService("hedge");
        final Map<String, AtomicInteger> executions = new ConcurrentHashMap<>();
        final Map<String, AtomicInteger> byServer = new ConcurrentHashMap<>();
        final CountDownLatch release = new CountDownLatch(1);

        Servers() {
            int instances = caps.has(Capability.LOAD_SHARING) ? 2 : 1;
            List<RpcServer> servers = new ArrayList<>();
            for (int i = 0; i < instances; i++) {
                String name = "S" + i;
                RpcServer server = server();
                server.handle(service, "echo", params -> {
                    byServer.computeIfAbsent(name, k -> new AtomicInteger()).incrementAndGet();
                    return name;
                });
                for (String method : List.of("work", "workAsync", "idempotentWork")) {
                    server.handle(service, method, params -> work(name, params.get(0, String.class)));
                }
                servers.add(server);
            }
            // closed first (resources close last-in first-out): no handler blocks the servers' close
            track(release::countDown);
            servers.forEach(RpcServer::start);
        }

        private String work(String name, String token) throws InterruptedException {
            int n = executions.computeIfAbsent(token, k -> new AtomicInteger()).incrementAndGet();
            if (n == 1 || token.startsWith("hold-")) {
                release.await(fixture.callTimeout().toMillis() * 2, TimeUnit.MILLISECONDS);
            }
            return name + ":" + token;
        }

        int executions(String token) {
            AtomicInteger n = executions.get(token);
            return n == null ? 0 : n.get();
        }

        /** Calls {@code echo} until every instance answered, so that each owns its share of the destination. */
        void warmUp(RpcClient client) {
            int instances = caps.has(Capability.LOAD_SHARING) ? 2 : 1;
            org.awaitility.Awaitility.await().atMost(fixture.redeliveryTimeout().plus(fixture.callTimeout()))
                    .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10)).until(() -> {
                        List<CompletableFuture<String>> calls = new ArrayList<>();
                        for (int i = 0; i < 40; i++) {
                            calls.add(client.callAsync(service, "echo", String.class));
                        }
                        calls.forEach(c -> get(c));
                        return byServer.size() >= instances;
                    });
        }
    }

    /** Counts hedges, late replies and completed calls. */
    static final class HedgeMetrics implements RpcMetrics {
        final AtomicLong hedgesSent = new AtomicLong();
        final AtomicLong hedgesWon = new AtomicLong();
        final AtomicLong lateReplies = new AtomicLong();
        final Map<String, AtomicLong> completions = new ConcurrentHashMap<>();

        @Override
        public void clientCall(String service, String method, String transport, String outcome, long nanos) {
            completions.computeIfAbsent(method, k -> new AtomicLong()).incrementAndGet();
        }

        @Override
        public void hedgeSent(String service, String method, String transport) {
            hedgesSent.incrementAndGet();
        }

        @Override
        public void hedgeWon(String service, String method, String transport) {
            hedgesWon.incrementAndGet();
        }

        @Override
        public void lateReply(String transport) {
            lateReplies.incrementAndGet();
        }

        long completions(String method) {
            AtomicLong n = completions.get(method);
            return n == null ? 0 : n.get();
        }
    }

    /**
     * Checks: a call to an {@code @Idempotent} method that a server holds completes through a hedge, before its
     * timeout.
     */
    @Test
    @DisplayName("a call to an @Idempotent method that a server holds completes through a hedge, before its timeout")
    public void idempotentCallCompletesThroughAHedge() {
        Servers servers = new Servers();
        HedgeMetrics metrics = new HedgeMetrics();
        RpcClient client = client(b -> b.defaultTimeout(CALL_TIMEOUT).hedging(POLICY).metrics(metrics));
        servers.warmUp(client);
        IdempotentWork work = client.proxy(IdempotentWork.class, servers.service);
        MixedWork mixed = client.proxy(MixedWork.class, servers.service);

        String blocking = UUID.randomUUID().toString();
        String async = UUID.randomUUID().toString();
        String untyped = UUID.randomUUID().toString();
        String annotatedMethod = UUID.randomUUID().toString();
        CompletableFuture<String> asyncCall = work.workAsync(async);
        CompletableFuture<String> untypedCall = client.idempotent().callAsync(servers.service, "work", String.class,
                untyped);
        assertThat(work.work(blocking)).as("a blocking call through the proxy").endsWith(":" + blocking);
        assertThat(mixed.idempotentWork(annotatedMethod)).as("a method annotated on a plain interface")
                .endsWith(":" + annotatedMethod);
        assertThat(get(asyncCall, CALL_TIMEOUT)).endsWith(":" + async);
        assertThat(get(untypedCall, CALL_TIMEOUT)).as("an untyped call through idempotent()")
                .endsWith(":" + untyped);

        for (String token : List.of(blocking, async, untyped, annotatedMethod)) {
            assertThat(servers.executions(token)).as("executions of %s: the held first attempt and the hedge", token)
                    .isEqualTo(2);
        }
        assertThat(metrics.hedgesSent).as("hedges sent").hasValue(4);
        assertThat(metrics.hedgesWon).as("calls completed by their hedge").hasValue(4);
        assertThat(metrics.completions("work") + metrics.completions("workAsync")
                + metrics.completions("idempotentWork")).as("each call completed exactly once").isEqualTo(4);

        // a blocking call leaves the client with nothing of its own pending: the held attempts' replies must still
        // be read (and counted) without any further call
        assertThat(client.call(servers.service, "echo", String.class)).startsWith("S");
        servers.release.countDown(); // the held first attempts answer now: late, dropped and counted
        await().atMost(Duration.ofSeconds(30))
                // at least the four held replies; a warm-up call redelivered after a group round adds its own
                .untilAsserted(() -> assertThat(metrics.lateReplies.get()).as("late replies")
                        .isGreaterThanOrEqualTo(4));
        assertThat(metrics.completions("work") + metrics.completions("workAsync")
                + metrics.completions("idempotentWork")).as("still once each").isEqualTo(4);
    }

    /** Checks: calls and notifications not declared idempotent are never hedged. */
    @Test
    @DisplayName("calls and notifications not declared idempotent are never hedged")
    public void callsNotDeclaredIdempotentAreNeverHedged() {
        Servers servers = new Servers();
        HedgeMetrics metrics = new HedgeMetrics();
        RpcClient client = client(b -> b.defaultTimeout(SHORT).hedging(POLICY).metrics(metrics));
        servers.warmUp(client);
        MixedWork mixed = client.proxy(MixedWork.class, servers.service);

        String untyped = UUID.randomUUID().toString();
        String proxied = UUID.randomUUID().toString();
        String notified = UUID.randomUUID().toString();
        CompletableFuture<String> untypedCall = client.callAsync(servers.service, "work", String.class, untyped);
        CompletableFuture<String> proxiedCall = CompletableFuture.supplyAsync(() -> mixed.work(proxied));
        client.idempotent().notify(servers.service, "work", notified);

        assertThat(failure(untypedCall, SHORT).code()).as("held by the server: times out").isEqualTo(ErrorCodes.TIMEOUT);
        RpcException proxiedError = (RpcException) org.assertj.core.api.Assertions.catchThrowable(
                () -> get(proxiedCall, SHORT));
        assertThat(proxiedError.code()).as("a method without @Idempotent: times out").isEqualTo(ErrorCodes.TIMEOUT);
        await().until(() -> servers.executions(notified) == 1);
        assertThat(servers.executions(untyped)).as("executions of the untyped call").isEqualTo(1);
        assertThat(servers.executions(proxied)).as("executions of the proxied call").isEqualTo(1);
        assertThat(servers.executions(notified)).as("executions of the notification").isEqualTo(1);
        assertThat(metrics.hedgesSent).as("hedges sent").hasValue(0);
        assertThat(metrics.completions("work")).as("each call completed exactly once").isEqualTo(2);
    }

    /** Checks: with hedging disabled, an idempotent call is sent once. */
    @Test
    @DisplayName("with hedging disabled, an idempotent call is sent once")
    public void hedgingDisabled() {
        Servers servers = new Servers();
        HedgeMetrics metrics = new HedgeMetrics();
        RpcClient client = client(b -> b.defaultTimeout(SHORT).hedging(HedgePolicy.disabled()).metrics(metrics));
        servers.warmUp(client);
        String token = UUID.randomUUID().toString();
        CompletableFuture<String> call = client.proxy(IdempotentWork.class, servers.service).workAsync(token);
        assertThat(failure(call, SHORT).code()).isEqualTo(ErrorCodes.TIMEOUT);
        assertThat(servers.executions(token)).isEqualTo(1);
        assertThat(metrics.hedgesSent).hasValue(0);
    }

    /** Checks: closing a client with hedged calls pending fails each of them once, and sends no more hedges. */
    @Test
    @DisplayName("closing a client with hedged calls pending fails each of them once, and sends no more hedges")
    public void closeWithHedgedCallsPending() {
        Servers servers = new Servers();
        HedgeMetrics metrics = new HedgeMetrics();
        RpcClient client = client(b -> b.defaultTimeout(CALL_TIMEOUT).hedging(HedgePolicy.builder().maxHedges(3)
                .minDelay(Duration.ofMillis(100)).maxDelay(Duration.ofMillis(100)).build()).metrics(metrics));
        servers.warmUp(client);
        // every execution of a "hold-" token holds: the calls stay pending however many hedges go out
        List<CompletableFuture<String>> calls = new ArrayList<>();
        IdempotentWork work = client.proxy(IdempotentWork.class, servers.service);
        for (int i = 0; i < 3; i++) {
            calls.add(work.workAsync("hold-" + UUID.randomUUID()));
        }
        await().until(() -> metrics.hedgesSent.get() >= 3);
        client.close();
        for (CompletableFuture<String> call : calls) {
            assertThat(failure(call, SHORT).code()).isEqualTo(ErrorCodes.CLIENT_CLOSED);
        }
        long sent = metrics.hedgesSent.get();
        assertThat(sent).as("at most 3 hedges per call").isLessThanOrEqualTo(9);
        assertThat(metrics.completions("workAsync")).as("each call completed exactly once").isEqualTo(3);
        await().pollDelay(Duration.ofMillis(500)).until(() -> true);
        assertThat(metrics.hedgesSent).as("no hedge after close").hasValue(sent);
    }
}
