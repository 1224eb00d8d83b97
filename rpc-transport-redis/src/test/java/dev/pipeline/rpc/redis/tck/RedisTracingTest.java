package dev.pipeline.rpc.redis.tck;

import dev.pipeline.rpc.tck.TracingSuite;
import dev.pipeline.rpc.tck.TransportFixture;

/** The TCK's tracing suite on Redis. */
class RedisTracingTest extends TracingSuite {
    @Override
    protected TransportFixture fixture() {
        return new RedisTckFixture();
    }
}
