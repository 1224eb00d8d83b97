package dev.pipeline.rpc.kafka.tck;

import dev.pipeline.rpc.tck.DedupSuite;
import dev.pipeline.rpc.tck.TransportFixture;

/** The TCK's dedup suite on Kafka. */
class KafkaDedupTest extends DedupSuite {
    @Override
    protected TransportFixture fixture() {
        return new KafkaTckFixture();
    }
}
