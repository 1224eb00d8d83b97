package dev.pipeline.rpc.tck.latency;

import dev.pipeline.rpc.RpcClient;
import dev.pipeline.rpc.RpcServer;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One request/reply round trip, the unit the {@link LatencyKit} measures: from the call until the returned stage
 * completes. Implement it for anything (a raw broker client ping-pong, to measure the floor), or use
 * {@link #rpcEcho(RpcClient, String)} for a Pipeline client.
 *
 * <p>A blocking operation can be measured sequentially as {@code p -> CompletableFuture.completedFuture(call(p))}.
 */
@FunctionalInterface
public interface RoundTrip {
    /**
     * Starts one round trip carrying {@code payload}.
     *
     * @param payload the string to carry, of the workload's size
     * @return completes when the reply arrived (exceptionally when the round trip failed)
     */
    CompletionStage<?> call(String payload);

    /**
     * Calls method {@code echo} of {@code service} with the payload as its one positional param, asynchronously.
     *
     * @param client the client to call with
     * @param service the service that {@link #exposeEcho} set up
     * @return the round trip
     */
    static RoundTrip rpcEcho(RpcClient client, String service) {
        return payload -> client.callAsync(service, "echo", String.class, payload);
    }

    /**
     * Calls method {@code echo} of {@code service} with the blocking {@link RpcClient#call}: the stage is already
     * complete when it is returned. For sequential workloads (one call in flight) only; a transport may read the reply
     * on the calling thread.
     *
     * @param client the client to call with
     * @param service the service that {@link #exposeEcho} set up
     * @return the round trip
     */
    static RoundTrip rpcEchoBlocking(RpcClient client, String service) {
        return payload -> {
            try {
                return CompletableFuture.completedFuture(client.call(service, "echo", String.class, payload));
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        };
    }

    /**
     * Registers method {@code echo} (returns its one param) on {@code service}; the server side of {@link #rpcEcho}.
     *
     * @param server the server, not yet started
     * @param service the service's name
     * @return the server
     */
    static RpcServer exposeEcho(RpcServer server, String service) {
        return server.handle(service, "echo", params -> params.get(0, String.class));
    }
}
