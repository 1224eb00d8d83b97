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
        for (Header h : r.headers()) {
            switch (h.key()) {
                case WireHeaders.RPC_ID -> id = h.value();
                case WireHeaders.REPLY_TO -> replyTo = h.value();
                case WireHeaders.DEADLINE -> deadline = h.value();
                case WireHeaders.CLIENT -> client = h.value();
                case WireHeaders.TRACEPARENT -> traceparent = h.value();
                default -> {
                    // not ours
                }
            }
        }
        return new IncomingRequest(r.value() == null ? new byte[0] : r.value(), text(id), text(replyTo),
                epochMillis(deadline), text(client), text(traceparent));
    }

    private static String text(byte[] value) {
        return value == null ? null : new String(value, StandardCharsets.UTF_8);
    }

    /** A decimal header value (spaces around it allowed); 0 when absent, negative or not a number. */
    static long epochMillis(byte[] v) {
        if (v == null) {
            return 0;
        }
        int from = 0;
        int to = v.length;
        while (from < to && v[from] == ' ') {
            from++;
        }
        while (to > from && v[to - 1] == ' ') {
            to--;
        }
        if (from == to) {
            return 0;
        }
        if (to - from > 18) {
            return getLongSlow(v); // may not fit in a long
        }
        long n = 0;
        for (int i = from; i < to; i++) {
            int d = v[i] - '0';
            if (d < 0 || d > 9) {
                return getLongSlow(v);
            }
            n = n * 10 + d;
        }
        return n;
    }

    private static long getLongSlow(byte[] v) {
        try {
            return Math.max(Long.parseLong(new String(v, StandardCharsets.UTF_8).trim()), 0);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    static void put(Headers headers, String name, String value) {
        if (value != null) {
            headers.add(name, value.getBytes(StandardCharsets.UTF_8));
        }
    }
}
