package dev.pipeline.rpc.tck.selftest;

import dev.pipeline.rpc.tck.TransportFixture;

import java.time.Duration;
import java.util.UUID;

/** A fixture on one of the {@link BrokenTransports}; short timeouts, since calls are expected to go missing. */
final class BrokenFixture extends TransportFixture {
    private final String uri;

    BrokenFixture(String scheme) {
        this.uri = scheme + ":tck-" + UUID.randomUUID();
    }

    @Override
    public String uri() {
        return uri;
    }

    @Override
    public Duration callTimeout() {
        return Duration.ofSeconds(3);
    }

    @Override
    public Duration redeliveryTimeout() {
        return Duration.ofSeconds(5);
    }
}
