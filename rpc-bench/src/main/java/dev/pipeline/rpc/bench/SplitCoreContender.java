package dev.pipeline.rpc.bench;

import dev.pipeline.rpc.ClientConfig;
import dev.pipeline.rpc.Rpc;
import dev.pipeline.rpc.RpcClient;
import dev.pipeline.rpc.RpcServer;
import dev.pipeline.rpc.spi.HandlerOutcome;
import dev.pipeline.rpc.spi.ServerChannel;
import dev.pipeline.rpc.spi.ServerSettings;
import dev.pipeline.rpc.spi.Transport;
import dev.pipeline.rpc.tck.latency.RoundTrip;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * Half of Pipeline's JSON-RPC core (diagnostic, {@code --split-core}): either Pipeline's client against the transport's
 * bare server channel, which answers the echo by splicing the request's bytes into a response (no parsing, no
 * dispatch), or the transport's bare client channel, which sends ready-made request bytes and completes on the reply
 * with its correlation id (no encoding, no parsing), against Pipeline's server. Beside <i>pipeline</i> and
 * <i>transport only</i> it says on which side the core's cost per call lies.
 */
final class SplitCoreContender implements Contender {
    /** Which side runs Pipeline's core. */
    enum Side {
        CLIENT("pipeline client, bare server"),
        SERVER("bare client, pipeline server");

        final String label;

        Side(String label) {
            this.label = label;
        }
    }

    private static final byte[] PARAMS = "\"params\":[".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ID = "],\"id\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HEAD = "{\"jsonrpc\":\"2.0\",\"result\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ID_MEMBER = ",\"id\":".getBytes(StandardCharsets.US_ASCII);

    private final String broker;
    private final String uri;
    private final Side side;
    private final String service = "bench-split-" + UUID.randomUUID().toString().substring(0, 8);
    private Transport transport;
    private ServerChannel bareServer;
    private BareClient bareClient;
    private RpcServer server;
    private RpcClient client;
    private RoundTrip roundTrip;

    SplitCoreContender(String broker, String uri, Side side) {
        this.broker = broker;
        this.uri = uri;
        this.side = side;
    }

    @Override
    public String broker() {
        return broker;
    }

    @Override
    public String name() {
        return side.label;
    }

    @Override
    public Role role() {
        return Role.DIAGNOSTIC;
    }

    @Override
    public String setup() {
        return side == Side.CLIENT
                ? "Rpc.client(...).callAsync against the " + broker + " transport's server channel, which answers"
                + " {\"jsonrpc\":\"2.0\",\"result\":<params[0]>,\"id\":<id>} spliced from the request's bytes"
                : "the " + broker + " transport's client channel sending ready-made request bytes against"
                + " Rpc.server(...) exposing echo; the reply completes the call by its correlation id, unread";
    }

    @Override
    public void start() throws Exception {
        transport = TransportOnlyContender.open(uri);
        if (side == Side.CLIENT) {
            bareServer = transport.openServer(service, new ServerSettings(1024, Duration.ofSeconds(5)),
                    request -> CompletableFuture.completedFuture(HandlerOutcome.reply(echoResponse(request.body()))));
            bareServer.start();
            client = Rpc.client(uri, ClientConfig.builder().maxInFlight(100_000)
                    .defaultTimeout(Duration.ofSeconds(60)).build());
            roundTrip = RoundTrip.rpcEcho(client, service);
        } else {
            server = Rpc.server(uri);
            RoundTrip.exposeEcho(server, service).start();
            bareClient = new BareClient(transport, service);
            roundTrip = bareClient.roundTrip();
        }
        Contender.awaitFirstReply(this, Duration.ofSeconds(90));
    }

    /**
     * The response to an echo request as Pipeline's client writes it,
     * {@code {"jsonrpc":"2.0","method":"echo","params":[P],"id":N}}: {@code {"jsonrpc":"2.0","result":P,"id":N}}.
     */
    static byte[] echoResponse(byte[] request) {
        int p = indexOf(request, PARAMS, 0) + PARAMS.length;
        int i = lastIndexOf(request, ID);
        if (p < PARAMS.length || i < p) {
            throw new IllegalArgumentException("not an echo request of one param: "
                    + new String(request, 0, Math.min(request.length, 80), StandardCharsets.UTF_8));
        }
        int idStart = i + ID.length;
        int idEnd = request.length - 1; // the closing brace
        byte[] out = new byte[HEAD.length + (i - p) + ID_MEMBER.length + (idEnd - idStart) + 1];
        int at = 0;
        System.arraycopy(HEAD, 0, out, at, HEAD.length);
        at += HEAD.length;
        System.arraycopy(request, p, out, at, i - p);
        at += i - p;
        System.arraycopy(ID_MEMBER, 0, out, at, ID_MEMBER.length);
        at += ID_MEMBER.length;
        System.arraycopy(request, idStart, out, at, idEnd - idStart);
        out[out.length - 1] = '}';
        return out;
    }

    private static int indexOf(byte[] a, byte[] key, int from) {
        for (int i = from; i + key.length <= a.length; i++) {
            if (Arrays.equals(a, i, i + key.length, key, 0, key.length)) {
                return i;
            }
        }
        return -1;
    }

    private static int lastIndexOf(byte[] a, byte[] key) {
        for (int i = a.length - key.length; i >= 0; i--) {
            if (Arrays.equals(a, i, i + key.length, key, 0, key.length)) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public RoundTrip roundTrip() {
        return roundTrip;
    }

    @Override
    public void close() {
        Contender.closeAll(client, server, bareClient, bareServer, transport);
    }
}
