package dev.pipeline.rpc.redis.tck;

import dev.pipeline.rpc.spi.WireHeaders;
import dev.pipeline.rpc.tck.ProxiedBroker;
import dev.pipeline.rpc.tck.RawMessage;
import dev.pipeline.rpc.tck.TransportFixture;
import dev.pipeline.rpc.tck.broker.RedisBroker;
import dev.pipeline.rpc.tck.broker.TcpProxy;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.protocol.ProtocolVersion;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The TCK on Redis: the Redis named by {@code -Dpipeline.redis.uri} / {@code PIPELINE_REDIS_URI}, else a local
 * {@code redis-server} with its append-only file on (so the broker-restart test keeps its data), one per JVM.
 */
public final class RedisTckFixture extends TransportFixture {
    private static RedisBroker local;
    private static RedisClient inspector;
    private static StatefulRedisConnection<String, byte[]> connection;

    private final RedisBroker broker;

    public RedisTckFixture() {
        broker = broker();
    }

    private static synchronized RedisBroker broker() {
        String given = System.getProperty(RedisBroker.URI_PROPERTY, System.getenv(RedisBroker.URI_ENV));
        if (given != null && !given.isBlank()) {
            return RedisBroker.shared();
        }
        if (local == null) {
            local = RedisBroker.startLocal(true); // stopped by its shutdown hook when the JVM exits
        }
        return local;
    }

    private synchronized StatefulRedisConnection<String, byte[]> redis() {
        if (connection == null) {
            inspector = RedisClient.create(broker.uri().toString());
            inspector.setOptions(ClientOptions.builder().protocolVersion(ProtocolVersion.RESP2).build());
            connection = inspector.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
        }
        return connection;
    }

    @Override
    public String uri() {
        return broker.uri().toString();
    }

    /** Claims after 2 s instead of 10 s, so the crash scenarios finish quickly. */
    @Override
    public Map<String, String> properties() {
        return Map.of("claimIdle", "2s");
    }

    @Override
    public Duration redeliveryTimeout() {
        return Duration.ofSeconds(30);
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
    public boolean canProxy() {
        return true;
    }

    @Override
    public ProxiedBroker proxied() {
        java.net.URI direct = broker.uri();
        TcpProxy proxy = TcpProxy.start(direct.getHost(), direct.getPort());
        try {
            java.net.URI through = new java.net.URI(direct.getScheme(), direct.getUserInfo(), "127.0.0.1",
                    proxy.port(), direct.getPath(), direct.getQuery(), direct.getFragment());
            return new ProxiedBroker(direct.toString(), through.toString(), proxy, null);
        } catch (java.net.URISyntaxException e) {
            proxy.close();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public boolean canKillBroker() {
        return broker.restartable();
    }

    @Override
    public void killBroker() {
        broker.kill();
    }

    @Override
    public void startKilledBroker() {
        broker.restart();
    }

    @Override
    public boolean canInjectRaw() {
        return true;
    }

    @Override
    public void injectRaw(String service, byte[] body, Map<String, String> headers) {
        Map<String, byte[]> fields = new LinkedHashMap<>();
        headers.forEach((k, v) -> fields.put(k, v.getBytes(StandardCharsets.UTF_8)));
        fields.put(WireHeaders.BODY, body);
        redis().sync().xadd("rpc:" + service, fields);
    }

    @Override
    public void injectRawFields(String service, byte[] body, List<Map.Entry<String, byte[]>> fields) {
        Object[] pairs = new Object[2 * fields.size() + 2];
        int i = 0;
        for (Map.Entry<String, byte[]> f : fields) {
            pairs[i++] = f.getKey();
            pairs[i++] = f.getValue();
        }
        pairs[i++] = WireHeaders.BODY;
        pairs[i] = body;
        redis().sync().xadd("rpc:" + service, pairs);
    }

    @Override
    public boolean canReadDeadLetters() {
        return true;
    }

    @Override
    public List<RawMessage> deadLetters(String service, int atLeast, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<StreamMessage<String, byte[]>> entries = redis().sync().xrange("rpc:" + service + ":dlq",
                    Range.create("-", "+"));
            if (entries.size() >= atLeast || System.nanoTime() - deadline >= 0) {
                List<RawMessage> out = new ArrayList<>();
                for (StreamMessage<String, byte[]> e : entries) {
                    Map<String, String> headers = new LinkedHashMap<>();
                    e.getBody().forEach((k, v) -> {
                        if (!k.equals(WireHeaders.BODY)) {
                            headers.put(k, new String(v, StandardCharsets.UTF_8));
                        }
                    });
                    out.add(new RawMessage(e.getBody().getOrDefault(WireHeaders.BODY, new byte[0]), headers));
                }
                return out;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                return List.of();
            }
        }
    }
}
