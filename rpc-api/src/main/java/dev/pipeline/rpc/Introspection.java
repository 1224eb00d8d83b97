package dev.pipeline.rpc;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;

/**
 * The methods every server answers for each of its services without user code: {@code rpc.ping},
 * {@code rpc.discover} (an OpenRPC document of the service) and {@code rpc.stats} (per-method counts and latency
 * percentiles of this server instance). Other {@code rpc.} names stay unknown (-32601). One per server.
 */
final class Introspection {
    static final String PING = "rpc.ping";
    static final String DISCOVER = "rpc.discover";
    static final String STATS = "rpc.stats";
    static final String OPENRPC_VERSION = "1.3.2";
    /** The library's version, from the {@code version.properties} the build writes; "unknown" without it. */
    static final String VERSION = loadVersion();

    private final String instance;
    private final String transport;
    private final long startNanos = System.nanoTime();
    private final Instant startedAt = Instant.now();
    private final IntSupplier inFlight;
    private final Map<String, Map<String, MethodStats>> stats = new ConcurrentHashMap<>();

    /**
     * @param transport the transport's scheme, or "direct"
     * @param inFlight  the messages this server is handling now
     */
    Introspection(String transport, IntSupplier inFlight) {
        this.instance = UUID.randomUUID().toString();
        this.transport = transport;
        this.inFlight = inFlight;
    }

    String instance() {
        return instance;
    }

    private static String loadVersion() {
        try (InputStream in = Introspection.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version", "unknown").trim();
            return v.isEmpty() || v.startsWith("${") ? "unknown" : v;
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** {@code methods} of {@code service} with the built-in methods added. */
    Map<String, RpcMethod> withBuiltins(String service, Map<String, RpcMethod> methods) {
        Map<String, RpcMethod> all = new HashMap<>(methods);
        Discover discover = new Discover(service, methods);
        all.put(PING, params -> ping(service));
        all.put(DISCOVER, params -> discover.document());
        all.put(STATS, params -> stats(service, methods));
        return Map.copyOf(all);
    }

    /** The metrics to give the dispatcher: {@code delegate}'s, with each server request also counted here. */
    RpcMetrics recording(RpcMetrics delegate) {
        return new Recording(delegate);
    }

    private JsonObject ping(String service) {
        JsonObject o = new JsonObject();
        o.addProperty("service", service);
        o.addProperty("instance", instance);
        o.addProperty("version", VERSION);
        o.addProperty("transport", transport);
        o.addProperty("uptimeMs", uptimeMillis());
        return o;
    }

    private long uptimeMillis() {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    private JsonObject stats(String service, Map<String, RpcMethod> methods) {
        JsonObject o = ping(service);
        o.addProperty("startedAt", startedAt.toString());
        o.addProperty("inFlight", Math.max(0, inFlight.getAsInt()));
        Map<String, MethodStats> recorded = stats.getOrDefault(service, Map.of());
        Map<String, MethodStats> all = new TreeMap<>(recorded);
        for (String m : methods.keySet()) {
            all.putIfAbsent(m, null);
        }
        JsonObject byMethod = new JsonObject();
        for (Map.Entry<String, MethodStats> e : all.entrySet()) {
            byMethod.add(e.getKey(), e.getValue() == null ? MethodStats.EMPTY.toJson() : e.getValue().toJson());
        }
        o.add("methods", byMethod);
        return o;
    }

    /** Calls, errors and latency of one method. */
    private static final class MethodStats {
        static final MethodStats EMPTY = new MethodStats();
        final LongAdder calls = new LongAdder();
        final LongAdder errors = new LongAdder();
        final LatencyRecorder latency = new LatencyRecorder();

        JsonObject toJson() {
            LatencyRecorder.Snapshot s = latency.snapshot();
            JsonObject o = new JsonObject();
            o.addProperty("calls", calls.sum());
            o.addProperty("errors", errors.sum());
            JsonObject ms = new JsonObject();
            ms.addProperty("p50", millis(s.quantile(0.50)));
            ms.addProperty("p90", millis(s.quantile(0.90)));
            ms.addProperty("p99", millis(s.quantile(0.99)));
            ms.addProperty("p999", millis(s.quantile(0.999)));
            ms.addProperty("max", millis(s.max()));
            o.add("latencyMs", ms);
            return o;
        }

        private static double millis(long nanos) {
            return Math.round(nanos / 1_000.0) / 1_000.0;
        }
    }

    private final class Recording implements RpcMetrics {
        private final RpcMetrics delegate;

        Recording(RpcMetrics delegate) {
            this.delegate = delegate;
        }

        @Override
        public void serverRequest(String service, String method, String transport, String outcome, long nanos) {
            MethodStats s = stats.computeIfAbsent(service, k -> new ConcurrentHashMap<>())
                    .computeIfAbsent(method, k -> new MethodStats());
            s.calls.increment();
            if (!OK.equals(outcome)) {
                s.errors.increment();
            }
            s.latency.record(nanos);
            delegate.serverRequest(service, method, transport, outcome, nanos);
        }

        @Override
        public void clientCall(String service, String method, String transport, String outcome, long nanos) {
            delegate.clientCall(service, method, transport, outcome, nanos);
        }

        @Override
        public void timeout(String service, String transport) {
            delegate.timeout(service, transport);
        }

        @Override
        public void lateReply(String transport) {
            delegate.lateReply(transport);
        }

        @Override
        public void hedgeSent(String service, String method, String transport) {
            delegate.hedgeSent(service, method, transport);
        }

        @Override
        public void hedgeWon(String service, String method, String transport) {
            delegate.hedgeWon(service, method, transport);
        }

        @Override
        public void hedgeDenied(String service, String method, String transport) {
            delegate.hedgeDenied(service, method, transport);
        }

        @Override
        public void rejectedInput(String service, String transport, String reason) {
            delegate.rejectedInput(service, transport, reason);
        }

        @Override
        public void refusedReplyAddress(String service, String transport) {
            delegate.refusedReplyAddress(service, transport);
        }

        @Override
        public void deduplicated(String service, String method, String transport) {
            delegate.deduplicated(service, method, transport);
        }

        @Override
        public void cancelSent(String service, String method, String transport) {
            delegate.cancelSent(service, method, transport);
        }

        @Override
        public void cancelReceived(String service, String transport) {
            delegate.cancelReceived(service, transport);
        }
    }

    /** The OpenRPC document of one service's methods, built once on first use. */
    private static final class Discover {
        private final String service;
        private final Map<String, RpcMethod> methods;
        private volatile JsonObject document;

        Discover(String service, Map<String, RpcMethod> methods) {
            this.service = service;
            this.methods = methods;
        }

        JsonObject document() {
            JsonObject d = document;
            if (d == null) {
                d = OpenRpc.document(service, methods);
                document = d;
            }
            return d.deepCopy();
        }
    }

    /** Builds OpenRPC documents. */
    static final class OpenRpc {
        private OpenRpc() {
        }

        static JsonObject document(String service, Map<String, RpcMethod> methods) {
            JsonSchemas schemas = new JsonSchemas();
            JsonObject doc = new JsonObject();
            doc.addProperty("openrpc", OPENRPC_VERSION);
            JsonObject info = new JsonObject();
            info.addProperty("title", service);
            info.addProperty("version", VERSION);
            info.addProperty("description", "Service '" + service + "' served by Pipeline " + VERSION
                    + " (JSON-RPC 2.0 over a message broker). Every method may also fail with -32600, -32601"
                    + " and -32700 (components/errors); the built-in methods rpc.ping, rpc.discover and rpc.stats"
                    + " are not listed.");
            doc.add("info", info);
            JsonArray list = new JsonArray();
            for (String name : new TreeMap<>(methods).keySet()) {
                list.add(method(name, methods.get(name), schemas));
            }
            doc.add("methods", list);
            JsonObject components = new JsonObject();
            JsonObject schemaComponents = new JsonObject();
            schemas.components().forEach(schemaComponents::add);
            components.add("schemas", schemaComponents);
            components.add("errors", errors());
            doc.add("components", components);
            return doc;
        }

        private static JsonObject errors() {
            JsonObject e = new JsonObject();
            e.add("ParseError", error(ErrorCodes.PARSE_ERROR, "Parse error"));
            e.add("InvalidRequest", error(ErrorCodes.INVALID_REQUEST, "Invalid Request"));
            e.add("MethodNotFound", error(ErrorCodes.METHOD_NOT_FOUND, "Method not found"));
            e.add("InvalidParams", error(ErrorCodes.INVALID_PARAMS, "Invalid params"));
            e.add("InternalError", error(ErrorCodes.INTERNAL_ERROR, "Internal error"));
            e.add("ServerError", error(ErrorCodes.SERVER_ERROR, "Server error"));
            return e;
        }

        private static JsonObject error(int code, String message) {
            JsonObject o = new JsonObject();
            o.addProperty("code", code);
            o.addProperty("message", message);
            return o;
        }

        private static JsonArray methodErrors() {
            JsonArray a = new JsonArray();
            for (String name : List.of("InvalidParams", "ServerError", "InternalError")) {
                JsonObject ref = new JsonObject();
                ref.addProperty("$ref", "#/components/errors/" + name);
                a.add(ref);
            }
            return a;
        }

        private static JsonObject method(String name, RpcMethod m, JsonSchemas schemas) {
            JsonObject o = new JsonObject();
            o.addProperty("name", name);
            JsonArray params = new JsonArray();
            JsonObject result;
            if (m instanceof ReflectiveMethod r) {
                o.addProperty("summary", r.signature());
                o.addProperty("paramStructure", r.namesPresent() ? "either" : "by-position");
                for (int i = 0; i < r.arity(); i++) {
                    params.add(param(r.paramName(i), schemas.schema(r.paramType(i)), !r.optional(i)));
                }
                result = schemas.schema(r.resultType());
            } else if (m instanceof OverloadedMethod over) {
                List<ReflectiveMethod> overloads = over.overloads(); // by number of params, ascending
                ReflectiveMethod longest = overloads.get(overloads.size() - 1);
                int fewest = overloads.get(0).arity();
                boolean named = overloads.stream().allMatch(ReflectiveMethod::namesPresent);
                StringBuilder summary = new StringBuilder("overloads: ");
                for (int k = 0; k < overloads.size(); k++) {
                    summary.append(k == 0 ? "" : "; ").append(overloads.get(k).signature());
                }
                o.addProperty("summary", summary.toString());
                o.addProperty("description", "Java overloads of '" + name + "', told apart by their number of"
                        + " params: a call runs the overload taking as many params as it gives. The params listed"
                        + " are those of the longest overload; a param's schema is any of the schemas the"
                        + " overloads have at its position, and only the params every overload takes (and does not"
                        + " take as Optional) are required. x-overloads describes each overload.");
                o.addProperty("paramStructure", named ? "either" : "by-position");
                for (int i = 0; i < longest.arity(); i++) {
                    List<JsonObject> at = new ArrayList<>();
                    boolean required = i < fewest;
                    for (ReflectiveMethod r : overloads) {
                        if (i < r.arity()) {
                            at.add(schemas.schema(r.paramType(i)));
                            required &= !r.optional(i);
                        }
                    }
                    params.add(param(longest.paramName(i), JsonSchemas.either(at), required));
                }
                List<JsonObject> results = new ArrayList<>();
                JsonArray each = new JsonArray();
                for (ReflectiveMethod r : overloads) {
                    JsonObject one = new JsonObject();
                    one.addProperty("signature", r.signature());
                    JsonArray ps = new JsonArray();
                    for (int i = 0; i < r.arity(); i++) {
                        ps.add(param(r.paramName(i), schemas.schema(r.paramType(i)), !r.optional(i)));
                    }
                    one.add("params", ps);
                    JsonObject res = schemas.schema(r.resultType());
                    results.add(res);
                    one.add("result", descriptor("result", res));
                    each.add(one);
                }
                result = JsonSchemas.either(results);
                o.add("x-overloads", each);
            } else {
                o.addProperty("description", "A handler registered with handle(): it reads its params itself,"
                        + " so they and its result are not described.");
                o.addProperty("paramStructure", "either");
                result = JsonSchemas.any();
            }
            o.add("params", params);
            o.add("result", descriptor("result", result));
            o.add("errors", methodErrors());
            return o;
        }

        private static JsonObject param(String name, JsonObject schema, boolean required) {
            JsonObject p = descriptor(name, schema);
            p.addProperty("required", required);
            return p;
        }

        private static JsonObject descriptor(String name, JsonObject schema) {
            JsonObject p = new JsonObject();
            p.addProperty("name", name);
            p.add("schema", schema);
            return p;
        }
    }
}
