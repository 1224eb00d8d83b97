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
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A call that times out says whether the transport had confirmed its send: a send still held (a broker down, as
 * a Kafka producer holds it through an outage) is a timeout whose request was not accepted; a request the server
 * holds is one whose request was.
 */
class TimeoutAcceptedTest {
    private Transport inproc;
    private final TestService service = new TestService();
    /** Whether the channel holds the sends (never confirms them) instead of passing them on. */
    private volatile boolean holdSends;
    private final CompletableFuture<Void> held = new CompletableFuture<>();

    @BeforeEach
    void setUp() {
        inproc = Transports.open("inproc:accepted-" + UUID.randomUUID(), Map.of());
        ServerChannel server = inproc.openServer("calc", new ServerSettings(100, Duration.ofSeconds(5)), service);
        server.start();
    }

    @AfterEach
    void tearDown() {
        held.completeExceptionally(new IllegalStateException("test over"));
        service.releaseHeld();
        inproc.close();
    }

    private final class Holding implements Transport {
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
            ClientChannel inner = inproc.openClient(settings, replies);
            return new ClientChannel() {
                @Override
                public CompletableFuture<Void> ready() {
                    return inner.ready();
                }

                @Override
                public CompletableFuture<Void> send(String service, OutgoingRequest request) {
                    return holdSends ? held : inner.send(service, request);
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
    void aTimeoutWhoseSendWasNeverConfirmedSaysTheRequestWasNotAccepted() {
        try (RpcClient client = DefaultRpcClient.open(new Holding(), ClientConfig.defaults())) {
            holdSends = true;
            CompletableFuture<Integer> call = client.withTimeout(Duration.ofMillis(200))
                    .callAsync("calc", "add", Integer.class, 1, 2);
            assertThatThrownBy(() -> call.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOfSatisfying(RpcTimeoutException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCodes.TIMEOUT);
                        assertThat(e.requestAccepted()).as("accepted, for %s", e.getMessage()).isFalse();
                        assertThat(e.getMessage()).contains("calc.add").contains("had not accepted the request");
                    });
            assertThatThrownBy(() -> client.withTimeout(Duration.ofMillis(200)).call("calc", "add", int.class, 1, 2))
                    .isInstanceOfSatisfying(RpcTimeoutException.class,
                            e -> assertThat(e.requestAccepted()).as("a blocking call's").isFalse());
        }
    }

    @Test
    void aTimeoutWhoseSendWasConfirmedSaysTheRequestWasAccepted() {
        try (RpcClient client = DefaultRpcClient.open(new Holding(), ClientConfig.defaults())) {
            assertThat(client.call("calc", "add", int.class, 1, 2)).isEqualTo(3);
            assertThatThrownBy(() -> client.withTimeout(Duration.ofMillis(200)).call("calc", "hold", int.class, 1))
                    .isInstanceOfSatisfying(RpcTimeoutException.class, e -> {
                        assertThat(e.requestAccepted()).as("accepted, for %s", e.getMessage()).isTrue();
                        assertThat(e.getMessage()).doesNotContain("had not accepted");
                    });
        }
    }
}
