package dev.pipeline.rpc.kafka;

import dev.pipeline.rpc.spi.IncomingRequest;
import dev.pipeline.rpc.spi.WireHeaders;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class KafkaHeadersTest {
    private static ConsumerRecord<byte[], byte[]> record(byte[] body, String... keyValues) {
        ConsumerRecord<byte[], byte[]> r = new ConsumerRecord<>("rpc.svc", 0, 7L, null, body);
        for (int i = 0; i < keyValues.length; i += 2) {
            r.headers().add(keyValues[i], keyValues[i + 1] == null ? null
                    : keyValues[i + 1].getBytes(StandardCharsets.UTF_8));
        }
        return r;
    }

    @Test
    void readsEveryWireHeaderAndTheLastOfARepeatedOneWins() {
        IncomingRequest in = KafkaHeaders.incoming(record("{}".getBytes(StandardCharsets.UTF_8),
                WireHeaders.RPC_ID, "1", WireHeaders.REPLY_TO, "rpc.replies:3", WireHeaders.DEADLINE, "1763776543123",
                WireHeaders.CLIENT, "c-x", WireHeaders.TRACEPARENT, "00-ab-cd-01", "other", "ignored",
                WireHeaders.RPC_ID, "2"));
        assertThat(in.body()).asString(StandardCharsets.UTF_8).isEqualTo("{}");
        assertThat(in.correlationId()).isEqualTo("2");
        assertThat(in.replyTo()).isEqualTo("rpc.replies:3");
        assertThat(in.deadlineEpochMillis()).isEqualTo(1763776543123L);
        assertThat(in.clientId()).isEqualTo("c-x");
        assertThat(in.traceparent()).isEqualTo("00-ab-cd-01");
    }

    @Test
    void readsTheTraceState() {
        IncomingRequest in = KafkaHeaders.incoming(record(new byte[0], WireHeaders.TRACEPARENT, "00-ab-cd-01",
                WireHeaders.TRACESTATE, "vendor=v1"));
        assertThat(in.tracestate()).isEqualTo("vendor=v1");
    }

    /**
     * The trace context is set, not added: a record already holding a traceparent (the OpenTelemetry Java agent's
     * Kafka instrumentation writes it too, with remove-then-add) ends up with exactly one of each header.
     */
    @Test
    void theTraceContextIsSetNeverAdded() {
        org.apache.kafka.common.header.internals.RecordHeaders h = new org.apache.kafka.common.header.internals
                .RecordHeaders();
        h.add(WireHeaders.TRACEPARENT, "00-stale-stale-01".getBytes(StandardCharsets.UTF_8));
        h.add(WireHeaders.TRACESTATE, "stale=1".getBytes(StandardCharsets.UTF_8));
        KafkaHeaders.putTraceContext(h, "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "vendor=v1");
        assertThat(h.headers(WireHeaders.TRACEPARENT)).hasSize(1);
        assertThat(h.headers(WireHeaders.TRACESTATE)).hasSize(1);
        assertThat(KafkaHeaders.get(h, WireHeaders.TRACEPARENT))
                .isEqualTo("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
        assertThat(KafkaHeaders.get(h, WireHeaders.TRACESTATE)).isEqualTo("vendor=v1");

        KafkaHeaders.putTraceContext(h, "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b8-01", null);
        assertThat(h.headers(WireHeaders.TRACEPARENT)).hasSize(1);
        assertThat(h.headers(WireHeaders.TRACESTATE)).as("no stale tracestate beside a new traceparent").isEmpty();
        KafkaHeaders.putTraceContext(h, null, "ignored=1");
        assertThat(h.headers(WireHeaders.TRACEPARENT)).as("no context: the record is left as it is").hasSize(1);
    }

    @Test
    void absentHeadersAndBodyAreNullAndEmpty() {
        IncomingRequest in = KafkaHeaders.incoming(record(null, WireHeaders.RPC_ID, null));
        assertThat(in.body()).isEmpty();
        assertThat(in.correlationId()).isNull();
        assertThat(in.replyTo()).isNull();
        assertThat(in.deadlineEpochMillis()).isZero();
        assertThat(in.clientId()).isNull();
        assertThat(in.traceparent()).isNull();
    }

    @Test
    void aDeadlineIsReadByTheCoresOneParser() {
        long invalid = IncomingRequest.INVALID_DEADLINE;
        assertThat(deadline("42")).isEqualTo(42);
        assertThat(deadline(" 42 ")).isEqualTo(invalid);
        assertThat(deadline("0")).isEqualTo(invalid);
        assertThat(deadline("-5")).isEqualTo(invalid);
        assertThat(deadline("12a")).isEqualTo(invalid);
        assertThat(deadline("")).isEqualTo(invalid);
        assertThat(deadline("99999999999999999999")).isEqualTo(invalid); // beyond a long
        assertThat(deadline("+7")).isEqualTo(invalid);
    }

    private static long deadline(String v) {
        return KafkaHeaders.incoming(record(new byte[0], WireHeaders.DEADLINE, v)).deadlineEpochMillis();
    }
}
