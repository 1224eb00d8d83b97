package dev.pipeline.rpc.redis.tck;

import dev.pipeline.rpc.tck.FuzzSuite;
import dev.pipeline.rpc.tck.TransportFixture;

/** The TCK's fuzz suite on Redis. */
class RedisFuzzTest extends FuzzSuite {
    @Override
    protected TransportFixture fixture() {
        return new RedisTckFixture();
    }
}
