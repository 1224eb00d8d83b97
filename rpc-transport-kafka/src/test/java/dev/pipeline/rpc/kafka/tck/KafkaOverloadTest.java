package dev.pipeline.rpc.kafka.tck;

import dev.pipeline.rpc.tck.OverloadSuite;
import dev.pipeline.rpc.tck.TransportFixture;

/** The TCK's overload suite on Kafka. */
class KafkaOverloadTest extends OverloadSuite {
    @Override
    protected TransportFixture fixture() {
        return new KafkaTckFixture();
    }
}
