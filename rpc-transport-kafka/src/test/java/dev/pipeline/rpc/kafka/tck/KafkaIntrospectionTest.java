package dev.pipeline.rpc.kafka.tck;

import dev.pipeline.rpc.tck.IntrospectionSuite;
import dev.pipeline.rpc.tck.TransportFixture;

/** The TCK's introspection suite on Kafka. */
class KafkaIntrospectionTest extends IntrospectionSuite {
    @Override
    protected TransportFixture fixture() {
        return new KafkaTckFixture();
    }
}
