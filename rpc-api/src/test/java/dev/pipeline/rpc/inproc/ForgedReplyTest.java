package dev.pipeline.rpc.inproc;

import dev.pipeline.rpc.ClientConfig;
import dev.pipeline.rpc.MicrometerRpcMetrics;
import dev.pipeline.rpc.Rpc;
import dev.pipeline.rpc.RpcBatch;
import dev.pipeline.rpc.RpcClient;
import dev.pipeline.rpc.RpcException;
import dev.pipeline.rpc.spi.HandlerOutcome;
import dev.pipeline.rpc.spi.IncomingRequest;
import dev.pipeline.rpc.spi.ServerChannel;
import dev.pipeline.rpc.spi.ServerSettings;
import dev.pipeline.rpc.spi.Transport;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Replies forged by anyone who can write to a client's reply destination (here: the inproc broker's reply routing,
 * which is what a Kafka reply topic or Redis reply stream is to the other transports): with a guessed correlation id
 * none completes a call, each is counted, and the real reply still completes the call.
 */
class ForgedReplyTest {
    private static final String CLIENT = "victim";

    private String name;
    private Transport serverTransport;
    private ServerChannel serverChannel;
    /** Requests the server received, held until the test answers them. */
    private final LinkedBlockingQueue<Held> received = new LinkedBlockingQueue<>();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private RpcClient client;

    private record Held(IncomingRequest request, CompletableFuture<HandlerOutcome> outcome) {
        String body() {
            return new String(request.body(), StandardCharsets.UTF_8);
        }
    }

    @BeforeEach
    void setUp() {
        name = "forged-" + UUID.randomUUID();
        serverTransport = new InprocTransportProvider().open(java.net.URI.create("inproc:" + name), Map.of());
        serverChannel = serverTransport.openServer("svc", new ServerSettings(1000, Duration.ofSeconds(5)),
                request -> {
                    CompletableFuture<HandlerOutcome> outcome = new CompletableFuture<>();
                    received.add(new Held(request, outcome));
                    return outcome;
                });
        serverChannel.start();
        client = Rpc.client("inproc:" + name, ClientConfig.builder().clientId(CLIENT)
                .defaultTimeout(Duration.ofSeconds(60)).metrics(new MicrometerRpcMetrics(registry)).build());
    }

    @AfterEach
    void tearDown() {
        client.close();
        Held h;
        while ((h = received.poll()) != null) {
            h.outcome.complete(HandlerOutcome.none());
        }
        serverTransport.close();
    }

    private void forge(String correlationId, String body) {
        InprocBroker.named(name).reply(CLIENT, correlationId, body.getBytes(StandardCharsets.UTF_8));
    }

    private double dropped() {
        return registry.find(MicrometerRpcMetrics.CLIENT_LATE_REPLIES).counters().stream()
                .mapToDouble(c -> c.count()).sum();
    }

    private Held next() throws InterruptedException {
        Held h = received.poll(30, TimeUnit.SECONDS);
        assertThat(h).as("a request reached the server").isNotNull();
        return h;
    }

    @Test
    void correlationIdsAreRandomCompactAndUnique() throws Exception {
        Set<String> ids = ConcurrentHashMap.newKeySet();
        for (int i = 0; i < 50; i++) {
            client.callAsync("svc", "m", String.class);
            String id = next().request().correlationId();
            assertThat(id).as("22 base64url characters: 128 random bits").matches("[A-Za-z0-9_-]{22}");
            assertThat(ids.add(id)).as("unique").isTrue();
        }
    }

    @Test
    void repliesWithGuessedIdsCompleteNoCallAndAreCounted() throws Exception {
        CompletableFuture<String> first = client.callAsync("svc", "m", String.class);
        Held firstHeld = next();
        CompletableFuture<String> second = client.callAsync("svc", "m", String.class);
        Held secondHeld = next();
        // the JSON-RPC ids in the bodies are 1 and 2; a sequential rpc-id would be "1" and "2" too
        assertThat(firstHeld.body()).contains("\"id\":1");
        String realId = firstHeld.request().correlationId();
        int forged = 0;
        for (int n = 0; n <= 100; n++) {
            for (String id : new String[] {Integer.toString(n), "0" + n, "-" + n, Long.toString(Long.MAX_VALUE - n)}) {
                forge(id, "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"forged\"}");
                forge(id, "{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":\"forged\"}");
                forged += 2;
            }
        }
        // ids that look like ours but are not: one character changed, a prefix, the other case
        String flipped = (realId.charAt(0) == 'A' ? 'B' : 'A') + realId.substring(1);
        for (String id : new String[] {flipped, realId.substring(0, 21), realId.toUpperCase(), realId + "A",
                " " + realId, "", "AAAAAAAAAAAAAAAAAAAAAA"}) {
            if (!id.equals(realId)) {
                forge(id, "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"forged\"}");
                forged++;
            }
        }
        int expected = forged;
        await().atMost(Duration.ofSeconds(30)).until(() -> dropped() >= expected);
        assertThat(dropped()).isEqualTo(expected);
        assertThat(first).isNotDone();
        assertThat(second).isNotDone();

        // the real replies still complete the calls
        firstHeld.outcome().complete(HandlerOutcome.reply("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"real 1\"}"
                .getBytes(StandardCharsets.UTF_8)));
        secondHeld.outcome().complete(HandlerOutcome.reply("{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":\"real 2\"}"
                .getBytes(StandardCharsets.UTF_8)));
        assertThat(first.get(30, TimeUnit.SECONDS)).isEqualTo("real 1");
        assertThat(second.get(30, TimeUnit.SECONDS)).isEqualTo("real 2");

        // a reply for a call already completed is dropped and counted as well
        forge(realId, "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"again\"}");
        await().atMost(Duration.ofSeconds(30)).until(() -> dropped() >= expected + 1);
        assertThat(first.get()).isEqualTo("real 1");
    }

    @Test
    void guessedIdsCompleteNoBatchCall() throws Exception {
        RpcBatch batch = client.batch("svc");
        CompletableFuture<String> a = batch.call("m", String.class);
        CompletableFuture<String> b = batch.call("m", String.class);
        batch.send().get(30, TimeUnit.SECONDS);
        Held held = next();
        for (int n = 0; n <= 20; n++) {
            forge(Integer.toString(n), "[{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"forged\"},"
                    + "{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":\"forged\"}]");
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> dropped() >= 21);
        assertThat(a).isNotDone();
        assertThat(b).isNotDone();
        held.outcome().complete(HandlerOutcome.reply(("[{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"x\"},"
                + "{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":\"y\"}]").getBytes(StandardCharsets.UTF_8)));
        assertThat(a.get(30, TimeUnit.SECONDS)).isEqualTo("x");
        assertThat(b.get(30, TimeUnit.SECONDS)).isEqualTo("y");
    }

    @Test
    void aReplyUnderTheRightRpcIdWithAnotherJsonRpcIdIsNotTheCallsResult() throws Exception {
        CompletableFuture<String> call = client.callAsync("svc", "m", String.class);
        Held held = next();
        held.outcome().complete(HandlerOutcome.reply("{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":\"other\"}"
                .getBytes(StandardCharsets.UTF_8)));
        assertThatThrownBy(() -> call.get(30, TimeUnit.SECONDS)).cause().isInstanceOf(RpcException.class)
                .hasMessageContaining("has id 7");
    }
}
