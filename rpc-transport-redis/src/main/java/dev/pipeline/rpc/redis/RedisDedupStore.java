package dev.pipeline.rpc.redis;

import dev.pipeline.rpc.spi.DedupStore;
import dev.pipeline.rpc.spi.Secrets;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A {@link DedupStore} in Redis, shared by every server instance that opens it on the same Redis: a request that
 * reaches another instance after its first server died (a broker's redelivery, a client's retry) is answered from
 * the outcome that server stored. Works beside any transport (a Kafka server may keep its window in Redis).
 *
 * <p>Each entry is one string key {@code <keyPrefix>dedup:<service>:<digest>} (the key prefix of the URI's options,
 * {@code rpc:} by default) written with {@code SET ... PX <window>} and read with {@code GET}: a Redis user needs
 * {@code +get +set} on those keys (the server ACL shipped with the transport has them). With Redis's default
 * {@code maxmemory-policy noeviction} a full Redis refuses the write: the server logs it and answers without storing.
 *
 * <pre>{@code
 * DedupStore window = RedisDedupStore.open("redis://127.0.0.1:6379");
 * RpcServer server = Rpc.server("kafka://127.0.0.1:9092", ServerConfig.builder().dedupStore(window).build());
 * }</pre>
 */
public final class RedisDedupStore implements DedupStore {
    private final RedisTransport redis;
    private final String prefix;
    private final long timeoutMillis;

    private RedisDedupStore(RedisTransport redis) {
        this.redis = redis;
        this.prefix = redis.config.keyPrefix() + "dedup:";
        this.timeoutMillis = redis.config.commandTimeout().toMillis();
    }

    /**
     * Opens a store on the Redis at {@code uri} ({@code redis://} or {@code rediss://}, with the same user, TLS and
     * options as the transport's URIs). Connects on first use.
     *
     * @param uri the Redis to keep the window in
     * @return a new store; close it when the servers using it are closed
     * @throws IllegalArgumentException for a malformed URI (its message masks the password)
     */
    public static RedisDedupStore open(String uri) {
        Objects.requireNonNull(uri, "uri");
        URI parsed;
        try {
            parsed = URI.create(uri);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("malformed Redis URI: " + Secrets.mask(e.getMessage()));
        }
        return new RedisDedupStore((RedisTransport) new RedisTransportProvider().open(parsed, Map.of()));
    }

    @Override
    public byte[] get(String key) throws Exception {
        return await(connection().async().get(prefix + key).toCompletableFuture());
    }

    @Override
    public void put(String key, byte[] value, Duration ttl) throws Exception {
        await(connection().async().set(prefix + key, value, SetArgs.Builder.px(Math.max(1, ttl.toMillis())))
                .toCompletableFuture());
    }

    private StatefulRedisConnection<String, byte[]> connection() throws Exception {
        return await(redis.commands.get());
    }

    private <T> T await(java.util.concurrent.CompletableFuture<T> f) throws Exception {
        try {
            return f.get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new IllegalStateException(Secrets.mask(String.valueOf(cause.getMessage())), null);
        } catch (TimeoutException e) {
            f.cancel(false);
            throw new IllegalStateException("no answer from Redis at " + redis.display + " within " + timeoutMillis
                    + " ms");
        }
    }

    /** Closes the store's connection; later reads and writes fail. */
    @Override
    public void close() {
        redis.close();
    }

    /** {@return "Redis dedup store at" and the Redis address, without credentials} */
    @Override
    public String toString() {
        return "Redis dedup store at " + redis.display;
    }
}
