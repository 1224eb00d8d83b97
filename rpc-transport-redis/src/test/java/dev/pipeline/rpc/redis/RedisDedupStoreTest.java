package dev.pipeline.rpc.redis;

import dev.pipeline.rpc.tck.broker.RedisBroker;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** {@link RedisDedupStore} against a real redis-server: keys, time to live, failures. */
class RedisDedupStoreTest {
    private static RedisBroker broker;
    private static RedisClient inspector;
    private static StatefulRedisConnection<String, String> connection;

    @BeforeAll
    static void start() {
        broker = RedisBroker.startLocal(false);
        inspector = RedisClient.create(broker.uri().toString());
        connection = inspector.connect();
    }

    @AfterAll
    static void stop() {
        connection.close();
        inspector.shutdown();
        broker.close();
    }

    @Test
    void storesUnderTheDedupNamespaceWithTheWindowAsTimeToLive() throws Exception {
        RedisCommands<String, String> redis = connection.sync();
        String key = "svc:" + UUID.randomUUID();
        try (RedisDedupStore store = RedisDedupStore.open(broker.uri().toString())) {
            assertThat(store.get(key)).isNull();
            store.put(key, "value".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(60));
            assertThat(store.get(key)).asString(StandardCharsets.UTF_8).isEqualTo("value");
            assertThat(redis.type("rpc:dedup:" + key)).isEqualTo("string");
            assertThat(redis.pttl("rpc:dedup:" + key)).isBetween(1L, 60_000L);

            store.put(key + "-short", new byte[] {1}, Duration.ofMillis(200));
            await().atMost(Duration.ofSeconds(10)).until(() -> store.get(key + "-short") == null);
        }
        try (RedisDedupStore other = RedisDedupStore.open(broker.uri() + "?keyPrefix=app:")) {
            other.put(key, new byte[] {2}, Duration.ofSeconds(60));
            assertThat(redis.exists("app:dedup:" + key)).isEqualTo(1);
        }
    }

    @Test
    void anUnreachableRedisFailsEachCallWithAOneLineErrorWithoutThePassword() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try (RedisDedupStore store = RedisDedupStore.open("redis://user:marker-secret-7@127.0.0.1:" + port)) {
            assertThat(store.toString()).doesNotContain("marker-secret-7");
            assertThatThrownBy(() -> store.get("svc:x"))
                    .satisfies(e -> assertThat(e.getMessage()).contains("127.0.0.1:" + port)
                            .doesNotContain("marker-secret-7").doesNotContain("\n"));
        }
    }
}
