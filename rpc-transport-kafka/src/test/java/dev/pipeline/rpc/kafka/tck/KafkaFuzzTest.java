package dev.pipeline.rpc.kafka.tck;

import dev.pipeline.rpc.tck.FuzzSuite;
import dev.pipeline.rpc.tck.TransportFixture;

/** The TCK's fuzz suite on Kafka. */
class KafkaFuzzTest extends FuzzSuite {
    @Override
    protected TransportFixture fixture() {
        return new KafkaTckFixture();
    }
}
