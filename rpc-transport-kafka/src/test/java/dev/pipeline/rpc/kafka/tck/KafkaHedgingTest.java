package dev.pipeline.rpc.kafka.tck;

import dev.pipeline.rpc.tck.HedgingSuite;
import dev.pipeline.rpc.tck.TransportFixture;

/** The TCK's hedging suite on Kafka: a held call to an idempotent method completes through a hedge. */
class KafkaHedgingTest extends HedgingSuite {
    @Override
    protected TransportFixture fixture() {
        return new KafkaTckFixture();
    }
}
