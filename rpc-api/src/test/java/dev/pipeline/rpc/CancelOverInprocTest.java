package dev.pipeline.rpc;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Cancellation through the core over {@code inproc:}: a thread blocked in a synchronous call that is interrupted
 * cancels the call, and the server, busy with another call, skips it; a cancelled call that had not been sent sends
 * nothing.
 */
class CancelOverInprocTest {
    private final String uri = "inproc:cancel-" + UUID.randomUUID();
    private final CountDownLatch started = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);
    private final AtomicInteger worked = new AtomicInteger();
    private final AtomicLong cancelsReceived = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private final AtomicLong cancelsSent = new AtomicLong();
    private RpcServer server;
    private RpcClient client;

    private void open() {
        server = Rpc.server(uri, ServerConfig.builder().concurrency(1).metrics(new RpcMetrics() {
            @Override
            public void cancelReceived(String service, String transport) {
                cancelsReceived.incrementAndGet();
            }

            @Override
            public void rejectedInput(String service, String transport, String reason) {
                if ("cancelled".equals(reason)) {
                    skipped.incrementAndGet();
                }
            }
        }).build());
        server.handle("svc", "hold", p -> {
            started.countDown();
            release.await(30, TimeUnit.SECONDS);
            return 1;
        });
        server.handle("svc", "work", p -> worked.incrementAndGet());
        server.start();
        client = Rpc.client(uri, ClientConfig.builder().defaultTimeout(Duration.ofSeconds(30)).metrics(
                new RpcMetrics() {
                    @Override
                    public void cancelSent(String service, String method, String transport) {
                        cancelsSent.incrementAndGet();
                    }
                }).build());
    }

    @AfterEach
    void close() {
        release.countDown();
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void interruptingASynchronousCallCancelsIt() throws Exception {
        open();
        CompletableFuture<Integer> busy = client.callAsync("svc", "hold", int.class);
        assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread caller = new Thread(() -> {
            try {
                client.call("svc", "work", int.class);
            } catch (Throwable t) {
                thrown.set(t);
            }
        });
        caller.start();
        await().until(() -> ((DefaultRpcClient) client).pendingCount() == 2);
        caller.interrupt();
        caller.join(30_000);
        assertThat(thrown.get()).isInstanceOf(RpcException.class).hasMessageContaining("interrupted");
        await().until(() -> cancelsReceived.get() == 1);
        assertThat(cancelsSent.get()).isEqualTo(1);
        release.countDown();
        assertThat(busy.get(30, TimeUnit.SECONDS)).isEqualTo(1);
        await().until(() -> skipped.get() == 1);
        assertThat(worked.get()).isZero();
        assertThat(client.call("svc", "work", int.class)).isEqualTo(1);
    }

    @Test
    void aCallThatCompletedSendsNoCancel() throws Exception {
        open();
        CompletableFuture<Integer> done = client.callAsync("svc", "work", int.class);
        assertThat(done.get(30, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(done.cancel(true)).isFalse();
        release.countDown();
        assertThat(client.call("svc", "hold", int.class)).isEqualTo(1); // anything sent before it was handled first
        assertThat(cancelsSent.get()).isZero();
        assertThat(cancelsReceived.get()).isZero();
    }
}
