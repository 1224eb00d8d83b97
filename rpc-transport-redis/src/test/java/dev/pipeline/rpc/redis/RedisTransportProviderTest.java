package dev.pipeline.rpc.redis;

import dev.pipeline.rpc.spi.Transport;
import dev.pipeline.rpc.spi.TransportProvider;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RedisTransportProviderTest {

    @Test
    void aKilledServersRequestsAreClaimedWithinSecondsByDefault() {
        RedisTransportConfig defaults = RedisTransportConfig.defaults();
        assertThat(defaults.claimIdle()).isEqualTo(Duration.ofSeconds(3));
        assertThat(defaults.blockTimeout()).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void serviceLoaderFindsBothSchemes() {
        Map<String, TransportProvider> byScheme = new TreeMap<>();
        for (TransportProvider p : ServiceLoader.load(TransportProvider.class)) {
            byScheme.put(p.scheme(), p);
        }
        assertThat(byScheme).containsKeys("redis", "rediss");
        assertThat(byScheme.get("redis").defaultUri()).isEqualTo(URI.create("redis://localhost:6379"));
        assertThat(byScheme.get("rediss").defaultUri()).isEqualTo(URI.create("rediss://localhost:6379"));
    }

    @Test
    void optionsComeFromTheQueryAndProperties() {
        try (Transport t = new RedisTransportProvider().open(
                URI.create("redis://user:secret@127.0.0.1:1/3?keyPrefix=app:&claimIdle=1500ms&timeout=5s"),
                Map.of("maxDeliveries", "7", "maxMessageBytes", "4096"))) {
            RedisTransport rt = (RedisTransport) t;
            assertThat(rt.config.keyPrefix()).isEqualTo("app:");
            assertThat(rt.config.claimIdle()).isEqualTo(Duration.ofMillis(1500));
            assertThat(rt.config.maxDeliveries()).isEqualTo(7);
            assertThat(t.capabilities().maxMessageBytes()).isEqualTo(4096);
            assertThat(rt.requestStream("calc")).isEqualTo("app:calc");
            assertThat(rt.deadLetterStream("calc")).isEqualTo("app:calc:dlq");
            assertThat(rt.replyStream("c1")).isEqualTo("app:reply:c1");
            assertThat(rt.display).isEqualTo("redis://127.0.0.1:1/3").doesNotContain("secret");
        }
    }

    @Test
    void badAddressesAndOptionsGiveOneLineErrors() {
        RedisTransportProvider p = new RedisTransportProvider();
        assertThatThrownBy(() -> p.open(URI.create("redis://h:1?claimIdle=soon"), Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("claimIdle");
        assertThatThrownBy(() -> p.open(URI.create("redis://h:1"), Map.of("nope", "1")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown Redis transport option 'nope'");
        assertThatThrownBy(() -> p.open(URI.create("redis://u:pw@h:1/notadb"), Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("database index")
                .hasMessageNotContaining("pw");
        assertThatThrownBy(() -> p.open(URI.create("kafka://h:1"), Map.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RedisTransportConfig.builder().maxDeliveries(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maxDeliveries must be >= 1, was 0");
        assertThatThrownBy(() -> RedisTransportConfig.builder().consumerIdleTimeout(Duration.ofSeconds(1)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("consumerIdleTimeout");
    }
}
