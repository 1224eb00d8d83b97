package dev.pipeline.rpc.kafka.tck;

import dev.pipeline.rpc.tck.CancelSuite;
import dev.pipeline.rpc.tck.TransportFixture;

/** The TCK's cancel suite on Kafka. */
class KafkaCancelTest extends CancelSuite {
    @Override
    protected TransportFixture fixture() {
        return new KafkaTckFixture();
    }
}
