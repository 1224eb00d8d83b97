package dev.pipeline.rpc.redis.tck;

import dev.pipeline.rpc.tck.AroundCallSuite;
import dev.pipeline.rpc.tck.TransportFixture;

/** The TCK's around-call suite on Redis. */
class RedisAroundCallTest extends AroundCallSuite {
    @Override
    protected TransportFixture fixture() {
        return new RedisTckFixture();
    }
}
