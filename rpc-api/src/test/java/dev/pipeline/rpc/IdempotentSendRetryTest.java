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
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A call declared idempotent whose send fails is sent again, a few times, under the same correlation id. */
class IdempotentSendRetryTest {
    /** The in-process transport, except that the client's first {@code failures} sends fail. */
    private static final class FailingSends implements Transport {
        final Transport inner = Transports.open("inproc:retry-" + UUID.randomUUID(), Map.of());
        final AtomicInteger failures;
        final List<String> sentIds = new CopyOnWriteArrayList<>();

        FailingSends(int failures) {
            this.failures = new AtomicInteger(failures);
        }

        @Override
        public String scheme() {
            return "flaky";
        }

        @Override
        public TransportCapabilities capabilities() {
            return inner.capabilities();
        }

        @Override
        public ClientChannel openClient(ClientSettings settings, ReplyListener replies) {
            ClientChannel channel = inner.openClient(settings, replies);
            return new ClientChannel() {
                @Override
                public CompletableFuture<Void> ready() {
                    return channel.ready();
                }

                @Override
                public CompletableFuture<Void> send(String service, OutgoingRequest request) {
                    sentIds.add(request.correlationId());
                    if (failures.getAndDecrement() > 0) {
                        return CompletableFuture.failedFuture(new IllegalStateException("broker unreachable"));
                    }
                    return channel.send(service, request);
                }

                @Override
                public void close() {
                    channel.close();
                }
            };
        }

        @Override
        public ServerChannel openServer(String service, ServerSettings settings, RequestHandler handler) {
            return inner.openServer(service, settings, handler);
        }

        @Override
        public void close() {
            inner.close();
        }
    }

    private final TestService service = new TestService();
    private RpcClient client;

    private RpcClient client(FailingSends transport) {
        transport.inner.openServer("calc", new ServerSettings(10, Duration.ZERO), service).start();
        // no hedges: only the retries of a failed send are counted
        client = DefaultRpcClient.open(transport, ClientConfig.builder().failWithoutServer(false)
                .hedging(HedgePolicy.disabled()).build());
        return client;
    }

    @AfterEach
    void close() {
        if (client != null) {
            client.close();
        }
    }

    @Test
    void anIdempotentCallWhoseSendFailsIsSentAgainUnderTheSameCorrelationId() {
        FailingSends transport = new FailingSends(2);
        RpcClient c = client(transport);
        assertThat(c.idempotent().call("calc", "add", int.class, 1, 2)).isEqualTo(3);
        assertThat(transport.sentIds).hasSize(3);
        assertThat(transport.sentIds).containsOnly(transport.sentIds.get(0));
        assertThat(service.received).hasSize(1);
    }

    @Test
    void aCallNotDeclaredIdempotentIsNeverSentTwice() {
        FailingSends transport = new FailingSends(1);
        RpcClient c = client(transport);
        assertThatThrownBy(() -> c.call("calc", "add", int.class, 1, 2))
                .isInstanceOfSatisfying(RpcException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCodes.TRANSPORT_ERROR);
                    assertThat(e.getMessage()).contains("could not send calc.add").contains("broker unreachable");
                });
        assertThat(transport.sentIds).hasSize(1);
        assertThat(service.received).isEmpty();
    }

    @Test
    void sendsThatKeepFailingEndInTheTransportErrorAfterAFewTries() {
        FailingSends transport = new FailingSends(Integer.MAX_VALUE);
        RpcClient c = client(transport);
        assertThatThrownBy(() -> c.idempotent().call("calc", "add", int.class, 1, 2))
                .isInstanceOfSatisfying(RpcException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCodes.TRANSPORT_ERROR);
                    assertThat(e.getMessage()).contains("broker unreachable");
                });
        assertThat(transport.sentIds).hasSize(1 + ClientCore.SEND_RETRIES);
    }
}
