package dev.pipeline.rpc.inproc;

import dev.pipeline.rpc.spi.IncomingRequest;

/** A request as the in-process broker holds it: body plus wire metadata, and its place in the service's queue. */
record Message(byte[] body, String correlationId, String replyTo, long deadlineEpochMillis, String clientId,
               String traceparent, String tracestate, long sequence) {
    IncomingRequest toIncoming() {
        return new IncomingRequest(body, correlationId, replyTo, deadlineEpochMillis, clientId, traceparent,
                tracestate);
    }
}
