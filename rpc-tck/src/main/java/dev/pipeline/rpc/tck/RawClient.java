package dev.pipeline.rpc.tck;

import dev.pipeline.rpc.spi.ClientChannel;
import dev.pipeline.rpc.spi.ClientSettings;
import dev.pipeline.rpc.spi.OutgoingRequest;
import dev.pipeline.rpc.spi.Transport;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client at the wire level: sends raw bytes through the transport SPI's {@link ClientChannel} and records every
 * reply the transport delivers, byte for byte, so the suites can check exactly what comes back (and that nothing
 * does, for notifications).
 */
final class RawClient implements AutoCloseable {
    /** One reply as delivered to the channel's listener. */
    record Reply(String correlationId, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private final Transport transport;
    private final ClientChannel channel;
    private final LinkedBlockingQueue<Reply> replies = new LinkedBlockingQueue<>();
    private final List<Reply> all = java.util.Collections.synchronizedList(new ArrayList<>());
    private final Duration timeout;
    private final String clientId = "tck-raw-" + UUID.randomUUID();

    RawClient(TransportFixture fixture) {
        this.timeout = fixture.callTimeout();
        this.transport = TckTransports.open(fixture);
        try {
            this.channel = transport.openClient(new ClientSettings(clientId),
                    (correlationId, body) -> {
                        Reply r = new Reply(correlationId, body.clone());
                        all.add(r);
                        replies.add(r);
                    });
            channel.ready().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            transport.close();
            throw new IllegalStateException("raw client channel did not become ready: " + e, e);
        }
    }

    /** Sends {@code json} expecting a reply; returns the correlation id used. */
    String send(String service, String json) {
        String correlationId = "tck-" + UUID.randomUUID();
        sendRaw(service, json.getBytes(StandardCharsets.UTF_8), correlationId, 0);
        return correlationId;
    }

    /** Sends {@code json} without a correlation id: no reply address, no reply expected. */
    void sendNoReply(String service, String json) {
        sendRaw(service, json.getBytes(StandardCharsets.UTF_8), null, 0);
    }

    /** Sends bytes and waits for the broker to accept them; rethrows a send failure. */
    void sendRaw(String service, byte[] body, String correlationId, long deadline) {
        try {
            sendAsync(service, body, correlationId, deadline).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("send failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (TimeoutException e) {
            throw new AssertionError("the transport did not accept a message within " + timeout);
        }
    }

    CompletableFuture<Void> sendAsync(String service, byte[] body, String correlationId, long deadline) {
        return sendAsync(service, new OutgoingRequest(body, correlationId, deadline, null));
    }

    CompletableFuture<Void> sendAsync(String service, OutgoingRequest request) {
        return channel.send(service, request);
    }

    /** @return the client instance id this channel was opened with. */
    String clientId() {
        return clientId;
    }

    /** Sends a request and returns the text of its reply; fails if none arrives within the call timeout. */
    String call(String service, String json) {
        return awaitReply(send(service, json));
    }

    /** Waits for the reply with {@code correlationId}; other replies stay recorded in {@link #all()}. */
    String awaitReply(String correlationId) {
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            synchronized (all) {
                for (Reply r : all) {
                    if (correlationId.equals(r.correlationId())) {
                        return r.text();
                    }
                }
            }
            long left = end - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("no reply with correlation id " + correlationId + " within " + timeout
                        + "; replies received: " + all());
            }
            try {
                replies.poll(Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted");
            }
        }
    }

    /** Waits for {@code n} replies with {@code correlationId}; fails if they do not arrive within the call timeout. */
    List<Reply> awaitReplies(String correlationId, int n) {
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<Reply> got = repliesFor(correlationId);
            if (got.size() >= n) {
                return got;
            }
            long left = end - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError(got.size() + " of " + n + " replies with correlation id " + correlationId
                        + " within " + timeout);
            }
            try {
                replies.poll(Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted");
            }
        }
    }

    /** @return every reply delivered so far, in arrival order. */
    List<Reply> all() {
        synchronized (all) {
            return List.copyOf(all);
        }
    }

    /** @return the replies delivered with {@code correlationId}. */
    List<Reply> repliesFor(String correlationId) {
        synchronized (all) {
            return all.stream().filter(r -> correlationId.equals(r.correlationId())).toList();
        }
    }

    /** Asserts the replies received so far are exactly the ones with the given correlation ids, once each. */
    void assertOnlyRepliesTo(java.util.Collection<String> correlationIds) {
        List<Reply> got = all();
        assertThat(got).as("replies delivered to this raw client")
                .extracting(Reply::correlationId).containsExactlyInAnyOrderElementsOf(correlationIds);
    }

    @Override
    public void close() {
        try {
            channel.close();
        } finally {
            transport.close();
        }
    }
}
