package dev.pipeline.rpc.tck.selftest;

import dev.pipeline.rpc.tck.DeliverySuite;
import dev.pipeline.rpc.tck.TransportFixture;

import java.time.Duration;
import java.util.UUID;

/**
 * The delivery suite on a transport that honestly lacks PERSISTENT, REDELIVERY_AFTER_CRASH and DEAD_LETTER
 * ({@code tck-at-most-once:}): exercises the suite's "fails clearly" checks, which must pass.
 */
class AtMostOnceDeliveryTest extends DeliverySuite {
    @Override
    protected TransportFixture fixture() {
        return new TransportFixture() {
            private final String uri = "tck-at-most-once:tck-" + UUID.randomUUID();

            @Override
            public String uri() {
                return uri;
            }

            @Override
            public Duration callTimeout() {
                return Duration.ofSeconds(10);
            }
        };
    }
}
