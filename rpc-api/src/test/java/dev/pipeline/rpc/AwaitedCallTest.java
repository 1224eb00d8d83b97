package dev.pipeline.rpc;

import dev.pipeline.rpc.spi.ClientChannel;
import dev.pipeline.rpc.spi.ClientSettings;
import dev.pipeline.rpc.spi.OutgoingRequest;
import dev.pipeline.rpc.spi.ReplyListener;
import dev.pipeline.rpc.spi.RequestHandler;
import dev.pipeline.rpc.spi.ServerChannel;
import dev.pipeline.rpc.spi.ServerSettings;
import dev.pipeline.rpc.spi.Transport;
import dev.pipeline.rpc.spi.TransportCapabilities;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The core's side of {@link ClientChannel#awaitReply}: a blocking call sends with {@code sendAwaited} and then lends
 * its thread with the same correlation id; an asynchronous one does neither; a transport that reads the reply on the
 * waiting thread settles the call there.
 */
class AwaitedCallTest {
    private Transport inproc;
    private final TestService service = new TestService();
    private final List<String> log = new CopyOnWriteArrayList<>();
    /** Whether the recording channel reads the replies itself while the caller waits. */
    private volatile boolean lend;

    @BeforeEach
    void setUp() {
        String uri = "inproc:awaited-" + UUID.randomUUID();
        inproc = Transports.open(uri, Map.of());
        ServerChannel server = inproc.openServer("calc", new ServerSettings(100, Duration.ofSeconds(5)),
                service);
        server.start();
    }

    @AfterEach
    void tearDown() {
        service.releaseHeld();
        inproc.close();
    }

    /**
     * Wraps the in-process channel; when lending, it holds the replies back and delivers them in awaitReply, else it
     * delivers them 50 ms later from another thread.
     */
    private final class Recording implements Transport {
        @Override
        public String scheme() {
            return inproc.scheme();
        }

        @Override
        public TransportCapabilities capabilities() {
            return inproc.capabilities();
        }

        @Override
        public ClientChannel openClient(ClientSettings settings, ReplyListener replies) {
            CopyOnWriteArrayList<Runnable> held = new CopyOnWriteArrayList<>();
            ClientChannel inner = inproc.openClient(settings, (id, body) -> {
                if (lend) {
                    held.add(() -> replies.onReply(id, body));
                } else { // later, from another thread: the caller is waiting by then, as over a broker
                    CompletableFuture.delayedExecutor(50, TimeUnit.MILLISECONDS).execute(
                            () -> replies.onReply(id, body));
                }
            });
            return new ClientChannel() {
                @Override
                public CompletableFuture<Void> ready() {
                    return inner.ready();
                }

                @Override
                public CompletableFuture<Void> send(String service, OutgoingRequest request) {
                    log.add("send " + request.correlationId());
                    return inner.send(service, request);
                }

                @Override
                public CompletableFuture<Void> sendAwaited(String service, OutgoingRequest request) {
                    log.add("sendAwaited " + request.correlationId());
                    return inner.send(service, request);
                }

                @Override
                public boolean awaitReply(String correlationId, BooleanSupplier done, long deadlineNanos) {
                    log.add("awaitReply " + correlationId);
                    if (!lend) {
                        return false;
                    }
                    while (!done.getAsBoolean() && System.nanoTime() - deadlineNanos < 0) {
                        for (Runnable r : held) {
                            held.remove(r);
                            log.add("delivered on " + Thread.currentThread().getName());
                            r.run();
                        }
                        Thread.onSpinWait();
                    }
                    return true;
                }

                @Override
                public void close() {
                    inner.close();
                }
            };
        }

        @Override
        public ServerChannel openServer(String service, ServerSettings settings, RequestHandler handler) {
            return inproc.openServer(service, settings, handler);
        }

        @Override
        public void close() {
        }
    }

    @Test
    void aBlockingCallSendsAwaitedAndLendsItsThreadWithTheSameCorrelationId() {
        try (RpcClient client = DefaultRpcClient.open(new Recording(), ClientConfig.defaults())) {
            assertThat(client.call("calc", "add", int.class, 1, 2)).isEqualTo(3);
            assertThat(log).hasSize(2);
            String id = log.get(0).substring("sendAwaited ".length());
            assertThat(log).containsExactly("sendAwaited " + id, "awaitReply " + id);
            log.clear();
            int named = client.callNamed("calc", "add", int.class, Map.of("a", 2, "b", 3));
            assertThat(named).isEqualTo(5);
            assertThat(log).hasSize(2).allMatch(e -> e.startsWith("sendAwaited ") || e.startsWith("awaitReply "));
        }
    }

    @Test
    void anAsynchronousCallNeitherSendsAwaitedNorLendsAThread() throws Exception {
        try (RpcClient client = DefaultRpcClient.open(new Recording(), ClientConfig.defaults())) {
            assertThat(client.callAsync("calc", "add", Integer.class, 1, 2).get(10, TimeUnit.SECONDS)).isEqualTo(3);
            assertThat(log).singleElement().asString().startsWith("send ");
        }
    }

    @Test
    void aReplyReadOnTheWaitingThreadSettlesTheCallThere() {
        lend = true;
        try (RpcClient client = DefaultRpcClient.open(new Recording(), ClientConfig.defaults())) {
            for (int i = 0; i < 3; i++) {
                assertThat(client.call("calc", "add", int.class, i, 1)).isEqualTo(i + 1);
            }
            assertThat(log).filteredOn(e -> e.startsWith("delivered on "))
                    .containsExactly("delivered on " + Thread.currentThread().getName(),
                            "delivered on " + Thread.currentThread().getName(),
                            "delivered on " + Thread.currentThread().getName());
            // an error reply read there is thrown as for any call
            assertThatThrownBy(() -> client.call("calc", "fail", int.class)).isInstanceOf(RpcException.class);
        }
    }

    @Test
    void aLentThreadThatReturnsWithoutTheReplyStillTimesOutTheCall() {
        lend = true;
        try (RpcClient client = DefaultRpcClient.open(new Recording(),
                ClientConfig.builder().defaultTimeout(Duration.ofMillis(300)).build())) {
            long start = System.nanoTime();
            // "hold" keeps the reply: awaitReply returns at the deadline without it, the call's timeout fails it
            assertThatThrownBy(() -> client.call("calc", "hold", int.class, 1, 2))
                    .isInstanceOf(RpcTimeoutException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
        }
    }
}
