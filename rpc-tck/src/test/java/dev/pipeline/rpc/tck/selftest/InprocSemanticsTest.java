package dev.pipeline.rpc.tck.selftest;

import dev.pipeline.rpc.tck.SemanticsSuite;
import dev.pipeline.rpc.tck.TransportFixture;

/** The semantics suite on the in-process transport: shows the kit itself is sound. */
class InprocSemanticsTest extends SemanticsSuite {
    @Override
    protected TransportFixture fixture() {
        return new InprocFixture();
    }
}
