package dev.pipeline.rpc.bench;

import dev.pipeline.rpc.bench.ComparisonResult.Role;
import dev.pipeline.rpc.tck.latency.RoundTrip;
import io.lettuce.core.Consumer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The Redis floor: plain Lettuce on Redis Streams. The client XADDs a request (fields {@code id}, {@code body}) to a
 * request stream; a server thread reads it with blocking XREADGROUP, XADDs the body back to the client's reply
 * stream and XACKs (pipelined, after the reply, as at-least-once needs); a client thread reads replies with blocking
 * XREAD and completes the caller's future. Blocking reads on their own connections, XADD/XACK pipelined on one
 * connection per side, streams trimmed with {@code MAXLEN ~ 100000}, COUNT 128 per read.
 */
final class RedisRawContender extends Contender {
    private static final Logger log = LoggerFactory.getLogger(RedisRawContender.class);
    private static final long MAX_LEN = 100_000;
    private static final int COUNT = 128;

    private final String uri;
    private final String suffix = UUID.randomUUID().toString().substring(0, 8);
    private final String requestStream = "bench-raw:req:" + suffix;
    private final String replyStream = "bench-raw:rep:" + suffix;
    private final String group = "bench-raw:" + suffix;
    private final ConcurrentHashMap<String, CompletableFuture<Void>> pending = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final List<Thread> threads = new ArrayList<>();
    private final List<StatefulRedisConnection<String, String>> connections = new ArrayList<>();
    private final XAddArgs addArgs = new XAddArgs().maxlen(MAX_LEN).approximateTrimming();
    private volatile boolean stop;
    private RedisClient client;
    private RedisAsyncCommands<String, String> clientCommands;

    RedisRawContender(String uri) {
        super("redis", "raw floor", Role.FLOOR);
        this.uri = uri;
    }

    @Override
    String setup() {
        return "Lettuce: XADD request → XREADGROUP (blocking) → XADD reply + XACK (pipelined) → XREAD (blocking);"
                + " MAXLEN ~ " + MAX_LEN + ", COUNT " + COUNT;
    }

    @Override
    void start() throws Exception {
        client = RedisClient.create(RedisURI.create(uri));
        clientCommands = connect().async();
        RedisCommands<String, String> admin = connect().sync();
        admin.xgroupCreate(XReadArgs.StreamOffset.from(requestStream, "0"), group,
                XGroupCreateArgs.Builder.mkstream());
        RedisCommands<String, String> serverReads = connect().sync();
        RedisAsyncCommands<String, String> serverCommands = connect().async();
        RedisCommands<String, String> replyReads = connect().sync();
        Consumer<String> consumer = Consumer.from(group, "server-1");
        XReadArgs readGroupArgs = XReadArgs.Builder.block(500).count(COUNT);
        threads.add(loop("raw-redis-server", () -> {
            List<StreamMessage<String, String>> batch = serverReads.xreadgroup(consumer, readGroupArgs,
                    XReadArgs.StreamOffset.lastConsumed(requestStream));
            if (batch == null || batch.isEmpty()) {
                return;
            }
            String[] acks = new String[batch.size()];
            int i = 0;
            for (StreamMessage<String, String> m : batch) {
                Map<String, String> body = m.getBody();
                serverCommands.xadd(body.get("reply"), addArgs, "id", body.get("id"), "body", body.get("body"));
                acks[i++] = m.getId();
            }
            serverCommands.xack(requestStream, group, acks);
        }));
        String[] last = {"0-0"};
        XReadArgs readArgs = XReadArgs.Builder.block(500).count(COUNT);
        threads.add(loop("raw-redis-replies", () -> {
            List<StreamMessage<String, String>> batch = replyReads.xread(readArgs,
                    XReadArgs.StreamOffset.from(replyStream, last[0]));
            if (batch == null) {
                return;
            }
            for (StreamMessage<String, String> m : batch) {
                last[0] = m.getId();
                CompletableFuture<Void> f = pending.remove(m.getBody().get("id"));
                if (f != null) {
                    f.complete(null);
                }
            }
        }));
        Contender.awaitFirstReply(this, Duration.ofSeconds(60));
    }

    private StatefulRedisConnection<String, String> connect() {
        StatefulRedisConnection<String, String> c = client.connect(StringCodec.UTF8);
        connections.add(c);
        return c;
    }

    private Thread loop(String name, Runnable body) {
        Thread t = new Thread(() -> {
            while (!stop) {
                try {
                    body.run();
                } catch (RuntimeException e) {
                    if (!stop) {
                        log.warn("{}: {}", name, e.toString());
                    }
                }
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    @Override
    RoundTrip roundTrip() {
        return payload -> {
            long n = ids.incrementAndGet();
            String id = Long.toString(n);
            CompletableFuture<Void> f = new CompletableFuture<>();
            pending.put(id, f);
            String body = new String(Contender.jsonRequest(payload, n), StandardCharsets.UTF_8);
            clientCommands.xadd(requestStream, addArgs, "id", id, "reply", replyStream, "body", body)
                    .whenComplete((v, e) -> {
                        if (e != null && pending.remove(id) != null) {
                            f.completeExceptionally(e);
                        }
                    });
            return f;
        };
    }

    @Override
    public void close() {
        stop = true;
        Contender.join(threads);
        if (clientCommands != null) {
            try {
                clientCommands.del(requestStream, replyStream).get();
            } catch (Exception e) {
                log.debug("could not delete the bench streams: {}", e.toString());
            }
        }
        connections.forEach(StatefulRedisConnection::close);
        if (client != null) {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
        pending.values().forEach(f -> f.completeExceptionally(new IllegalStateException("closed")));
    }
}
