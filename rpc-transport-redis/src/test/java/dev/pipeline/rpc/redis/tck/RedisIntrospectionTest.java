package dev.pipeline.rpc.redis.tck;

import dev.pipeline.rpc.tck.IntrospectionSuite;
import dev.pipeline.rpc.tck.TransportFixture;

/** The TCK's introspection suite on Redis. */
class RedisIntrospectionTest extends IntrospectionSuite {
    @Override
    protected TransportFixture fixture() {
        return new RedisTckFixture();
    }
}
