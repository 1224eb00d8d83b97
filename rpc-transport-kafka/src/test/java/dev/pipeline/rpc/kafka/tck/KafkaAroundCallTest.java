package dev.pipeline.rpc.kafka.tck;

import dev.pipeline.rpc.tck.AroundCallSuite;
import dev.pipeline.rpc.tck.TransportFixture;

/** The TCK's around-call suite on Kafka. */
class KafkaAroundCallTest extends AroundCallSuite {
    @Override
    protected TransportFixture fixture() {
        return new KafkaTckFixture();
    }
}
