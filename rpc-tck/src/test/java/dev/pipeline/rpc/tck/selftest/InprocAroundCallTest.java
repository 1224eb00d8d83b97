package dev.pipeline.rpc.tck.selftest;

import dev.pipeline.rpc.tck.AroundCallSuite;
import dev.pipeline.rpc.tck.TransportFixture;

/** The around-call suite on the in-process transport. */
class InprocAroundCallTest extends AroundCallSuite {
    @Override
    protected TransportFixture fixture() {
        return new InprocFixture();
    }
}
