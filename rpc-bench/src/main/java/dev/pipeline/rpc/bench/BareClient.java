package dev.pipeline.rpc.bench;

import dev.pipeline.rpc.spi.ClientChannel;
import dev.pipeline.rpc.spi.ClientSettings;
import dev.pipeline.rpc.spi.OutgoingRequest;
import dev.pipeline.rpc.spi.Transport;
import dev.pipeline.rpc.tck.latency.RoundTrip;

import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A transport's client channel as a round trip, with no JSON-RPC core: it sends ready-made echo request bytes and
 * completes a call when the reply with its correlation id arrives, without reading it.
 */
final class BareClient implements AutoCloseable {
    private final ConcurrentHashMap<String, CompletableFuture<Void>> pending = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final String service;
    private final ClientChannel channel;

    /** Opens the channel on {@code transport} and waits until it is ready. */
    BareClient(Transport transport, String service) throws Exception {
        this.service = service;
        this.channel = transport.openClient(new ClientSettings("bench-" + UUID.randomUUID()), (id, body) -> {
            CompletableFuture<Void> f = id == null ? null : pending.remove(id);
            if (f != null) {
                f.complete(null);
            }
        });
        channel.ready().get(60, TimeUnit.SECONDS);
    }

    RoundTrip roundTrip() {
        return payload -> {
            long n = ids.incrementAndGet();
            String id = Long.toString(n);
            CompletableFuture<Void> f = new CompletableFuture<>();
            pending.put(id, f);
            channel.send(service, new OutgoingRequest(Contender.jsonRequest(payload, n), id, 0, null))
                    .whenComplete((v, e) -> {
                        if (e != null && pending.remove(id) != null) {
                            f.completeExceptionally(e);
                        }
                    });
            return f;
        };
    }

    @Override
    public void close() {
        channel.close();
        pending.values().forEach(f -> f.completeExceptionally(new IllegalStateException("closed")));
    }
}
