package dev.pipeline.rpc.kafka;

import dev.pipeline.rpc.spi.IncomingRequest;
import dev.pipeline.rpc.spi.WireHeaders;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

import java.nio.charset.StandardCharsets;

/** Reading and writing the wire-contract headers. */
final class KafkaHeaders {
    /** On dead-lettered copies: where the original was ({@code topic-partition@offset}). Kafka-specific. */
    static final String DLQ_SOURCE = "rpc-dlq-source";
    /**
     * On the replies of a server that is closing gracefully: the request partitions it is about to give up, comma
     * separated ({@code 0,3,6}). Its callers send new calls to other partitions, so that no call waits for the group
     * to move these. Kafka-specific.
     */
    static final String LEAVING = "rpc-leaving";
    /** With {@link #LEAVING}: the closing server's member id in its consumer group. Kafka-specific. */
    static final String LEAVING_MEMBER = "rpc-leaving-member";

    private KafkaHeaders() {
    }

    static String get(Headers headers, String name) {
        Header h = headers.lastHeader(name);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    /**
     * The request a record carries: its body and the wire-contract headers, read in one pass over the headers (the
     * last of a repeated header wins, as with {@link Headers#lastHeader}).
     */
    static IncomingRequest incoming(ConsumerRecord<byte[], byte[]> r) {
        byte[] id = null;
        byte[] replyTo = null;
        byte[] deadline = null;
        byte[] client = null;
        byte[] traceparent = null;
        byte[] tracestate = null;
        for (Header h : r.headers()) {
            switch (h.key()) {
                case WireHeaders.RPC_ID -> id = h.value();
                case WireHeaders.REPLY_TO -> replyTo = h.value();
                case WireHeaders.DEADLINE -> deadline = h.value();
                case WireHeaders.CLIENT -> client = h.value();
                case WireHeaders.TRACEPARENT -> traceparent = h.value();
                case WireHeaders.TRACESTATE -> tracestate = h.value();
                default -> {
                    // not ours
                }
            }
        }
        return new IncomingRequest(r.value() == null ? new byte[0] : r.value(), text(id), text(replyTo),
                IncomingRequest.parseDeadline(deadline), text(client), text(traceparent), text(tracestate));
    }

    private static String text(byte[] value) {
        return value == null ? null : new String(value, StandardCharsets.UTF_8);
    }

    /**
     * Writes the W3C trace context ({@code traceparent}, and {@code tracestate} beside it), replacing any header of
     * the same name: set, not add, as the OpenTelemetry Java agent's Kafka instrumentation does, so a record never
     * carries two {@code traceparent} headers whichever of the two writes last.
     */
    static void putTraceContext(Headers headers, String traceparent, String tracestate) {
        if (traceparent == null) {
            return;
        }
        headers.remove(WireHeaders.TRACEPARENT);
        headers.add(WireHeaders.TRACEPARENT, traceparent.getBytes(StandardCharsets.UTF_8));
        headers.remove(WireHeaders.TRACESTATE);
        if (tracestate != null && !tracestate.isEmpty()) {
            headers.add(WireHeaders.TRACESTATE, tracestate.getBytes(StandardCharsets.UTF_8));
        }
    }

    static void put(Headers headers, String name, String value) {
        if (value != null) {
            headers.add(name, value.getBytes(StandardCharsets.UTF_8));
        }
    }
}
