package dev.pipeline.rpc;

import dev.pipeline.rpc.spi.ClientChannel;
import dev.pipeline.rpc.spi.ClientSettings;
import dev.pipeline.rpc.spi.OutgoingRequest;
import dev.pipeline.rpc.spi.Reply;
import dev.pipeline.rpc.spi.ReplyListener;
import dev.pipeline.rpc.spi.RequestHandler;
import dev.pipeline.rpc.spi.ServerChannel;
import dev.pipeline.rpc.spi.ServerSettings;
import dev.pipeline.rpc.spi.Transport;
import dev.pipeline.rpc.spi.TransportCapabilities;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** Where handlers run ({@link ServerConfig.Builder#directExecutor()}, a given executor) and reply bursts. */
class ExecutorAndBurstTest {

    @Test
    void directExecutorRunsHandlersOnTheTransportThread() throws Exception {
        String uri = "inproc:direct-" + UUID.randomUUID();
        AtomicReference<String> handlerThread = new AtomicReference<>();
        try (RpcServer server = Rpc.server(uri, ServerConfig.builder().directExecutor().build());
             RpcClient client = Rpc.client(uri)) {
            server.handle("svc", "where", p -> {
                handlerThread.set(Thread.currentThread().getName());
                return p.get(0, String.class);
            });
            server.start();
            assertThat(client.call("svc", "where", String.class, "x")).isEqualTo("x");
            assertThat(handlerThread.get()).doesNotStartWith("pipeline-server-");
        }
        assertThat(ServerConfig.builder().directExecutor().build().executor()).isPresent();
        assertThat(ServerConfig.defaults().executor()).isEmpty();
    }

    @Test
    void aGivenExecutorRunsHandlersAndIsNotShutDown() throws Exception {
        String uri = "inproc:given-" + UUID.randomUUID();
        ExecutorService mine = Executors.newFixedThreadPool(2, r -> new Thread(r, "mine"));
        try {
            AtomicReference<String> handlerThread = new AtomicReference<>();
            try (RpcServer server = Rpc.server(uri, ServerConfig.builder().executor(mine).build());
                 RpcClient client = Rpc.client(uri)) {
                server.handle("svc", "where", p -> {
                    handlerThread.set(Thread.currentThread().getName());
                    return 1;
                });
                server.start();
                assertThat(client.call("svc", "where", int.class)).isEqualTo(1);
            }
            assertThat(handlerThread.get()).isEqualTo("mine");
            assertThat(mine.isShutdown()).isFalse();
        } finally {
            mine.shutdownNow();
            mine.awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void aBurstOfRepliesIsReadBeforeAnyCallerIsCompleted() throws Exception {
        CapturingTransport transport = new CapturingTransport();
        AtomicInteger recorded = new AtomicInteger();
        RpcMetrics metrics = new RpcMetrics() {
            @Override
            public void clientCall(String service, String method, String transport, String outcome, long nanos) {
                recorded.incrementAndGet();
            }
        };
        try (RpcClient client = DefaultRpcClient.open(transport, ClientConfig.builder().metrics(metrics).build())) {
            List<CompletableFuture<Integer>> calls = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                calls.add(client.callAsync("svc", "n", Integer.class, i));
            }
            List<Integer> seenByFirstCaller = new CopyOnWriteArrayList<>();
            calls.get(0).thenRun(() -> seenByFirstCaller.add(recorded.get()));
            List<Reply> replies = new ArrayList<>();
            for (OutgoingRequest r : transport.sent) {
                String body = new String(r.body(), StandardCharsets.UTF_8);
                String id = body.replaceAll(".*\"id\":(\\d+).*", "$1");
                replies.add(new Reply(r.correlationId(), ("{\"jsonrpc\":\"2.0\",\"result\":" + id + ",\"id\":" + id
                        + "}").getBytes(StandardCharsets.UTF_8)));
            }
            replies.add(new Reply("no-such-call", "{}".getBytes(StandardCharsets.UTF_8))); // dropped, counted late
            transport.listener.onReplies(replies);

            for (CompletableFuture<Integer> f : calls) {
                assertThat(f).isCompleted();
            }
            // when the first caller ran, all three replies had been read (each records its metric as it is read)
            assertThat(seenByFirstCaller).containsExactly(3);
        }
    }

    /** A transport whose client channel keeps what it sends and whose replies the test delivers. */
    static final class CapturingTransport implements Transport {
        final List<OutgoingRequest> sent = new CopyOnWriteArrayList<>();
        volatile ReplyListener listener;

        @Override
        public String scheme() {
            return "capture";
        }

        @Override
        public TransportCapabilities capabilities() {
            return new TransportCapabilities(java.util.Set.of(), 1 << 20);
        }

        @Override
        public ClientChannel openClient(ClientSettings settings, ReplyListener replies) {
            listener = replies;
            return new ClientChannel() {
                @Override
                public CompletableFuture<Void> ready() {
                    return CompletableFuture.completedFuture(null);
                }

                @Override
                public CompletableFuture<Void> send(String service, OutgoingRequest request) {
                    sent.add(request);
                    return CompletableFuture.completedFuture(null);
                }

                @Override
                public void close() {
                }
            };
        }

        @Override
        public ServerChannel openServer(String service, ServerSettings settings, RequestHandler handler) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void close() {
        }
    }

}
