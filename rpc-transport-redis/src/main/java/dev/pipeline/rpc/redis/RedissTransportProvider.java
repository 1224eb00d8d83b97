package dev.pipeline.rpc.redis;

/**
 * The Redis Streams transport over TLS: scheme {@code rediss}, e.g. {@code rediss://user:password@host:6380/0}
 * ({@code ?verifyPeer=NONE} skips certificate checks, for development only). Behaves as {@link RedisTransportProvider}.
 */
public final class RedissTransportProvider extends RedisTransportProvider {
    /** Creates the provider; used by {@link java.util.ServiceLoader}. */
    public RedissTransportProvider() {
        super("rediss");
    }
}
