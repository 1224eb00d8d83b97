package dev.pipeline.rpc.redis.tck;

import dev.pipeline.rpc.tck.DeliverySuite;
import dev.pipeline.rpc.tck.TransportFixture;

/** The TCK's delivery suite through Redis Streams (crashes, redelivery, dead letters, broker restart...). */
class RedisDeliveryTest extends DeliverySuite {
    @Override
    protected TransportFixture fixture() {
        return new RedisTckFixture();
    }
}
