/**
 * The Redis Streams transport: {@code redis://} and {@code rediss://} URIs.
 *
 * <p>Public surface: {@link dev.pipeline.rpc.redis.RedisTransportProvider} (found through
 * {@link java.util.ServiceLoader}), {@link dev.pipeline.rpc.redis.RedissTransportProvider} for TLS, and
 * {@link dev.pipeline.rpc.redis.RedisTransportConfig}. Requests of service {@code S} go to stream {@code rpc:S}
 * and are read through consumer group {@code rpc:S}; dead letters go to {@code rpc:S:dlq}; each client reads its
 * replies from its own stream {@code rpc:reply:<clientId>}. Needs Redis 6.2 or later. See docs/redis-transport.md.
 */
package dev.pipeline.rpc.redis;
