package dev.pipeline.rpc;

import com.google.gson.JsonObject;

import java.util.Objects;

/**
 * Calls the built-in methods every Pipeline server answers for each of its services (docs/introspection.md). Each
 * call is an ordinary call, so it reaches one instance of the service, the one the transport delivers it to.
 *
 * <pre>{@code
 * JsonObject ping = Introspect.ping(client, "calc");          // {"service":"calc","instance":"...","version":...}
 * JsonObject openRpc = Introspect.discover(client, "calc");   // an OpenRPC 1.3.2 document
 * JsonObject stats = Introspect.stats(client, "calc");        // per-method calls, errors, latency percentiles
 * }</pre>
 */
public final class Introspect {
    /** Answers the instance id, library version, transport and uptime of the instance that takes the call. */
    public static final String PING = "rpc.ping";
    /** Answers an OpenRPC 1.3.2 document of the service. */
    public static final String DISCOVER = "rpc.discover";
    /** Answers the counts and latency percentiles per method of the instance that takes the call. */
    public static final String STATS = "rpc.stats";

    private Introspect() {
    }

    /**
     * @return {@code {"service", "instance", "version", "transport", "uptimeMs"}} of the instance that answered
     * @throws RpcException as any call: e.g. {@link ErrorCodes#NO_SERVER} or {@link ErrorCodes#TIMEOUT}
     */
    public static JsonObject ping(RpcClient client, String service) {
        return call(client, service, PING);
    }

    /**
     * @return the OpenRPC document of {@code service}
     * @throws RpcException as any call
     */
    public static JsonObject discover(RpcClient client, String service) {
        return call(client, service, DISCOVER);
    }

    /**
     * @return what {@link #ping} answers, with {@code startedAt}, {@code inFlight} and {@code methods}: per method
     * {@code calls}, {@code errors} and {@code latencyMs} ({@code p50}, {@code p90}, {@code p99}, {@code p999},
     * {@code max}) since the instance started
     * @throws RpcException as any call
     */
    public static JsonObject stats(RpcClient client, String service) {
        return call(client, service, STATS);
    }

    private static JsonObject call(RpcClient client, String service, String method) {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(service, "service");
        return client.call(service, method, JsonObject.class);
    }
}
