package dev.pipeline.rpc.redis.tck;

import dev.pipeline.rpc.tck.HedgingSuite;
import dev.pipeline.rpc.tck.TransportFixture;

/** The TCK's hedging suite on Redis: a held call to an idempotent method completes through a hedge. */
class RedisHedgingTest extends HedgingSuite {
    @Override
    protected TransportFixture fixture() {
        return new RedisTckFixture();
    }
}
