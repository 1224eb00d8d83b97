package dev.pipeline.rpc.redis;

/**
 * The Redis Streams transport over TLS: scheme {@code rediss}, e.g.
 * {@code rediss://user:password@host:6380/0?trustStore=/etc/pipeline/redis-ca.pem}. The server's certificate must be
 * signed by a CA in {@code trustStore} (PEM, PKCS#12 or JKS; without it, the JVM's trust store) and name the host
 * ({@code verifyPeer=FULL}, the default; {@code CA} skips the name check, {@code NONE} every check, for development
 * only). Behaves as {@link RedisTransportProvider}.
 */
public final class RedissTransportProvider extends RedisTransportProvider {
    /** Creates the provider; used by {@link java.util.ServiceLoader}. */
    public RedissTransportProvider() {
        super("rediss");
    }
}
