package dev.pipeline.rpc.tck.selftest;

import dev.pipeline.rpc.tck.OverloadSuite;
import dev.pipeline.rpc.tck.TransportFixture;

/** The overload suite on the in-process transport. */
class InprocOverloadTest extends OverloadSuite {
    @Override
    protected TransportFixture fixture() {
        return new InprocFixture();
    }
}
