package dev.pipeline.rpc.kafka.tck;

import dev.pipeline.rpc.tck.FaultSuite;
import dev.pipeline.rpc.tck.TransportFixture;

/** The TCK's fault suite on Kafka. */
class KafkaFaultTest extends FaultSuite {
    @Override
    protected TransportFixture fixture() {
        return new KafkaTckFixture();
    }
}
