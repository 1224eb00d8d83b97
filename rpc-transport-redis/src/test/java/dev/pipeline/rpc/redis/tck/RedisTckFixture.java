package dev.pipeline.rpc.redis.tck;

import dev.pipeline.rpc.spi.WireHeaders;
import dev.pipeline.rpc.tck.RawMessage;
import dev.pipeline.rpc.tck.TransportFixture;
import dev.pipeline.rpc.tck.broker.RedisBroker;
import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The Redis server of the provisioning ladder, for the TCK suites. */
final class RedisTckFixture extends TransportFixture {
    private final RedisBroker broker = RedisBroker.shared();

    @Override
    public String uri() {
        return broker.uri().toString();
    }

    @Override
    public boolean canRestartBroker() {
        return broker.restartable();
    }

    @Override
    public void restartBroker() {
        broker.restart();
    }

    @Override
    public boolean canInjectRaw() {
        return true;
    }

    @Override
    public void injectRaw(String service, byte[] body, Map<String, String> headers) {
        withRedis(c -> {
            Map<byte[], byte[]> fields = new java.util.LinkedHashMap<>();
            fields.put(utf8(WireHeaders.BODY), body);
            headers.forEach((k, v) -> fields.put(utf8(k), utf8(v)));
            c.sync().xadd(utf8("rpc:" + service), fields);
            return null;
        });
    }

    @Override
    public boolean canReadDeadLetters() {
        return true;
    }

    @Override
    public List<RawMessage> deadLetters(String service, int atLeast, Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<RawMessage> found = withRedis(c -> {
                List<RawMessage> out = new ArrayList<>();
                for (StreamMessage<byte[], byte[]> m : c.sync().xrange(utf8("rpc:" + service + ":dlq"),
                        io.lettuce.core.Range.create("-", "+"))) {
                    Map<String, String> h = new HashMap<>();
                    byte[] body = new byte[0];
                    for (Map.Entry<byte[], byte[]> f : m.getBody().entrySet()) {
                        String k = new String(f.getKey(), StandardCharsets.UTF_8);
                        if (k.equals(WireHeaders.BODY)) {
                            body = f.getValue();
                        } else {
                            h.put(k, new String(f.getValue(), StandardCharsets.UTF_8));
                        }
                    }
                    out.add(new RawMessage(body, h));
                }
                return out;
            });
            if (found.size() >= atLeast || System.nanoTime() > end) {
                return found;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return found;
            }
        }
    }

    private <T> T withRedis(java.util.function.Function<StatefulRedisConnection<byte[], byte[]>, T> f) {
        RedisClient client = RedisClient.create(broker.uri().toString());
        try (StatefulRedisConnection<byte[], byte[]> c = client.connect(ByteArrayCodec.INSTANCE)) {
            return f.apply(c);
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
