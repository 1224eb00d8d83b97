package dev.pipeline.rpc;

import dev.pipeline.rpc.spi.IncomingRequest;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.TracerBuilder;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Tracing with OpenTelemetry: a CLIENT span per call and a SERVER span per request handled, following the
 * OpenTelemetry semantic conventions for JSON-RPC and messaging, and W3C trace context ({@code traceparent},
 * {@code tracestate}) in every request. Needs {@code io.opentelemetry:opentelemetry-api} on the class path (an
 * optional dependency of rpc-api); it is the only class that refers to it.
 *
 * <pre>{@code
 * RpcTracing tracing = OpenTelemetryTracing.of(openTelemetry);
 * RpcClient client = Rpc.client(uri, ClientConfig.builder().tracing(tracing).build());
 * RpcServer server = Rpc.server(uri, ServerConfig.builder().tracing(tracing).build());
 * }</pre>
 *
 * <p>Span names, attributes and how it behaves beside the OpenTelemetry Java agent: docs/tracing.md.
 */
public final class OpenTelemetryTracing {
    /** The instrumentation scope name of the spans. */
    public static final String INSTRUMENTATION_NAME = "dev.pipeline.rpc";

    private OpenTelemetryTracing() {
    }

    /**
     * Tracing through {@code openTelemetry}'s tracer provider and propagators.
     *
     * @param openTelemetry the application's OpenTelemetry (its SDK, or the agent's)
     * @return tracing for {@link ClientConfig.Builder#tracing} and {@link ServerConfig.Builder#tracing}
     */
    public static RpcTracing of(OpenTelemetry openTelemetry) {
        Objects.requireNonNull(openTelemetry, "openTelemetry");
        TracerBuilder b = openTelemetry.getTracerProvider().tracerBuilder(INSTRUMENTATION_NAME);
        String version = OpenTelemetryTracing.class.getPackage().getImplementationVersion();
        if (version != null) {
            b.setInstrumentationVersion(version);
        }
        return new RpcTracing(new Hooks(b.build()));
    }

    /**
     * @return tracing through {@link GlobalOpenTelemetry} as it is when this is called: the Java agent or the SDK's
     * autoconfiguration must have set it up by then
     */
    public static RpcTracing global() {
        return of(GlobalOpenTelemetry.get());
    }

    static final AttributeKey<String> RPC_SYSTEM_NAME = AttributeKey.stringKey("rpc.system.name");
    static final AttributeKey<String> RPC_METHOD = AttributeKey.stringKey("rpc.method");
    static final AttributeKey<String> RPC_METHOD_ORIGINAL = AttributeKey.stringKey("rpc.method_original");
    static final AttributeKey<String> RPC_RESPONSE_STATUS_CODE = AttributeKey.stringKey("rpc.response.status_code");
    static final AttributeKey<String> JSONRPC_PROTOCOL_VERSION = AttributeKey.stringKey("jsonrpc.protocol.version");
    static final AttributeKey<String> JSONRPC_REQUEST_ID = AttributeKey.stringKey("jsonrpc.request.id");
    static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
    static final AttributeKey<String> MESSAGING_SYSTEM = AttributeKey.stringKey("messaging.system");
    static final AttributeKey<String> MESSAGING_DESTINATION_NAME =
            AttributeKey.stringKey("messaging.destination.name");
    /** {@code rpc.method} of a request for a method the service does not have. */
    static final String OTHER = "_OTHER";

    private static final W3CTraceContextPropagator W3C = W3CTraceContextPropagator.getInstance();

    /** The trace context as two strings, for injection. */
    private static final class Carrier {
        String traceparent;
        String tracestate;
    }

    private static final TextMapSetter<Carrier> SETTER = (c, key, value) -> {
        if (c == null) {
            return;
        }
        if ("traceparent".equals(key)) {
            c.traceparent = value;
        } else if ("tracestate".equals(key)) {
            c.tracestate = value == null || value.isEmpty() ? null : value;
        }
    };

    private static final TextMapGetter<TraceHooks.TraceContext> GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(TraceHooks.TraceContext c) {
            return List.of("traceparent", "tracestate");
        }

        @Override
        public String get(TraceHooks.TraceContext c, String key) {
            if (c == null) {
                return null;
            }
            return "traceparent".equals(key) ? c.traceparent() : "tracestate".equals(key) ? c.tracestate() : null;
        }
    };

    static TraceHooks.TraceContext inject(Context context) {
        Carrier c = new Carrier();
        W3C.inject(context, c, SETTER);
        return c.traceparent == null ? null : new TraceHooks.TraceContext(c.traceparent, c.tracestate);
    }

    static Context extract(String traceparent, String tracestate) {
        return W3C.extract(Context.root(), new TraceHooks.TraceContext(traceparent, tracestate), GETTER);
    }

    private static boolean hasSpan(Context context) {
        return Span.fromContext(context).getSpanContext().isValid();
    }

    /** The error.type of a failure: the JSON-RPC error code for an {@link RpcException}, else the class name. */
    static String errorType(Throwable error) {
        Throwable t = error;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t instanceof RpcException r ? Integer.toString(r.code()) : t.getClass().getName();
    }

    private static final class Hooks implements TraceHooks {
        private final Tracer tracer;

        Hooks(Tracer tracer) {
            this.tracer = tracer;
        }

        private SpanBuilder builder(String name, SpanKind kind, Context parent, String rpcMethod, String id,
                                    String system, String destination) {
            SpanBuilder b = tracer.spanBuilder(name).setSpanKind(kind).setParent(parent)
                    .setAttribute(RPC_SYSTEM_NAME, "jsonrpc")
                    .setAttribute(RPC_METHOD, rpcMethod)
                    .setAttribute(JSONRPC_PROTOCOL_VERSION, "2.0");
            if (id != null) {
                b.setAttribute(JSONRPC_REQUEST_ID, id);
            }
            if (system != null) {
                b.setAttribute(MESSAGING_SYSTEM, system);
                if (destination != null) {
                    b.setAttribute(MESSAGING_DESTINATION_NAME, destination);
                }
            }
            return b;
        }

        /** The caller's context: the current one, or on a handler's thread without a span, its request's. */
        private static Context callerContext() {
            Context current = Context.current();
            if (!hasSpan(current)) {
                RpcContext handler = RpcContext.CURRENT.get();
                if (handler != null && handler.traceparent() != null) {
                    Context carried = extract(handler.traceparent(), null);
                    if (hasSpan(carried)) {
                        return carried;
                    }
                }
            }
            return current;
        }

        @Override
        public ClientSpan client(String service, String method, String id, String system, String destination) {
            String name = service + "/" + method;
            Context parent = callerContext();
            Span span = builder(name, SpanKind.CLIENT, parent, name, id, system, destination).startSpan();
            Context context = parent.with(span);
            return new OtelClientSpan(span, context, inject(context));
        }

        @Override
        public TraceContext current() {
            return inject(callerContext());
        }

        @Override
        public ServerSpan server(String service, String method, String original, String id, IncomingRequest in,
                                 String system, String destination) {
            Context parent = in == null || in.traceparent() == null ? Context.current()
                    : extract(in.traceparent(), in.tracestate());
            String qualified = method == null ? OTHER : service + "/" + method;
            SpanBuilder b = builder(method == null ? "jsonrpc" : qualified, SpanKind.SERVER, parent, qualified, id,
                    system, destination);
            if (method == null) {
                b.setAttribute(RPC_METHOD_ORIGINAL, service + "/" + RpcMethod.clip(original));
            }
            Span span = b.startSpan();
            return new OtelServerSpan(span, parent.with(span));
        }

        @Override
        public String toString() {
            return "OpenTelemetry " + tracer;
        }
    }

    private static final class OtelClientSpan implements TraceHooks.ClientSpan {
        private final Span span;
        private final Context context;
        private final TraceHooks.TraceContext sent;
        private final AtomicBoolean ended = new AtomicBoolean();

        OtelClientSpan(Span span, Context context, TraceHooks.TraceContext sent) {
            this.span = span;
            this.context = context;
            this.sent = sent;
        }

        @Override
        public TraceHooks.TraceContext context() {
            return sent;
        }

        @Override
        public TraceHooks.Scope makeCurrent() {
            io.opentelemetry.context.Scope scope = context.makeCurrent();
            return scope::close;
        }

        @Override
        public void end(Throwable error, boolean fromReply) {
            if (!ended.compareAndSet(false, true)) {
                return;
            }
            if (error != null) {
                String type = errorType(error);
                if (fromReply) {
                    span.setAttribute(RPC_RESPONSE_STATUS_CODE, type);
                }
                span.setAttribute(ERROR_TYPE, type);
                span.setStatus(StatusCode.ERROR);
            }
            span.end();
        }
    }

    private static final class OtelServerSpan implements TraceHooks.ServerSpan {
        private final Span span;
        private final Context context;

        OtelServerSpan(Span span, Context context) {
            this.span = span;
            this.context = context;
        }

        @Override
        public TraceHooks.Scope makeCurrent() {
            io.opentelemetry.context.Scope scope = context.makeCurrent();
            return scope::close;
        }

        @Override
        public void end(Integer errorCode) {
            if (errorCode != null) {
                String code = Integer.toString(errorCode);
                span.setAttribute(RPC_RESPONSE_STATUS_CODE, code);
                span.setAttribute(ERROR_TYPE, code);
                span.setStatus(StatusCode.ERROR);
            }
            span.end();
        }
    }
}
