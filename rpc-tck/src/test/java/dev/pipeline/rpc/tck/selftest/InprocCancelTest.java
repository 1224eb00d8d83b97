package dev.pipeline.rpc.tck.selftest;

import dev.pipeline.rpc.tck.CancelSuite;
import dev.pipeline.rpc.tck.TransportFixture;

/** The cancel suite on the in-process transport. */
class InprocCancelTest extends CancelSuite {
    @Override
    protected TransportFixture fixture() {
        return new InprocFixture();
    }
}
