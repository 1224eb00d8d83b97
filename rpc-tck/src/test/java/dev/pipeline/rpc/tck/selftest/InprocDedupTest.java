package dev.pipeline.rpc.tck.selftest;

import dev.pipeline.rpc.tck.DedupSuite;
import dev.pipeline.rpc.tck.TransportFixture;

/** The dedup suite on the in-process transport. */
class InprocDedupTest extends DedupSuite {
    @Override
    protected TransportFixture fixture() {
        return new InprocFixture();
    }
}
