package dev.pipeline.rpc;

import com.google.gson.JsonElement;
import com.google.gson.JsonPrimitive;
import dev.pipeline.rpc.spi.IncomingRequest;
import dev.pipeline.rpc.spi.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Where the client and the server meet {@link TraceHooks}: the transport's {@code messaging.system} and destination
 * names, and a guard so that a tracing failure never reaches a call. A client or server without tracing has none
 * (null), so the calls pay one null check.
 */
final class Tracing {
    private static final Logger LOG = LoggerFactory.getLogger(Tracing.class);

    private final TraceHooks hooks;
    private final String system;
    private final Transport transport;
    private final ConcurrentHashMap<String, String> destinations = new ConcurrentHashMap<>();

    private Tracing(TraceHooks hooks, Transport transport) {
        this.hooks = hooks;
        this.transport = transport;
        this.system = transport == null ? null : messagingSystem(transport.scheme());
    }

    /** @return the hooks for {@code transport} (null: a direct dispatch), or null when tracing is disabled */
    static Tracing of(RpcTracing tracing, Transport transport) {
        return tracing == null || tracing.hooks == null ? null : new Tracing(tracing.hooks, transport);
    }

    /** {@code messaging.system} of a transport scheme: none in process. */
    static String messagingSystem(String scheme) {
        if (scheme == null || scheme.equals("inproc") || scheme.equals(DefaultRpcServer.DIRECT)) {
            return null;
        }
        return scheme.startsWith("redis") ? "redis" : scheme.startsWith("kafka") ? "kafka" : scheme;
    }

    private String destination(String service) {
        if (system == null) {
            return null;
        }
        String d = destinations.get(service);
        if (d == null) {
            d = transport.destination(service);
            if (destinations.size() < 10_000) {
                destinations.put(service, d);
            }
        }
        return d;
    }

    /** @return the client span of a call, or null when it could not be started */
    TraceHooks.ClientSpan call(String service, String method, long id) {
        try {
            return hooks.client(service, method, Long.toString(id), system, destination(service));
        } catch (RuntimeException e) {
            LOG.debug("tracing failed to start a client span: {}", e.toString());
            return null;
        }
    }

    /** @return the caller's trace context, for a message without a span of its own, or null */
    TraceHooks.TraceContext current() {
        try {
            return hooks.current();
        } catch (RuntimeException e) {
            LOG.debug("tracing failed to read the current context: {}", e.toString());
            return null;
        }
    }

    /** @return the server span of a request, or null when it could not be started */
    TraceHooks.ServerSpan serve(String service, boolean known, String method, JsonElement id, IncomingRequest in) {
        try {
            return hooks.server(service, known ? method : null, method, idText(id), in, system, destination(service));
        } catch (RuntimeException e) {
            LOG.debug("tracing failed to start a server span: {}", e.toString());
            return null;
        }
    }

    static TraceHooks.Scope makeCurrent(TraceHooks.ServerSpan span) {
        if (span == null) {
            return TraceHooks.Scope.NONE;
        }
        try {
            return span.makeCurrent();
        } catch (RuntimeException e) {
            return TraceHooks.Scope.NONE;
        }
    }

    static TraceHooks.Scope makeCurrent(TraceHooks.ClientSpan span) {
        if (span == null) {
            return TraceHooks.Scope.NONE;
        }
        try {
            return span.makeCurrent();
        } catch (RuntimeException e) {
            return TraceHooks.Scope.NONE;
        }
    }

    static void end(TraceHooks.ServerSpan span, Integer errorCode) {
        if (span != null) {
            try {
                span.end(errorCode);
            } catch (RuntimeException e) {
                LOG.debug("tracing failed to end a server span: {}", e.toString());
            }
        }
    }

    static void end(TraceHooks.ClientSpan span, Throwable error, boolean fromReply) {
        if (span != null) {
            try {
                span.end(error, fromReply);
            } catch (RuntimeException e) {
                LOG.debug("tracing failed to end a client span: {}", e.toString());
            }
        }
    }

    /** {@code jsonrpc.request.id}: a string id as it is, a number as its JSON text; null for none. */
    static String idText(JsonElement id) {
        if (id == null || id.isJsonNull()) {
            return null;
        }
        return id instanceof JsonPrimitive p && p.isString() ? p.getAsString() : id.toString();
    }
}
