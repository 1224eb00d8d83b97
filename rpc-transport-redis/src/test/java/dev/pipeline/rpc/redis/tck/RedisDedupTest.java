package dev.pipeline.rpc.redis.tck;

import dev.pipeline.rpc.tck.DedupSuite;
import dev.pipeline.rpc.tck.TransportFixture;

/** The TCK's dedup suite on Redis. */
class RedisDedupTest extends DedupSuite {
    @Override
    protected TransportFixture fixture() {
        return new RedisTckFixture();
    }
}
