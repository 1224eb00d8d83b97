package dev.pipeline.rpc.redis.tck;

import dev.pipeline.rpc.redis.RedisDedupStore;
import dev.pipeline.rpc.spi.DedupStore;
import dev.pipeline.rpc.tck.DedupSuite;
import dev.pipeline.rpc.tck.TransportFixture;

/** The TCK's dedup suite on Redis, the shared window kept in the same Redis ({@link RedisDedupStore}). */
class RedisDedupTest extends DedupSuite {
    @Override
    protected TransportFixture fixture() {
        return new RedisTckFixture();
    }

    @Override
    protected DedupStore sharedStore() {
        return RedisDedupStore.open(new RedisTckFixture().uri());
    }
}
