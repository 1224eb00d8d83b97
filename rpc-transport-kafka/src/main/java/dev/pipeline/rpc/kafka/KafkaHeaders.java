package dev.pipeline.rpc.kafka;

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

    static long getLong(Headers headers, String name) {
        String v = get(headers, name);
        if (v == null) {
            return 0;
        }
        try {
            long l = Long.parseLong(v.trim());
            return Math.max(l, 0);
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
