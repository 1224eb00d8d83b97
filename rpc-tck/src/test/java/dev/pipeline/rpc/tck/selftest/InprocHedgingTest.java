package dev.pipeline.rpc.tck.selftest;

import dev.pipeline.rpc.tck.HedgingSuite;
import dev.pipeline.rpc.tck.TransportFixture;

/** The hedging suite on the in-process transport. */
class InprocHedgingTest extends HedgingSuite {
    @Override
    protected TransportFixture fixture() {
        return new InprocFixture();
    }
}
