package dev.pipeline.rpc.kafka;

import dev.pipeline.rpc.ClientConfig;
import dev.pipeline.rpc.ErrorCodes;
import dev.pipeline.rpc.Rpc;
import dev.pipeline.rpc.RpcClient;
import dev.pipeline.rpc.RpcException;
import dev.pipeline.rpc.RpcServer;
import dev.pipeline.rpc.tck.broker.KafkaBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A client or server pointed at a port where nothing listens fails at once, naming the address, instead of waiting
 * out its ready or operation timeout (both set far longer here); against the real broker nothing changes.
 */
@Timeout(120) // a guard against a hang, not a measurement
class UnreachableKafkaTest {
    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void aClientFailsNamingTheAddressInsteadOfWaitingOutItsReadyTimeout() throws Exception {
        int port = freePort();
        ClientConfig patient = ClientConfig.builder().readyTimeout(Duration.ofSeconds(60)).build();
        long start = System.nanoTime();
        assertThatThrownBy(() -> Rpc.client("kafka://127.0.0.1:" + port, patient))
                .isInstanceOfSatisfying(RpcException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCodes.TRANSPORT_ERROR);
                    assertThat(e.getMessage()).contains("cannot reach Kafka at 127.0.0.1:" + port
                            + ": connection refused").doesNotContain("within").doesNotContain("\n");
                });
        System.out.printf("Rpc.client on a dead port failed after %d ms (ready timeout 60 s)%n",
                (System.nanoTime() - start) / 1_000_000);
    }

    @Test
    void aServerFailsAtStartNamingTheAddress() throws Exception {
        int port = freePort();
        try (RpcServer server = Rpc.server("kafka://127.0.0.1:" + port + "?operationTimeoutMs=60000")) {
            server.handle("calc", "add", params -> 0);
            long start = System.nanoTime();
            assertThatThrownBy(server::start).isInstanceOf(IllegalStateException.class)
                    .hasMessage("cannot reach Kafka at 127.0.0.1:" + port
                            + ": connection refused (is the broker running, and is this its address?)");
            System.out.printf("server.start() on a dead port failed after %d ms (operation timeout 60 s)%n",
                    (System.nanoTime() - start) / 1_000_000);
        }
    }

    @Test
    void aReachableBrokerServesAsBefore() {
        String uri = KafkaBroker.shared().uri();
        String service = "reach-" + UUID.randomUUID().toString().substring(0, 8);
        try (RpcServer server = Rpc.server(uri)) {
            server.handle(service, "add", p -> p.<Integer>get(0, int.class) + p.<Integer>get(1, int.class)).start();
            try (RpcClient client = Rpc.client(uri)) {
                assertThat(client.call(service, "add", int.class, 2, 3)).isEqualTo(5);
            }
        }
    }
}
