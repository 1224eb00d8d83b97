package dev.pipeline.rpc.tck.selftest;

import dev.pipeline.rpc.tck.FuzzSuite;
import dev.pipeline.rpc.tck.TransportFixture;

/** The fuzz suite on the in-process transport. */
class InprocFuzzTest extends FuzzSuite {
    @Override
    protected TransportFixture fixture() {
        return new InprocFixture();
    }
}
