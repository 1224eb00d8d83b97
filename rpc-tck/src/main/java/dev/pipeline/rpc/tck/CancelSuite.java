package dev.pipeline.rpc.tck;

import dev.pipeline.rpc.Interruptible;
import dev.pipeline.rpc.RpcClient;
import dev.pipeline.rpc.RpcContext;
import dev.pipeline.rpc.RpcMetrics;
import dev.pipeline.rpc.RpcServer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Cancellation on the transport under test: cancelling a call's future sends {@code rpc.cancel}; a server that has
 * not started the call skips it, one that runs it interrupts an {@link Interruptible} method and lets any other run
 * to its end; a cancel from another client changes nothing. Each test runs one server instance, which holds every
 * call and receives every cancel (on a transport whose consumer group hands a message to one of several instances,
 * such as Redis streams, a cancel reaches only one of them: best effort).
 *
 * <p>A transport module runs it with one class:
 * <pre>{@code
 * class KafkaCancelTest extends CancelSuite {
 *     @Override protected TransportFixture fixture() { return new KafkaTckFixture(); }
 * }
 * }</pre>
 */
public abstract class CancelSuite extends TckBase {
    private static final Duration LONG = Duration.ofSeconds(60);

    /** Counts what the server reports about cancels. */
    static final class ServerCounts implements RpcMetrics {
        final AtomicLong cancelsReceived = new AtomicLong();
        final AtomicLong skipped = new AtomicLong();

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
    }

    /** A service whose calls block until the test lets them go. */
    public static final class Blocking {
        final CountDownLatch started = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicInteger worked = new AtomicInteger();
        final AtomicBoolean interrupted = new AtomicBoolean();
        final AtomicBoolean sawCancelled = new AtomicBoolean();
        final AtomicBoolean ranToEnd = new AtomicBoolean();
        final AtomicReference<String> correlationId = new AtomicReference<>();

        /**
         * Holds the server's only thread until released.
         *
         * @return 1
         * @throws InterruptedException never: the wait ends by its release or its timeout
         */
        public int hold() throws InterruptedException {
            correlationId.set(RpcContext.current().orElseThrow().correlationId());
            started.countDown();
            release.await(LONG.toMillis(), TimeUnit.MILLISECONDS);
            sawCancelled.set(RpcContext.current().orElseThrow().cancelled());
            interrupted.set(Thread.currentThread().isInterrupted());
            ranToEnd.set(true);
            return 1;
        }

        /**
         * Waits to be interrupted.
         *
         * @return -1 when interrupted, 1 when released
         */
        @Interruptible
        public int sleepy() {
            correlationId.set(RpcContext.current().orElseThrow().correlationId());
            started.countDown();
            try {
                release.await(LONG.toMillis(), TimeUnit.MILLISECONDS);
                ranToEnd.set(true);
                return 1;
            } catch (InterruptedException e) {
                interrupted.set(true);
                return -1;
            }
        }

        /**
         * Counts a call that ran.
         *
         * @return the calls that ran so far
         */
        public int work() {
            return worked.incrementAndGet();
        }
    }

    private record Setup(String service, Blocking target, ServerCounts counts, RpcClient client) {
    }

    private Setup serve(String prefix) {
        String svc = uniqueService(prefix);
        Blocking target = new Blocking();
        ServerCounts counts = new ServerCounts();
        RpcServer server = server(b -> b.concurrency(1).metrics(counts));
        server.expose(svc, target);
        server.start();
        RpcClient client = client(b -> b.defaultTimeout(LONG));
        return new Setup(svc, target, counts, client);
    }

    private static void awaitStarted(Blocking target) throws InterruptedException {
        assertThat(target.started.await(LONG.toMillis(), TimeUnit.MILLISECONDS)).as("the handler started").isTrue();
    }

    /**
     * Checks: a call cancelled while it waits behind a busy server never runs, and nothing answers it.
     *
     * @throws Exception when the test cannot run
     */
    @Test
    @DisplayName("a call cancelled while it waits behind a busy server never runs, and nothing answers it")
    public void queuedCallCancelledNeverRuns() throws Exception {
        Setup s = serve("cancelq");
        CompletableFuture<Integer> busy = s.client().callAsync(s.service(), "hold", int.class);
        awaitStarted(s.target());
        CompletableFuture<Integer> queued = s.client().callAsync(s.service(), "work", int.class);
        assertThat(queued.cancel(true)).isTrue();
        await().until(() -> s.counts().cancelsReceived.get() == 1);
        s.target().release.countDown();
        assertThat(get(busy, LONG)).isEqualTo(1);
        await().until(() -> s.counts().skipped.get() == 1);
        assertThat(s.target().worked.get()).as("the cancelled call ran").isZero();
        // the server goes on serving
        assertThat(s.client().call(s.service(), "work", int.class)).isEqualTo(1);
    }

    /**
     * Checks: a running @Interruptible handler is interrupted when its call is cancelled.
     *
     * @throws Exception when the test cannot run
     */
    @Test
    @DisplayName("a running @Interruptible handler is interrupted when its call is cancelled")
    public void runningInterruptibleHandlerIsInterrupted() throws Exception {
        Setup s = serve("cancelint");
        CompletableFuture<Integer> call = s.client().callAsync(s.service(), "sleepy", int.class);
        awaitStarted(s.target());
        assertThat(call.cancel(true)).isTrue();
        await().until(() -> s.target().interrupted.get());
        assertThat(s.target().ranToEnd.get()).isFalse();
        // the pool thread is not left interrupted: the next call runs normally
        assertThat(s.client().call(s.service(), "work", int.class)).isEqualTo(1);
    }

    /**
     * Checks: a running handler that did not opt in runs to its end, seeing RpcContext.cancelled().
     *
     * @throws Exception when the test cannot run
     */
    @Test
    @DisplayName("a running handler that did not opt in runs to its end, seeing RpcContext.cancelled()")
    public void runningHandlerWithoutOptInRunsToItsEnd() throws Exception {
        Setup s = serve("cancelrun");
        CompletableFuture<Integer> call = s.client().callAsync(s.service(), "hold", int.class);
        awaitStarted(s.target());
        assertThat(call.cancel(true)).isTrue();
        await().until(() -> s.counts().cancelsReceived.get() == 1);
        s.target().release.countDown();
        await().until(() -> s.target().ranToEnd.get());
        assertThat(s.target().interrupted.get()).as("interrupted").isFalse();
        assertThat(s.target().sawCancelled.get()).as("RpcContext.cancelled()").isTrue();
        assertThat(s.client().call(s.service(), "work", int.class)).isEqualTo(1);
    }

    /**
     * Checks: another client cannot cancel a call: the same correlation id from another client id is ignored.
     *
     * @throws Exception when the test cannot run
     */
    @Test
    @DisplayName("another client cannot cancel a call: the same correlation id from another client id is ignored")
    public void anotherClientCannotCancel() throws Exception {
        Setup s = serve("cancelforeign");
        CompletableFuture<Integer> call = s.client().callAsync(s.service(), "hold", int.class);
        awaitStarted(s.target());
        String victim = s.target().correlationId.get();
        assertThat(victim).isNotNull();
        try (RawClient other = new RawClient(fixture)) {
            other.sendNoReply(s.service(), "{\"jsonrpc\":\"2.0\",\"method\":\"rpc.cancel\",\"params\":{\"id\":\""
                    + victim + "\"}}");
            await().until(() -> s.counts().cancelsReceived.get() == 1);
        }
        s.target().release.countDown();
        assertThat(get(call, LONG)).isEqualTo(1);
        assertThat(s.target().sawCancelled.get()).as("RpcContext.cancelled()").isFalse();
        assertThat(s.target().interrupted.get()).isFalse();
    }
}
