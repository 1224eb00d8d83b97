package dev.pipeline.rpc.cli;

import java.util.concurrent.atomic.AtomicLong;

/** A class for {@code serve --class}: public, with a public no-argument constructor. */
public class Counter {
    private final AtomicLong value = new AtomicLong();

    public Counter() {
    }

    public long increment(long by) {
        return value.addAndGet(by);
    }

    public long value() {
        return value.get();
    }
}
