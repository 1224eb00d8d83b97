package dev.pipeline.rpc;

import dev.pipeline.rpc.spi.LoopHealth;
import dev.pipeline.rpc.spi.ServerChannel;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HealthTest {
    @Test
    void combineTakesTheWorstStatusAndEveryReason() {
        Health h = Health.combine(List.of(Health.up(), Health.degraded("a"), Health.down("b")));
        assertThat(h.status()).isEqualTo(Health.Status.DOWN);
        assertThat(h.reasons()).containsExactly("a", "b");
        assertThat(Health.combine(List.of())).isEqualTo(Health.up());
        assertThatThrownBy(() -> Health.of(Health.Status.DOWN, List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> h.reasons().add("c")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void aLoopIsDownWhileDeadThenDegradedWithTheCause() {
        LoopHealth loop = new LoopHealth("the test loop");
        assertThat(loop.health()).isEqualTo(Health.up());
        long first = loop.died(new OutOfMemoryError("Java heap space"));
        assertThat(loop.health().status()).isEqualTo(Health.Status.DOWN);
        assertThat(loop.health().reasons().get(0)).contains("the test loop").contains("OutOfMemoryError");
        loop.restarted();
        assertThat(loop.health().status()).isEqualTo(Health.Status.DEGRADED);
        long second = loop.died(new StackOverflowError());
        assertThat(second).isEqualTo(2 * first); // dying again soon: a longer back-off
        loop.restarted();
        assertThat(loop.health().reasons().get(0)).contains("StackOverflowError").contains("2 fatal error(s)");
        loop.stopped("interrupted");
        assertThat(loop.health().status()).isEqualTo(Health.Status.DOWN);
    }

    @Test
    void aServerReportsItsChannelsByService() {
        Health dead = Health.down("transport loop dead: x");
        ServerChannel channel = new ServerChannel() {
            @Override
            public void start() {
            }

            @Override
            public void close(Duration grace) {
            }

            @Override
            public void close() {
            }

            @Override
            public Health health() {
                return dead;
            }
        };
        dev.pipeline.rpc.spi.Transport inner = Transports.open("inproc:health-" + java.util.UUID.randomUUID(),
                java.util.Map.of());
        dev.pipeline.rpc.spi.Transport transport = new dev.pipeline.rpc.spi.Transport() {
            @Override
            public String scheme() {
                return "health";
            }

            @Override
            public dev.pipeline.rpc.spi.TransportCapabilities capabilities() {
                return inner.capabilities();
            }

            @Override
            public dev.pipeline.rpc.spi.ClientChannel openClient(dev.pipeline.rpc.spi.ClientSettings settings,
                                                                 dev.pipeline.rpc.spi.ReplyListener replies) {
                return inner.openClient(settings, replies);
            }

            @Override
            public ServerChannel openServer(String service, dev.pipeline.rpc.spi.ServerSettings settings,
                                            dev.pipeline.rpc.spi.RequestHandler handler) {
                return channel;
            }

            @Override
            public void close() {
                inner.close();
            }
        };
        try (RpcServer server = new DefaultRpcServer(transport, ServerConfig.builder().build())) {
            assertThat(server.health().status()).isEqualTo(Health.Status.DOWN);
            assertThat(server.health().reasons()).containsExactly("the server is not started");
            server.handle("svc", "m", p -> 1).start();
            assertThat(server.health().reasons()).containsExactly("service 'svc': transport loop dead: x");
        }
    }
}
