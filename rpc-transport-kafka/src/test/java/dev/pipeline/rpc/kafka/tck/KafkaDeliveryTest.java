package dev.pipeline.rpc.kafka.tck;

import dev.pipeline.rpc.tck.DeliverySuite;
import dev.pipeline.rpc.tck.TransportFixture;

/** The TCK's delivery suite on Kafka. */
class KafkaDeliveryTest extends DeliverySuite {
    @Override
    protected TransportFixture fixture() {
        return new KafkaTckFixture();
    }
}
