package dev.pipeline.rpc.tck.selftest;

import dev.pipeline.rpc.tck.IntrospectionSuite;
import dev.pipeline.rpc.tck.TransportFixture;

/** The introspection suite on the in-process transport. */
class InprocIntrospectionTest extends IntrospectionSuite {
    @Override
    protected TransportFixture fixture() {
        return new InprocFixture();
    }
}
