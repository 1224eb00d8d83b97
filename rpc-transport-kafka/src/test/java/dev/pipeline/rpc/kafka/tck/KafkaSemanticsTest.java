package dev.pipeline.rpc.kafka.tck;

import dev.pipeline.rpc.tck.SemanticsSuite;
import dev.pipeline.rpc.tck.TransportFixture;

/** The TCK's semantics suite on Kafka. */
class KafkaSemanticsTest extends SemanticsSuite {
    @Override
    protected TransportFixture fixture() {
        return new KafkaTckFixture();
    }
}
