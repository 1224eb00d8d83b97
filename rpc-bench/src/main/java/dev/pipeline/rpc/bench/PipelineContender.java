package dev.pipeline.rpc.bench;

import dev.pipeline.rpc.ClientConfig;
import dev.pipeline.rpc.Rpc;
import dev.pipeline.rpc.RpcClient;
import dev.pipeline.rpc.RpcServer;
import dev.pipeline.rpc.ServerConfig;
import dev.pipeline.rpc.tck.latency.RoundTrip;

import java.time.Duration;
import java.util.UUID;

/**
 * Pipeline itself, as a user runs it: {@code Rpc.server(uri)} exposing an {@code echo} method and
 * {@code Rpc.client(uri)} calling it with the transport's default settings: asynchronously under load
 * ({@code callAsync}), and with the blocking {@code call} at the sequential points, where a caller waits for each reply
 * (the Kafka transport then reads the reply on the caller's thread); as a variant ({@link #async}), {@code callAsync}
 * at the sequential points too, its reply handed over from the transport's thread; as a diagnostic row
 * ({@link #blockingThreads}), {@code call} under load too, on one caller thread per call in flight; as a variant, the
 * server runs its handlers on a direct executor ({@code ServerConfig.builder().directExecutor()}: on the transport's
 * thread, no hand-off to the handler pool, as a Spring Kafka listener runs), or never on the transport's thread
 * ({@code ServerConfig.builder().inlineWhenIdle(false)}: every handler on a pool thread, what the default did before
 * lone calls ran inline); as other variants, the same with a URI query of transport options or client properties
 * ({@code --kafka-variant}, {@code --redis-variant}).
 */
final class PipelineContender implements Contender {
    private final String broker;
    private final String uri;
    private final Server mode;
    private final String query;
    private final Calls calls;
    private final String service = "bench-" + UUID.randomUUID().toString().substring(0, 8);
    private RpcServer server;
    private RpcClient client;
    private RoundTrip roundTrip;

    /** How the client calls. */
    enum Calls {
        /** {@code call} at the sequential points, {@code callAsync} under load. */
        DEFAULT(null, null),
        /** {@code callAsync} at the sequential points too. */
        ASYNC(", async call", "as pipeline, with callAsync at the sequential points too (the reply completes a"
                + " future on the transport's thread, which wakes the waiting caller)"),
        /** {@code call} under load too, on one caller thread per call in flight. */
        BLOCKING_THREADS(", blocking threads", "as pipeline, with call (blocking) under load too: one caller thread"
                + " per call in flight, each waiting for its reply before the next");

        final String suffix;
        final String setup;

        Calls(String suffix, String setup) {
            this.suffix = suffix;
            this.setup = setup;
        }
    }

    /** Where the server runs its handlers. */
    enum Server {
        /** The defaults: the handler pool, a lone call on the transport's thread. */
        DEFAULT("pipeline", null),
        /** {@code ServerConfig.builder().directExecutor()}. */
        DIRECT("pipeline, direct executor",
                "as pipeline, with ServerConfig.builder().directExecutor(): handlers on the transport's thread"),
        /** {@code ServerConfig.builder().inlineWhenIdle(false)}. */
        NO_INLINE("pipeline, no inline",
                "as pipeline, with ServerConfig.builder().inlineWhenIdle(false): every handler on a pool thread");

        final String label;
        final String setup;

        Server(String label, String setup) {
            this.label = label;
            this.setup = setup;
        }

        ServerConfig config() {
            return switch (this) {
                case DEFAULT -> ServerConfig.defaults();
                case DIRECT -> ServerConfig.builder().directExecutor().build();
                case NO_INLINE -> ServerConfig.builder().inlineWhenIdle(false).build();
            };
        }
    }

    PipelineContender(String broker, String uri, Server mode) {
        this(broker, uri, mode, null);
    }

    /** A variant whose URI carries {@code query} (transport options or client properties), or the default if null. */
    PipelineContender(String broker, String uri, Server mode, String query) {
        this(broker, uri, mode, query, Calls.DEFAULT);
    }

    private PipelineContender(String broker, String uri, Server mode, String query, Calls calls) {
        this.broker = broker;
        this.uri = query == null ? uri : uri + (uri.contains("?") ? "&" : "?") + query;
        this.mode = mode;
        this.query = query;
        this.calls = calls;
    }

    /** The defaults, calling with {@code callAsync} at the sequential points too (a variant). */
    static PipelineContender async(String broker, String uri) {
        return new PipelineContender(broker, uri, Server.DEFAULT, null, Calls.ASYNC);
    }

    /**
     * The defaults, calling with the blocking {@code call} under load too, on one caller thread per call in flight,
     * as a thread-per-request server calls a service (a diagnostic row).
     */
    static PipelineContender blockingThreads(String broker, String uri) {
        return new PipelineContender(broker, uri, Server.DEFAULT, null, Calls.BLOCKING_THREADS);
    }

    @Override
    public boolean callerThreads() {
        return calls == Calls.BLOCKING_THREADS;
    }

    @Override
    public String broker() {
        return broker;
    }

    @Override
    public String name() {
        if (calls != Calls.DEFAULT) {
            return mode.label + calls.suffix;
        }
        return query == null ? mode.label : mode.label + " ?" + query;
    }

    @Override
    public Role role() {
        if (calls == Calls.BLOCKING_THREADS) {
            return Role.DIAGNOSTIC;
        }
        return mode != Server.DEFAULT || query != null || calls == Calls.ASYNC ? Role.VARIANT : Role.PIPELINE;
    }

    @Override
    public String setup() {
        if (calls.setup != null) {
            return calls.setup;
        }
        if (mode.setup != null) {
            return mode.setup;
        }
        return "Rpc.server(\"" + uri + "\") exposing echo, Rpc.client(...): call sequentially, callAsync under"
                + " load; transport defaults"
                + (query == null ? "" : " except " + query);
    }

    @Override
    public void start() throws Exception {
        server = Rpc.server(uri, mode.config());
        RoundTrip.exposeEcho(server, service).start();
        client = Rpc.client(uri, ClientConfig.builder().maxInFlight(100_000).defaultTimeout(Duration.ofSeconds(60))
                .build());
        roundTrip = RoundTrip.rpcEcho(client, service);
        Contender.awaitFirstReply(this, Duration.ofSeconds(90));
    }

    @Override
    public RoundTrip roundTrip() {
        return roundTrip;
    }

    @Override
    public RoundTrip sequentialRoundTrip() {
        return calls == Calls.ASYNC ? roundTrip : RoundTrip.rpcEchoBlocking(client, service);
    }

    @Override
    public void close() {
        Contender.closeAll(client, server);
    }
}
