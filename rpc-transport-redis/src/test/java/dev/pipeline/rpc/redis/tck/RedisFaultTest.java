package dev.pipeline.rpc.redis.tck;

import dev.pipeline.rpc.tck.FaultSuite;
import dev.pipeline.rpc.tck.TransportFixture;

/** The TCK's fault suite on Redis. */
class RedisFaultTest extends FaultSuite {
    @Override
    protected TransportFixture fixture() {
        return new RedisTckFixture();
    }
}
