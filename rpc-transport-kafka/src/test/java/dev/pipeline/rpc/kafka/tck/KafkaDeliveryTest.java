package dev.pipeline.rpc.kafka.tck;

import dev.pipeline.rpc.tck.DeliverySuite;
import dev.pipeline.rpc.tck.TransportFixture;

class KafkaDeliveryTest extends DeliverySuite {
    @Override
    protected TransportFixture fixture() {
        return new KafkaTckFixture();
    }
}
