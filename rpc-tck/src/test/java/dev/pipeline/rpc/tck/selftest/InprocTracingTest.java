package dev.pipeline.rpc.tck.selftest;

import dev.pipeline.rpc.tck.TracingSuite;
import dev.pipeline.rpc.tck.TransportFixture;

/** The tracing suite on the in-process transport. */
class InprocTracingTest extends TracingSuite {
    @Override
    protected TransportFixture fixture() {
        return new InprocFixture();
    }
}
