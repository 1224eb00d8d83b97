package dev.pipeline.rpc.redis.tck;

import dev.pipeline.rpc.tck.OverloadSuite;
import dev.pipeline.rpc.tck.TransportFixture;

/** The TCK's overload suite on Redis. */
class RedisOverloadTest extends OverloadSuite {
    @Override
    protected TransportFixture fixture() {
        return new RedisTckFixture();
    }
}
