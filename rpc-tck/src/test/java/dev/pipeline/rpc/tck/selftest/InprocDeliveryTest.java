package dev.pipeline.rpc.tck.selftest;

import dev.pipeline.rpc.tck.DeliverySuite;
import dev.pipeline.rpc.tck.TransportFixture;

/** The delivery suite on the in-process transport (not persistent: the suite checks that fails clearly). */
class InprocDeliveryTest extends DeliverySuite {
    @Override
    protected TransportFixture fixture() {
        return new InprocFixture();
    }
}
