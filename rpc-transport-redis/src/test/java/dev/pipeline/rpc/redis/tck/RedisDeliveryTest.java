package dev.pipeline.rpc.redis.tck;

import dev.pipeline.rpc.tck.DeliverySuite;
import dev.pipeline.rpc.tck.TransportFixture;

class RedisDeliveryTest extends DeliverySuite {
    @Override
    protected TransportFixture fixture() {
        return new RedisTckFixture();
    }
}
