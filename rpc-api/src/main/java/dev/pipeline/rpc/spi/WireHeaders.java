package dev.pipeline.rpc.spi;

/**
 * Names of the metadata fields of the wire contract (Kafka record headers, Redis stream entry fields).
 * Values are UTF-8 strings.
 */
public final class WireHeaders {
    /** The transport's correlation id of a request; absent on notifications. */
    public static final String RPC_ID = "rpc-id";
    /** Where the reply goes (transport-specific address); absent means no reply is sent. */
    public static final String REPLY_TO = "rpc-reply-to";
    /** Epoch milliseconds after which the server must not start the work. */
    public static final String DEADLINE = "rpc-deadline";
    /** The client instance id. */
    public static final String CLIENT = "rpc-client";
    /** W3C trace context ({@code traceparent}), when the caller has one. */
    public static final String TRACEPARENT = "traceparent";
    /** W3C trace context's vendor part ({@code tracestate}), sent beside {@link #TRACEPARENT} when not empty. */
    public static final String TRACESTATE = "tracestate";
    /** On dead-lettered copies: why the message was dead-lettered. */
    public static final String DLQ_REASON = "rpc-dlq-reason";
    /** Redis only: the field that holds the JSON-RPC body of a stream entry. */
    public static final String BODY = "body";

    private WireHeaders() {
    }
}
