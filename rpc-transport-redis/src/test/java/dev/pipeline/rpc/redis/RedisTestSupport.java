package dev.pipeline.rpc.redis;

import dev.pipeline.rpc.spi.ClientChannel;
import dev.pipeline.rpc.spi.ClientSettings;
import dev.pipeline.rpc.spi.HandlerOutcome;
import dev.pipeline.rpc.spi.OutgoingRequest;
import dev.pipeline.rpc.spi.RequestHandler;
import dev.pipeline.rpc.spi.ServerChannel;
import dev.pipeline.rpc.spi.ServerSettings;
import dev.pipeline.rpc.spi.Transport;
import dev.pipeline.rpc.tck.broker.RedisBroker;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.AfterEach;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** Shared plumbing of the transport tests: a real Redis from {@link RedisBroker}, cleanup of what a test opened. */
abstract class RedisTestSupport {
    /** Test settings: quick claims and maintenance so the scenarios finish fast. */
    static final RedisTransportConfig FAST = RedisTransportConfig.builder()
            .blockTimeout(Duration.ofMillis(500))
            .claimIdle(Duration.ofMillis(800))
            .maintenanceInterval(Duration.ofMillis(200))
            .consumerIdleTimeout(Duration.ofSeconds(2))
            .build();

    private final List<AutoCloseable> opened = new CopyOnWriteArrayList<>();
    private RedisClient inspector;
    private StatefulRedisConnection<String, String> inspection;

    static URI brokerUri() {
        return RedisBroker.shared().uri();
    }

    static String uniqueService() {
        return "svc-" + UUID.randomUUID().toString().substring(0, 8);
    }

    Transport transport(RedisTransportConfig config) {
        return transport(brokerUri(), config);
    }

    Transport transport(URI uri, RedisTransportConfig config) {
        Transport t = new RedisTransportProvider().open(uri, config);
        opened.add(t);
        return t;
    }

    /** A client channel whose replies land in {@code replies} (correlation id → body text). */
    ClientChannel client(Transport t, Map<String, String> replies) {
        return t.openClient(new ClientSettings("c-" + UUID.randomUUID()),
                (id, body) -> replies.put(id, new String(body, StandardCharsets.UTF_8)));
    }

    static ServerChannel server(Transport t, String service, int maxInFlight, RequestHandler handler) {
        ServerChannel s = t.openServer(service, new ServerSettings(maxInFlight, Duration.ofSeconds(5)), handler);
        s.start();
        return s;
    }

    /** Echoes the body, prefixed with {@code tag}. */
    static RequestHandler echo(String tag) {
        return r -> CompletableFuture.completedFuture(HandlerOutcome.reply(
                (tag + new String(r.body(), StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8)));
    }

    static OutgoingRequest request(String id, String body) {
        return new OutgoingRequest(body.getBytes(StandardCharsets.UTF_8), id, 0, null);
    }

    static OutgoingRequest notification(String body) {
        return new OutgoingRequest(body.getBytes(StandardCharsets.UTF_8), null, 0, null);
    }

    /** Synchronous string commands on the broker, to look at what the transport left there. */
    RedisCommands<String, String> redis() {
        return redis(brokerUri());
    }

    RedisCommands<String, String> redis(URI uri) {
        if (inspection == null) {
            inspector = RedisClient.create(uri.toString());
            inspector.setOptions(io.lettuce.core.ClientOptions.builder()
                    .protocolVersion(io.lettuce.core.protocol.ProtocolVersion.RESP2).build());
            inspection = inspector.connect();
        }
        return inspection.sync();
    }

    static Map<String, String> replies() {
        return new ConcurrentHashMap<>();
    }

    @AfterEach
    void closeOpened() throws Exception {
        List<AutoCloseable> reversed = new ArrayList<>(opened);
        java.util.Collections.reverse(reversed);
        for (AutoCloseable c : reversed) {
            c.close();
        }
        opened.clear();
        if (inspection != null) {
            inspection.close();
            inspector.shutdown();
            inspection = null;
        }
    }
}
