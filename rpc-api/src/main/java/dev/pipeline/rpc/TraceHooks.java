package dev.pipeline.rpc;

import dev.pipeline.rpc.spi.IncomingRequest;

/**
 * What the core asks of a tracing implementation, in types of its own: the only implementation,
 * {@link OpenTelemetryTracing}, is the one class that refers to OpenTelemetry, so that without it on the class path
 * nothing of it is loaded. Implementations never throw.
 */
interface TraceHooks {
    /**
     * Starts the CLIENT span of a call, a child of the caller's current span (or, on a handler's thread without
     * one, of the trace context the handler's request carried).
     *
     * @param system      {@code messaging.system}, or null for none (in process)
     * @param destination {@code messaging.destination.name}, or null
     */
    ClientSpan client(String service, String method, String id, String system, String destination);

    /** @return the caller's current trace context to send with a message that has no span of its own, or null */
    TraceContext current();

    /**
     * Starts the SERVER span of one request, a child of the trace context it carried.
     *
     * @param method the method called when the service has it, else null ({@code original} is what was asked)
     * @param id     the JSON-RPC id as text, or null for a notification
     * @param in     the transport's message, or null (a direct dispatch)
     */
    ServerSpan server(String service, String method, String original, String id, IncomingRequest in, String system,
                      String destination);

    /** W3C trace context as sent: {@code traceparent}, and {@code tracestate} (null when empty). */
    record TraceContext(String traceparent, String tracestate) {
    }

    /** A span made current on this thread until {@link #close()}. */
    interface Scope extends AutoCloseable {
        Scope NONE = () -> {
        };

        @Override
        void close();
    }

    /** A call's client span. */
    interface ClientSpan {
        /** @return the context to send with the request (this span's), or null when there is none to send */
        TraceContext context();

        /** Makes the span current while the request is handed to the transport. */
        Scope makeCurrent();

        /**
         * Ends the span once; later calls do nothing.
         *
         * @param error     the call's failure, or null for a result
         * @param fromReply whether the failure is the reply's error object (else it arose on the client)
         */
        void end(Throwable error, boolean fromReply);
    }

    /** A request's server span. */
    interface ServerSpan {
        /** Makes the span current while the handler runs. */
        Scope makeCurrent();

        /** Ends the span, with the response's error code, or null for a result. */
        void end(Integer errorCode);
    }
}
