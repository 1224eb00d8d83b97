package dev.pipeline.rpc.redis.tck;

import dev.pipeline.rpc.tck.MemorySuite;
import dev.pipeline.rpc.tck.TransportFixture;

/** The TCK's memory suite on Redis. */
class RedisMemoryTest extends MemorySuite {
    @Override
    protected TransportFixture fixture() {
        return new RedisTckFixture();
    }
}
