package dev.pipeline.rpc.bench;

import dev.pipeline.rpc.spi.HandlerOutcome;
import dev.pipeline.rpc.spi.ServerChannel;
import dev.pipeline.rpc.spi.ServerSettings;
import dev.pipeline.rpc.spi.Transport;
import dev.pipeline.rpc.spi.TransportProvider;
import dev.pipeline.rpc.tck.latency.RoundTrip;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * Pipeline's transport alone, at SPI level: the server channel answers every message with its own bytes (no
 * JSON-RPC parsing, dispatch or encoding) and the client channel completes a call when the reply with its
 * correlation id arrives. Run beside the full stack it splits Pipeline's cost between the transport and the core.
 */
final class TransportOnlyContender implements Contender {
    private final String broker;
    private final String uri;
    private final String service = "bench-spi-" + UUID.randomUUID().toString().substring(0, 8);
    private Transport serverTransport;
    private Transport clientTransport;
    private ServerChannel server;
    private BareClient client;

    TransportOnlyContender(String broker, String uri) {
        this.broker = broker;
        this.uri = uri;
    }

    @Override
    public String broker() {
        return broker;
    }

    @Override
    public String name() {
        return "transport only";
    }

    @Override
    public Role role() {
        return Role.DIAGNOSTIC;
    }

    @Override
    public String setup() {
        return "Pipeline's " + broker + " transport at SPI level: the server channel echoes the bytes, no JSON-RPC"
                + " core on either side; transport defaults";
    }

    /** Opens the transport of {@code uri}'s scheme found on the class path, with the URI's settings. */
    static Transport open(String uri) {
        URI u = URI.create(uri);
        for (TransportProvider p : ServiceLoader.load(TransportProvider.class)) {
            if (p.scheme().equals(u.getScheme())) {
                return p.open(u, Map.of());
            }
        }
        throw new IllegalStateException("no transport for " + uri);
    }

    @Override
    public void start() throws Exception {
        serverTransport = open(uri);
        clientTransport = open(uri);
        server = serverTransport.openServer(service, new ServerSettings(1024, Duration.ofSeconds(5)),
                request -> CompletableFuture.completedFuture(HandlerOutcome.reply(request.body())));
        server.start();
        client = new BareClient(clientTransport, service);
        Contender.awaitFirstReply(this, Duration.ofSeconds(90));
    }

    @Override
    public RoundTrip roundTrip() {
        return client.roundTrip();
    }

    @Override
    public void close() {
        Contender.closeAll(client, server, clientTransport, serverTransport);
    }
}
