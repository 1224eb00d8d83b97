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
     * Asks one instance of {@code service} for {@code rpc.ping}.
     *
     * @param client  the client to ask through
     * @param service the service to ask
     * @return {@code {"service", "instance", "version", "transport", "uptimeMs"}} of the instance that answered
     * @throws RpcException as any call: e.g. {@link ErrorCodes#NO_SERVER} or {@link ErrorCodes#TIMEOUT}
     */
    public static JsonObject ping(RpcClient client, String service) {
        return call(client, service, PING);
    }

    /**
     * Asks one instance of {@code service} for {@code rpc.discover}.
     *
     * @param client  the client to ask through
     * @param service the service to ask
     * @return the OpenRPC document of {@code service}
     * @throws RpcException as any call
     */
    public static JsonObject discover(RpcClient client, String service) {
        return call(client, service, DISCOVER);
    }

    /**
     * Asks one instance of {@code service} for {@code rpc.stats}.
     *
     * @param client  the client to ask through
     * @param service the service to ask
     * @return what {@link #ping} answers, with {@code startedAt}, {@code inFlight} and {@code methods}: per method
     * {@code calls}, {@code errors} and {@code latencyMs} ({@code p50}, {@code p90}, {@code p99}, {@code p999},
     * {@code max}) since the instance started
     * @throws RpcException as any call
     */
    public static JsonObject stats(RpcClient client, String service) {
        return call(client, service, STATS);
    }

    /**
     * The server instances of {@code service} the broker knows now, asked of the broker rather than of a server: Kafka,
     * the members of the service's consumer group (name and host); Redis, the consumers of the group on its stream
     * (name and idle time: a consumer whose server crashed stays listed, its idle time growing, until it is deleted).
     * Unlike {@link #ping}, this lists every instance, also those that are not answering.
     *
     * @param client  the client whose broker to ask
     * @param service the service whose instances to list
     * @return the members; empty when no server has ever served the service
     * @throws UnsupportedOperationException when the client's transport cannot list them (in-process)
     * @throws RpcException with {@link ErrorCodes#TRANSPORT_ERROR} when the broker refused or failed the query, or
     *                      did not answer within 10 s
     */
    public static java.util.List<dev.pipeline.rpc.spi.ServerMember> members(RpcClient client, String service) {
        Objects.requireNonNull(client, "client");
        MethodTables.checkServiceName(service);
        if (!(client instanceof DefaultRpcClient d) || d.core().channel() == null) {
            throw new UnsupportedOperationException("not a client made by Rpc.client: cannot list instances");
        }
        try {
            return d.core().channel().members(service).get(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof UnsupportedOperationException u) {
                throw u;
            }
            throw new RpcException(ErrorCodes.TRANSPORT_ERROR, "cannot list the instances of '" + service + "': "
                    + dev.pipeline.rpc.spi.Secrets.mask(String.valueOf(e.getCause())));
        } catch (java.util.concurrent.TimeoutException e) {
            throw new RpcException(ErrorCodes.TRANSPORT_ERROR, "cannot list the instances of '" + service
                    + "': the broker did not answer within 10 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RpcException(ErrorCodes.TRANSPORT_ERROR, "interrupted while listing the instances of '"
                    + service + "'");
        }
    }

    private static JsonObject call(RpcClient client, String service, String method) {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(service, "service");
        return client.call(service, method, JsonObject.class);
    }
}
