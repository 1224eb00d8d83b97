package dev.pipeline.rpc.spi;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class IncomingRequestTest {
    private static IncomingRequest withDeadline(long deadline) {
        return new IncomingRequest(new byte[0], "c1", null, deadline, null, null);
    }

    @Test
    void theDeadlinesOwnMillisecondCountsAsPassed() {
        // the client times out at or after the deadline it sent: from that millisecond on, the work must not start
        assertThat(withDeadline(1_000).expired(999)).isFalse();
        assertThat(withDeadline(1_000).expired(1_000)).isTrue();
        assertThat(withDeadline(1_000).expired(1_001)).isTrue();
    }

    @Test
    void noDeadlineNeverExpires() {
        assertThat(withDeadline(0).expired(Long.MAX_VALUE)).isFalse();
        assertThat(IncomingRequest.expired(0, Long.MAX_VALUE)).isFalse();
    }
}
