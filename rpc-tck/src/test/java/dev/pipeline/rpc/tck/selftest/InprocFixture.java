package dev.pipeline.rpc.tck.selftest;

import dev.pipeline.rpc.tck.TransportFixture;

import java.util.UUID;

/** The in-process transport: each fixture is its own in-process "broker". */
public class InprocFixture extends TransportFixture {
    private final String uri = "inproc:tck-" + UUID.randomUUID();

    @Override
    public String uri() {
        return uri;
    }
}
