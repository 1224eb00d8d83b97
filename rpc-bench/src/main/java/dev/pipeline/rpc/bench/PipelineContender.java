package dev.pipeline.rpc.bench;

import dev.pipeline.rpc.ClientConfig;
import dev.pipeline.rpc.Rpc;
import dev.pipeline.rpc.RpcClient;
import dev.pipeline.rpc.RpcServer;
import dev.pipeline.rpc.ServerConfig;
import dev.pipeline.rpc.bench.ComparisonResult.Role;
import dev.pipeline.rpc.tck.latency.RoundTrip;

import java.time.Duration;
import java.util.UUID;

/**
 * Pipeline as a user runs it: {@code Rpc.server(uri)} exposing {@code echo}, {@code Rpc.client(uri)} calling it with
 * the transport's defaults, the blocking {@code call} at the sequential points and {@code callAsync} under load. The
 * variants differ in one setting: the server's executor ({@link Server}) or a URI query of transport options.
 */
final class PipelineContender extends Contender {
    private final String uri;
    private final Server mode;
    private final String query;
    private final String service = "bench-" + UUID.randomUUID().toString().substring(0, 8);
    private RpcServer server;
    private RpcClient client;
    private RoundTrip roundTrip;

    /** Where the server runs its handlers. */
    enum Server {
        /** The defaults. */
        DEFAULT("pipeline", ServerConfig.defaults()),
        /** Handlers on the transport's thread, no hand-off to the handler pool. */
        DIRECT("pipeline, direct executor", ServerConfig.builder().directExecutor().build());

        final String label;
        final ServerConfig config;

        Server(String label, ServerConfig config) {
            this.label = label;
            this.config = config;
        }
    }

    /** @param query a URI query of transport options or client properties, or null for the defaults */
    PipelineContender(String broker, String uri, Server mode, String query) {
        super(broker, query == null ? mode.label : mode.label + " ?" + query,
                mode == Server.DEFAULT && query == null ? Role.PIPELINE : Role.VARIANT);
        this.uri = query == null ? uri : uri + (uri.contains("?") ? "&" : "?") + query;
        this.mode = mode;
        this.query = query;
    }

    @Override
    String setup() {
        return "Rpc.server(uri) exposing echo, Rpc.client(uri): call sequentially, callAsync under load; "
                + switch (mode) {
                    case DEFAULT -> "";
                    case DIRECT -> "ServerConfig.builder().directExecutor(); ";
                } + "transport defaults"
                + (query == null ? "" : " except " + query);
    }

    @Override
    void start() throws Exception {
        server = Rpc.server(uri, mode.config);
        RoundTrip.exposeEcho(server, service).start();
        client = Rpc.client(uri, ClientConfig.builder().maxInFlight(100_000).defaultTimeout(Duration.ofSeconds(60))
                .build());
        roundTrip = RoundTrip.rpcEcho(client, service);
        Contender.awaitFirstReply(this, Duration.ofSeconds(90));
    }

    @Override
    RoundTrip roundTrip() {
        return roundTrip;
    }

    @Override
    RoundTrip sequentialRoundTrip() {
        return RoundTrip.rpcEchoBlocking(client, service);
    }

    @Override
    public void close() {
        Contender.closeAll(client, server);
    }
}
