package dev.pipeline.rpc;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class MicrometerRpcMetricsTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final MicrometerRpcMetrics metrics = new MicrometerRpcMetrics(registry);

    @Test
    void timersAreTaggedAndCached() {
        metrics.clientCall("calc", "add", "inproc", RpcMetrics.OK, 1_000_000);
        metrics.clientCall("calc", "add", "inproc", RpcMetrics.OK, 3_000_000);
        metrics.clientCall("calc", "add", "inproc", RpcMetrics.TIMEOUT, 5_000_000);
        Timer ok = registry.get(MicrometerRpcMetrics.CLIENT_CALLS).tags("service", "calc", "method", "add",
                "transport", "inproc", "outcome", "ok").timer();
        assertThat(ok.count()).isEqualTo(2);
        assertThat(ok.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(4.0);
        assertThat(registry.get(MicrometerRpcMetrics.CLIENT_CALLS).tag("outcome", "timeout").timer().count())
                .isEqualTo(1);
        assertThat(registry.find(MicrometerRpcMetrics.CLIENT_CALLS).timers()).hasSize(2);

        metrics.serverRequest("calc", "add", "kafka", RpcMetrics.ERROR, 10);
        assertThat(registry.get(MicrometerRpcMetrics.SERVER_REQUESTS).tags("transport", "kafka", "outcome", "error")
                .timer().count()).isEqualTo(1);
    }

    @Test
    void counters() {
        metrics.timeout("calc", "inproc");
        metrics.timeout("calc", "inproc");
        metrics.lateReply("inproc");
        metrics.rejectedInput("calc", "inproc", "parse");
        metrics.rejectedInput(null, "inproc", "too-large");
        assertThat(registry.get(MicrometerRpcMetrics.CLIENT_TIMEOUTS).tags("service", "calc", "transport", "inproc")
                .counter().count()).isEqualTo(2);
        assertThat(registry.get(MicrometerRpcMetrics.CLIENT_LATE_REPLIES).tag("transport", "inproc").counter()
                .count()).isEqualTo(1);
        assertThat(registry.get(MicrometerRpcMetrics.SERVER_REJECTED).tags("reason", "parse", "service", "calc")
                .counter().count()).isEqualTo(1);
        assertThat(registry.get(MicrometerRpcMetrics.SERVER_REJECTED).tags("reason", "too-large", "service", "none")
                .counter().count()).isEqualTo(1);
    }

    @Test
    void refusedReplyAddressesAreCountedPerServiceAndTransportOnly() {
        metrics.refusedReplyAddress("calc", "kafka");
        metrics.refusedReplyAddress("calc", "kafka");
        metrics.refusedReplyAddress("calc", "redis");
        io.micrometer.core.instrument.Counter kafka = registry.get(MicrometerRpcMetrics.SERVER_REFUSED_REPLY_ADDRESSES)
                .tags("service", "calc", "transport", "kafka").counter();
        assertThat(kafka.count()).isEqualTo(2);
        assertThat(kafka.getId().getTags()).extracting(io.micrometer.core.instrument.Tag::getKey)
                .containsExactlyInAnyOrder("service", "transport");
        assertThat(registry.get(MicrometerRpcMetrics.SERVER_REFUSED_REPLY_ADDRESSES).counters()).hasSize(2);
    }

    @Test
    void hedgeCounters() {
        metrics.hedgeSent("calc", "add", "kafka");
        metrics.hedgeSent("calc", "add", "kafka");
        metrics.hedgeWon("calc", "add", "kafka");
        metrics.hedgeDenied("calc", "add", "kafka");
        assertThat(registry.get(MicrometerRpcMetrics.CLIENT_HEDGES_DENIED).tags("service", "calc", "method", "add",
                "transport", "kafka").counter().count()).isEqualTo(1);
        assertThat(registry.get(MicrometerRpcMetrics.CLIENT_HEDGES).tags("service", "calc", "method", "add",
                "transport", "kafka").counter().count()).isEqualTo(2);
        assertThat(registry.get(MicrometerRpcMetrics.CLIENT_HEDGES_WON).tags("service", "calc", "method", "add",
                "transport", "kafka").counter().count()).isEqualTo(1);
    }
}
