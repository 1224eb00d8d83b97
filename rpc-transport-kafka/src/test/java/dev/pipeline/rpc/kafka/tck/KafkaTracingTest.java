package dev.pipeline.rpc.kafka.tck;

import dev.pipeline.rpc.tck.TracingSuite;
import dev.pipeline.rpc.tck.TransportFixture;

/** The TCK's tracing suite on Kafka. */
class KafkaTracingTest extends TracingSuite {
    @Override
    protected TransportFixture fixture() {
        return new KafkaTckFixture();
    }
}
