package dev.pipeline.rpc.redis.tck;

import dev.pipeline.rpc.tck.CancelSuite;
import dev.pipeline.rpc.tck.TransportFixture;

/** The TCK's cancel suite on Redis (one server instance: it receives every cancel). */
class RedisCancelTest extends CancelSuite {
    @Override
    protected TransportFixture fixture() {
        return new RedisTckFixture();
    }
}
