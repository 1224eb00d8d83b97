package dev.pipeline.rpc.kafka;

import dev.pipeline.rpc.spi.HandlerOutcome;
import dev.pipeline.rpc.spi.OutgoingRequest;
import dev.pipeline.rpc.spi.ReplyListener;
import dev.pipeline.rpc.spi.RequestHandler;
import dev.pipeline.rpc.spi.Transport;
import dev.pipeline.rpc.tck.broker.KafkaBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** Shared helpers: the broker from the fixture, unique names, an echo handler, a collecting listener. */
final class KafkaTestSupport {
    private KafkaTestSupport() {
    }

    static String bootstrap() {
        return KafkaBroker.shared().bootstrapServers();
    }

    static KafkaTransportConfig.Builder config() {
        return KafkaTransportConfig.builder().bootstrapServers(bootstrap());
    }

    static Transport transport() {
        return KafkaTransportProvider.open(config().build());
    }

    static Transport transport(KafkaTransportConfig config) {
        return KafkaTransportProvider.open(config);
    }

    static String uniqueService(String base) {
        return base + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap()));
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String str(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    /** Replies with the request body. */
    static RequestHandler echo() {
        return req -> CompletableFuture.completedFuture(HandlerOutcome.reply(req.body()));
    }

    static OutgoingRequest request(String correlationId, String body) {
        return new OutgoingRequest(utf8(body), correlationId, 0, null);
    }

    static OutgoingRequest notification(String body) {
        return new OutgoingRequest(utf8(body), null, 0, null);
    }

    /** What a test opened, closed last first with failures ignored (best effort, after each test). */
    static final class Closer {
        private final List<AutoCloseable> open = new java.util.ArrayList<>();

        <T extends AutoCloseable> T add(T c) {
            open.add(c);
            return c;
        }

        void closeAll() {
            for (int i = open.size() - 1; i >= 0; i--) {
                try {
                    open.get(i).close();
                } catch (Exception ignored) {
                    // best effort
                }
            }
            open.clear();
        }
    }

    /** Collects replies. */
    static final class Replies implements ReplyListener {
        final Map<String, String> byId = new ConcurrentHashMap<>();
        final List<String> ids = new CopyOnWriteArrayList<>();

        @Override
        public void onReply(String correlationId, byte[] body) {
            ids.add(correlationId);
            byId.put(correlationId, str(body));
        }
    }
}
