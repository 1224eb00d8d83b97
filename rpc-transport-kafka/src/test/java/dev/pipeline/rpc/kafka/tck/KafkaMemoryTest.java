package dev.pipeline.rpc.kafka.tck;

import dev.pipeline.rpc.tck.MemorySuite;
import dev.pipeline.rpc.tck.TransportFixture;

/** The TCK's memory suite on Kafka. */
class KafkaMemoryTest extends MemorySuite {
    @Override
    protected TransportFixture fixture() {
        return new KafkaTckFixture();
    }
}
