package dev.pipeline.rpc;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.reflect.TypeToken;
import dev.pipeline.rpc.json.JsonInput;
import dev.pipeline.rpc.spi.IncomingRequest;
import dev.pipeline.rpc.spi.ServerChannel;
import dev.pipeline.rpc.spi.ServerSettings;
import dev.pipeline.rpc.spi.Transport;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The client against a {@link TestService} behind a real {@code inproc:} broker. */
class DefaultRpcClientTest {
    private String uri;
    private Transport serverTransport;
    private TestService service;
    private ServerChannel serverChannel;
    private SimpleMeterRegistry registry;
    private final List<RpcClient> clients = new ArrayList<>();

    @BeforeEach
    void setUp() {
        uri = "inproc:client-test-" + UUID.randomUUID();
        serverTransport = Transports.open(uri, Map.of());
        service = new TestService();
        serverChannel = serverTransport.openServer("calc", new ServerSettings(1000, Duration.ofSeconds(5)), service);
        serverChannel.start();
        registry = new SimpleMeterRegistry();
    }

    @AfterEach
    void tearDown() {
        clients.forEach(RpcClient::close);
        service.releaseHeld();
        serverTransport.close();
    }

    private RpcClient client() {
        return client(ClientConfig.builder());
    }

    private RpcClient client(ClientConfig.Builder config) {
        RpcClient c = Rpc.client(uri, config.metrics(new MicrometerRpcMetrics(registry)).build());
        clients.add(c);
        return c;
    }

    private double timer(String outcome) {
        var t = registry.find(MicrometerRpcMetrics.CLIENT_CALLS).tag("outcome", outcome).timers();
        return t.stream().mapToLong(x -> x.count()).sum();
    }

    private double counter(String name) {
        var c = registry.find(name).counters();
        return c.stream().mapToDouble(x -> x.count()).sum();
    }

    // ------------------------------------------------------------------ calls

    @Test
    void syncCallByPosition() {
        RpcClient client = client();
        int sum = client.call("calc", "add", int.class, 1, 2);
        assertThat(sum).isEqualTo(3);
        assertThat(((DefaultRpcClient) client).pendingCount()).isZero();
    }

    @Test
    void bigNumbersRoundTripExactly() {
        RpcClient client = client();
        BigInteger big = new BigInteger("12345678901234567890");
        BigInteger back = client.call("calc", "echo", BigInteger.class, big);
        assertThat(back).isEqualTo(big);
        long odd = 9007199254740993L;
        long back2 = client.call("calc", "echo", long.class, odd);
        assertThat(back2).isEqualTo(odd);
        String unicode = "a\u0000b\uD83D\uDE00c";
        assertThat(client.call("calc", "echo", String.class, unicode)).isEqualTo(unicode);
    }

    @Test
    void genericResultType() {
        RpcClient client = client();
        List<Integer> list = client.call("calc", "echo", new TypeToken<List<Integer>>() { }.getType(), List.of(1, 2));
        assertThat(list).containsExactly(1, 2);
    }

    @Test
    void asyncCall() throws Exception {
        RpcClient client = client();
        CompletableFuture<Integer> f = client.callAsync("calc", "add", Integer.class, 40, 2);
        assertThat(f.get(10, TimeUnit.SECONDS)).isEqualTo(42);
    }

    @Test
    void namedCalls() throws Exception {
        RpcClient client = client();
        int sum = client.callNamed("calc", "add", int.class, Map.of("a", 1, "b", 2));
        assertThat(sum).isEqualTo(3);
        CompletableFuture<Long> f = client.callNamedAsync("calc", "add", Long.class, Map.of("a", 5, "b", 6));
        assertThat(f.get(10, TimeUnit.SECONDS)).isEqualTo(11L);
        JsonObject sent = JsonInput.parse(service.received.get(0).body(), Limits.DEFAULT).getAsJsonObject();
        assertThat(sent.get("params").isJsonObject()).isTrue();
    }

    @Test
    void errorReplyBecomesRpcExceptionWithCodeMessageAndData() {
        RpcClient client = client();
        assertThatThrownBy(() -> client.call("calc", "fail", int.class))
                .isInstanceOfSatisfying(RpcException.class, e -> {
                    assertThat(e.code()).isEqualTo(-32050);
                    assertThat(e.getMessage()).isEqualTo("boom");
                    assertThat(e.data().getAsJsonObject().get("why").getAsString()).isEqualTo("test");
                });
        assertThatThrownBy(() -> client.call("calc", "nope", int.class))
                .isInstanceOfSatisfying(RpcException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCodes.METHOD_NOT_FOUND));
        assertThat(timer(RpcMetrics.ERROR)).isEqualTo(2);
    }

    @Test
    void requestCarriesWireMetadata() throws Exception {
        RpcClient client = client(ClientConfig.builder().clientId("client-meta"));
        long before = System.currentTimeMillis();
        client.withTimeout(Duration.ofSeconds(60)).call("calc", "add", int.class, 1, 1);
        IncomingRequest r = service.received.get(0);
        assertThat(r.correlationId()).isNotNull();
        assertThat(r.replyTo()).isEqualTo("client-meta");
        assertThat(r.clientId()).isEqualTo("client-meta");
        assertThat(r.deadlineEpochMillis()).isGreaterThanOrEqualTo(before + 60_000);
        JsonObject body = JsonInput.parse(r.body(), Limits.DEFAULT).getAsJsonObject();
        assertThat(body.get("jsonrpc").getAsString()).isEqualTo("2.0");
        assertThat(body.get("id").getAsJsonPrimitive().isNumber()).isTrue();
    }

    @Test
    void malformedRepliesFailTheCallWithAClearError() {
        RpcClient client = client();
        assertThatThrownBy(() -> client.call("calc", "garbage", int.class))
                .isInstanceOfSatisfying(RpcException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCodes.INTERNAL_ERROR);
                    assertThat(e.getMessage()).contains("unreadable reply from calc.garbage");
                });
        assertThatThrownBy(() -> client.call("calc", "wrongShape", int.class))
                .isInstanceOfSatisfying(RpcException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCodes.INTERNAL_ERROR);
                    assertThat(e.getMessage()).contains("exactly one of \"result\" and \"error\"");
                });
        assertThatThrownBy(() -> client.call("calc", "wrongId", int.class))
                .isInstanceOfSatisfying(RpcException.class, e -> assertThat(e.getMessage()).contains("has id -1"));
        assertThatThrownBy(() -> client.call("calc", "echo", int.class, "not a number"))
                .isInstanceOfSatisfying(RpcException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCodes.INTERNAL_ERROR);
                    assertThat(e.getMessage()).contains("calc.echo").contains("int").doesNotContain("\n");
                });
        assertThat(((DefaultRpcClient) client).pendingCount()).isZero();
    }

    // ------------------------------------------------------------------ notifications and batches

    @Test
    void notificationIsNeverAnswered() throws Exception {
        RpcClient client = client();
        client.notify("calc", "add", 1, 2);
        await().until(() -> service.received.size() == 1);
        IncomingRequest r = service.received.get(0);
        assertThat(r.correlationId()).isNull();
        assertThat(r.replyTo()).isNull();
        JsonObject body = JsonInput.parse(r.body(), Limits.DEFAULT).getAsJsonObject();
        assertThat(body.has("id")).isFalse();
        assertThat(((DefaultRpcClient) client).pendingCount()).isZero();
        assertThat(counter(MicrometerRpcMetrics.CLIENT_LATE_REPLIES)).isZero();
    }

    @Test
    void mixedBatchIsOneMessageWithManyIds() throws Exception {
        RpcClient client = client();
        RpcBatch batch = client.batch("calc");
        CompletableFuture<Integer> a = batch.call("add", int.class, 1, 2);
        CompletableFuture<Integer> b = batch.callNamed("add", int.class, Map.of("x", 3, "y", 4));
        CompletableFuture<Integer> c = batch.call("fail", int.class);
        batch.notify("add", 5, 6);
        batch.send().get(10, TimeUnit.SECONDS);
        assertThat(a.get(10, TimeUnit.SECONDS)).isEqualTo(3);
        assertThat(b.get(10, TimeUnit.SECONDS)).isEqualTo(7);
        assertThat(c).failsWithin(Duration.ofSeconds(10)).withThrowableThat()
                .havingCause().isInstanceOfSatisfying(RpcException.class, e -> assertThat(e.code()).isEqualTo(-32050));
        assertThat(service.received).hasSize(1);
        IncomingRequest r = service.received.get(0);
        assertThat(r.correlationId()).isNotNull();
        assertThat(JsonInput.parse(r.body(), Limits.DEFAULT).getAsJsonArray()).hasSize(4);
        assertThatThrownBy(batch::send).isInstanceOf(IllegalStateException.class).hasMessageContaining("already");
        assertThatThrownBy(() -> client.batch("calc").send()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("empty");
    }

    @Test
    void batchOfNotificationsExpectsNoReply() throws Exception {
        RpcClient client = client();
        client.batch("calc").notify("add", 1).notify("add", 2).send().get(10, TimeUnit.SECONDS);
        await().until(() -> service.received.size() == 1);
        IncomingRequest r = service.received.get(0);
        assertThat(r.correlationId()).isNull();
        assertThat(r.replyTo()).isNull();
        assertThat(((DefaultRpcClient) client).pendingCount()).isZero();
    }

    @Test
    void batchTimesOutAsAWhole() {
        RpcClient client = client().withTimeout(Duration.ofMillis(50));
        RpcBatch batch = client.batch("calc");
        CompletableFuture<Integer> a = batch.call("add", int.class, 1);
        CompletableFuture<Integer> b = batch.call("add", int.class, 2);
        batch.notify("hold"); // hold nothing: a notification
        // the whole batch is answered at once, so make the service hold it: not possible per element; use no server
        serverChannel.close(Duration.ZERO);
        batch.send();
        assertThat(a).failsWithin(Duration.ofSeconds(10)).withThrowableThat().havingCause()
                .isInstanceOf(RpcTimeoutException.class);
        assertThat(b).failsWithin(Duration.ofSeconds(10)).withThrowableThat().havingCause()
                .isInstanceOf(RpcTimeoutException.class);
    }

    // ------------------------------------------------------------------ proxies

    interface Calc {
        int add(int a, int b);

        CompletableFuture<Integer> addAsync(int a, int b);

        java.util.concurrent.CompletionStage<List<String>> echoAsync(List<String> values);

        void fail();

        default int twice(int x) {
            return add(x, x);
        }
    }

    @Test
    void proxyCallsSyncAsyncAndDefaultMethods() throws Exception {
        RpcClient client = client();
        Calc calc = client.proxy(Calc.class, "calc");
        assertThat(calc.add(2, 3)).isEqualTo(5);
        assertThat(calc.addAsync(4, 5).get(10, TimeUnit.SECONDS)).isEqualTo(9);
        assertThat(calc.echoAsync(List.of("x", "y")).toCompletableFuture().get(10, TimeUnit.SECONDS))
                .containsExactly("x", "y");
        assertThat(calc.twice(21)).isEqualTo(42);
        assertThatThrownBy(calc::fail).isInstanceOf(RpcException.class).hasMessage("boom");
        assertThat(calc.toString()).contains(Calc.class.getName()).contains("calc");
        assertThat(calc).isEqualTo(calc).isNotEqualTo(client.proxy(Calc.class, "calc"));
        assertThat(calc.hashCode()).isEqualTo(System.identityHashCode(calc));
        assertThatThrownBy(() -> client.proxy(String.class, "calc")).isInstanceOf(IllegalArgumentException.class);
    }

    // ------------------------------------------------------------------ timeouts

    @Test
    void timeoutThenLateReplyIsDroppedAndCounted() {
        RpcClient client = client().withTimeout(Duration.ofMillis(50));
        assertThatThrownBy(() -> client.call("calc", "hold", int.class, 1))
                .isInstanceOfSatisfying(RpcTimeoutException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCodes.TIMEOUT);
                    assertThat(e.getMessage()).contains("calc.hold");
                });
        assertThat(counter(MicrometerRpcMetrics.CLIENT_TIMEOUTS)).isEqualTo(1);
        assertThat(timer(RpcMetrics.TIMEOUT)).isEqualTo(1);
        assertThat(service.releaseHeld()).isEqualTo(1);
        await().until(() -> counter(MicrometerRpcMetrics.CLIENT_LATE_REPLIES) == 1);
        assertThat(timer(RpcMetrics.OK)).isZero();
        assertThat(((DefaultRpcClient) client).pendingCount()).isZero();
    }

    @Test
    void callWithoutAnyServerFailsAtOnceNamingTheServiceAndTheBroker() {
        RpcClient client = client().withTimeout(Duration.ofSeconds(60));
        assertThatThrownBy(() -> client.call("nobody", "home", int.class))
                .isInstanceOfSatisfying(RpcException.class, e -> assertThat(e.code()).isEqualTo(ErrorCodes.NO_SERVER))
                .hasMessageStartingWith("no server for 'nobody' at inproc:");
    }

    @Test
    void callWithoutAnyServerTimesOutWhenTheCheckIsOff() {
        RpcClient client = client(ClientConfig.builder().failWithoutServer(false)).withTimeout(Duration.ofMillis(30));
        assertThatThrownBy(() -> client.call("nobody", "home", int.class)).isInstanceOf(RpcTimeoutException.class);
    }

    @Test
    void everyCallCompletesExactlyOnceWhileRepliesRaceTimeouts() throws Exception {
        ScheduledExecutorService replies = Executors.newScheduledThreadPool(2);
        ExecutorService callers = Executors.newFixedThreadPool(4);
        try {
            TestService jittery = new TestService(replies);
            ServerChannel channel = serverTransport.openServer("jitter", new ServerSettings(10_000, Duration.ZERO),
                    jittery);
            channel.start();
            RpcClient client = client(ClientConfig.builder().maxInFlight(100_000)).withTimeout(Duration.ofMillis(2));
            int perThread = 500;
            int threads = 4;
            AtomicInteger completions = new AtomicInteger();
            AtomicInteger ok = new AtomicInteger();
            AtomicInteger timedOut = new AtomicInteger();
            AtomicInteger other = new AtomicInteger();
            List<CompletableFuture<Object>> all = java.util.Collections.synchronizedList(new ArrayList<>());
            CountDownLatch start = new CountDownLatch(1);
            for (int t = 0; t < threads; t++) {
                callers.execute(() -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    for (int i = 0; i < perThread; i++) {
                        long micros = ThreadLocalRandom.current().nextLong(0, 4000);
                        CompletableFuture<Object> f = client.callAsync("jitter", "jitter", long.class, micros);
                        f.whenComplete((r, e) -> {
                            completions.incrementAndGet();
                            if (e == null) {
                                ok.incrementAndGet();
                            } else if (e instanceof RpcTimeoutException) {
                                timedOut.incrementAndGet();
                            } else {
                                other.incrementAndGet();
                            }
                        });
                        all.add(f);
                    }
                });
            }
            start.countDown();
            int total = perThread * threads;
            await().atMost(Duration.ofSeconds(60)).until(() -> completions.get() == total);
            assertThat(all).hasSize(total).allMatch(CompletableFuture::isDone);
            assertThat(other.get()).isZero();
            assertThat(ok.get() + timedOut.get()).isEqualTo(total);
            // each call recorded exactly once, whichever side won
            assertThat(timer(RpcMetrics.OK) + timer(RpcMetrics.TIMEOUT)).isEqualTo(total);
            assertThat(timer(RpcMetrics.TIMEOUT)).isEqualTo(timedOut.get());
            assertThat(((DefaultRpcClient) client).pendingCount()).isZero();
            // every reply either completed its call or was dropped as late (a request whose deadline passed before
            // the transport handed it over is never answered)
            assertThat(jittery.received.size()).isLessThanOrEqualTo(total);
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> ok.get() + counter(MicrometerRpcMetrics.CLIENT_LATE_REPLIES)
                            == jittery.received.size());
        } finally {
            callers.shutdownNow();
            replies.shutdownNow();
        }
    }

    // ------------------------------------------------------------------ close, leaks, overload

    @Test
    void closeFailsPendingCallsAtOnce() {
        RpcClient client = client();
        List<CompletableFuture<Integer>> calls = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            calls.add(client.callAsync("calc", "hold", int.class, i));
        }
        RpcBatch batch = client.batch("calc");
        CompletableFuture<Integer> inBatch = batch.call("add", int.class, 1);
        serverChannel.close(Duration.ZERO); // the batch stays unanswered
        batch.send();
        await().until(() -> service.held.size() == 20);
        client.close();
        calls.add(inBatch);
        for (CompletableFuture<Integer> f : calls) {
            assertThat(f).isCompletedExceptionally();
            assertThat(f).failsWithin(Duration.ZERO).withThrowableThat().havingCause()
                    .isInstanceOfSatisfying(RpcException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCodes.CLIENT_CLOSED));
        }
        assertThat(timer(RpcMetrics.CLOSED)).isEqualTo(21);
        assertThatThrownBy(() -> client.call("calc", "add", int.class, 1, 2))
                .isInstanceOfSatisfying(RpcException.class, e -> assertThat(e.code()).isEqualTo(ErrorCodes.CLIENT_CLOSED));
        assertThatThrownBy(() -> client.notify("calc", "add", 1))
                .isInstanceOfSatisfying(RpcException.class, e -> assertThat(e.code()).isEqualTo(ErrorCodes.CLIENT_CLOSED));
        client.close(); // idempotent
        service.releaseHeld(); // replies to a closed client go nowhere
    }

    @Test
    void closeLeavesNoThreads() {
        String id = "leak-check-" + UUID.randomUUID();
        RpcClient client = client(ClientConfig.builder().clientId(id));
        for (int i = 0; i < 10; i++) {
            client.call("calc", "add", int.class, i, i); // arms and cancels timeouts: the timer thread runs
        }
        client.callAsync("calc", "hold", int.class, 1);
        assertThat(threadsNamed(ClientCore.THREAD_PREFIX, id)).isPositive();
        client.close();
        await().until(() -> threadsNamed(ClientCore.THREAD_PREFIX, id) == 0);
    }

    private static long threadsNamed(String prefix, String contains) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith(prefix) && t.getName().contains(contains))
                .count();
    }

    @Test
    void tooManyCallsInFlightFailFast() throws Exception {
        RpcClient client = client(ClientConfig.builder().maxInFlight(2));
        CompletableFuture<Integer> a = client.callAsync("calc", "hold", int.class, 1);
        CompletableFuture<Integer> b = client.callAsync("calc", "hold", int.class, 2);
        CompletableFuture<Integer> c = client.callAsync("calc", "add", int.class, 3);
        assertThat(c).failsWithin(Duration.ZERO).withThrowableThat().havingCause()
                .isInstanceOfSatisfying(RpcException.class, e -> assertThat(e.code()).isEqualTo(ErrorCodes.OVERLOADED));
        RpcBatch batch = client.batch("calc");
        CompletableFuture<Integer> d = batch.call("add", int.class, 1);
        assertThat(batch.send()).isCompletedExceptionally();
        assertThat(d).isCompletedExceptionally();
        await().until(() -> service.held.size() == 2);
        service.releaseHeld();
        assertThat(a.get(10, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(b.get(10, TimeUnit.SECONDS)).isEqualTo(2);
        assertThat(client.call("calc", "add", int.class, 1, 2)).isEqualTo(3);
    }

    @Test
    void cancellingACallReleasesItsSlot() {
        RpcClient client = client(ClientConfig.builder().maxInFlight(1));
        CompletableFuture<Integer> a = client.callAsync("calc", "hold", int.class, 1);
        a.cancel(false);
        assertThat(((DefaultRpcClient) client).pendingCount()).isZero();
        service.releaseHeld();
        assertThat(client.call("calc", "add", int.class, 1, 2)).isEqualTo(3);
    }

    @Test
    void interruptedSyncCallThrowsAndKeepsTheInterruptFlag() throws Exception {
        RpcClient client = client();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicReference<Boolean> flag = new AtomicReference<>();
        Thread caller = new Thread(() -> {
            try {
                client.call("calc", "hold", int.class, 1);
            } catch (Throwable t) {
                thrown.set(t);
                flag.set(Thread.currentThread().isInterrupted());
            }
        });
        caller.start();
        await().until(() -> service.held.size() == 1);
        caller.interrupt();
        caller.join(10_000);
        assertThat(thrown.get()).isInstanceOf(RpcException.class).hasMessageContaining("interrupted");
        assertThat(flag.get()).isTrue();
        assertThat(((DefaultRpcClient) client).pendingCount()).isZero();
    }

    @Test
    void sendFailureIsATransportError() {
        RpcClient client = client();
        byte[] big = new byte[17 * 1024 * 1024];
        java.util.Arrays.fill(big, (byte) 'a');
        String huge = new String(big, java.nio.charset.StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> client.call("calc", "echo", String.class, huge))
                .isInstanceOfSatisfying(RpcException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCodes.TRANSPORT_ERROR);
                    assertThat(e.getMessage()).contains("exceeds");
                });
    }

    @Test
    void duplicateClientIdIsRefusedAndTheTransportReleased() {
        client(ClientConfig.builder().clientId("same-id"));
        assertThatThrownBy(() -> client(ClientConfig.builder().clientId("same-id")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("same-id");
    }

    @Test
    void viewsShareTheConnection() {
        RpcClient client = client();
        RpcClient fast = client.withTimeout(Duration.ofMillis(20));
        assertThatThrownBy(() -> fast.call("calc", "hold", int.class, 1)).isInstanceOf(RpcTimeoutException.class);
        assertThat(client.call("calc", "add", int.class, 1, 2)).isEqualTo(3);
        assertThatThrownBy(() -> client.withTimeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        fast.close();
        assertThatThrownBy(() -> client.call("calc", "add", int.class, 1, 2)).isInstanceOf(RpcException.class);
    }

    @Test
    void jsonElementResult() {
        RpcClient client = client();
        JsonElement e = client.call("calc", "echo", JsonElement.class, Map.of("k", 1));
        assertThat(e.getAsJsonObject().get("k").getAsInt()).isEqualTo(1);
    }

    @Test
    void aReplyIdMatchesOnlyTheExactDecimalTextOfTheCallsId() {
        assertThat(ClientCore.isDecimal("1", 1)).isTrue();
        assertThat(ClientCore.isDecimal("907", 907)).isTrue();
        assertThat(ClientCore.isDecimal("9223372036854775807", Long.MAX_VALUE)).isTrue();
        assertThat(ClientCore.isDecimal("01", 1)).isFalse();
        assertThat(ClientCore.isDecimal("10", 1)).isFalse();
        assertThat(ClientCore.isDecimal("1", 10)).isFalse();
        assertThat(ClientCore.isDecimal("-1", 1)).isFalse();
        assertThat(ClientCore.isDecimal("1.0", 1)).isFalse();
        assertThat(ClientCore.isDecimal("", 1)).isFalse();
    }
}
