package dev.pipeline.rpc.kafka;

import dev.pipeline.rpc.spi.ClientChannel;
import dev.pipeline.rpc.spi.ClientSettings;
import dev.pipeline.rpc.spi.HandlerOutcome;
import dev.pipeline.rpc.spi.ReplyListener;
import dev.pipeline.rpc.spi.RequestHandler;
import dev.pipeline.rpc.spi.ServerChannel;
import dev.pipeline.rpc.spi.ServerSettings;
import dev.pipeline.rpc.spi.Transport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static dev.pipeline.rpc.kafka.KafkaTestSupport.request;
import static dev.pipeline.rpc.kafka.KafkaTestSupport.str;
import static dev.pipeline.rpc.kafka.KafkaTestSupport.transport;
import static dev.pipeline.rpc.kafka.KafkaTestSupport.uniqueService;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A caller blocked on its call reads the replies itself ({@link KafkaClientChannel#awaitReply}), on a real broker:
 * the reply is delivered on the caller's thread; replies nobody waits for still arrive, from the channel's thread,
 * whether its reader is idle or lent; a caller leaving early (deadline, interrupt, close) hands its reply back.
 */
class KafkaAwaitedReplyTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** Bodies starting with "slow" are answered after this. */
    private static final long SLOW_MILLIS = 1_500;

    private final KafkaTestSupport.Closer closer = new KafkaTestSupport.Closer();
    private final Map<String, String> deliveredOn = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<String>> replies = new ConcurrentHashMap<>();
    private String service;
    private KafkaClientChannel client;

    @BeforeEach
    void setUp() throws Exception {
        service = uniqueService("awaited");
        Transport server = closing(transport());
        Executor later = CompletableFuture.delayedExecutor(SLOW_MILLIS, TimeUnit.MILLISECONDS);
        RequestHandler handler = req -> {
            HandlerOutcome echo = HandlerOutcome.reply(req.body());
            if (str(req.body()).startsWith("\"silent")) {
                return new CompletableFuture<>(); // never answered
            }
            return str(req.body()).startsWith("\"slow")
                    ? CompletableFuture.supplyAsync(() -> echo, later) : CompletableFuture.completedFuture(echo);
        };
        ServerChannel sc = server.openServer(service, new ServerSettings(64, Duration.ofSeconds(1)), handler);
        sc.start();
        Transport ct = closing(transport());
        ReplyListener listener = (id, body) -> {
            deliveredOn.put(id, Thread.currentThread().getName());
            future(id).complete(str(body));
        };
        client = (KafkaClientChannel) ct.openClient(new ClientSettings("awaited-" + service), listener);
        closing(client);
        client.ready().get(60, TimeUnit.SECONDS);
    }

    @AfterEach
    void closeAll() {
        closer.closeAll();
    }

    private <T extends AutoCloseable> T closing(T c) {
        return closer.add(c);
    }

    private CompletableFuture<String> future(String id) {
        return replies.computeIfAbsent(id, k -> new CompletableFuture<>());
    }

    /** Sends {@code body} awaited and waits for its reply as the core's blocking call does. */
    private boolean callAwaited(String id, String body, long timeoutNanos) throws Exception {
        client.sendAwaited(service, request(id, body)).get(30, TimeUnit.SECONDS);
        return client.awaitReply(id, future(id)::isDone, System.nanoTime() + timeoutNanos);
    }

    /** One awaited call that finds the reader busy, after which the reader idles (it was asked for). */
    private void untilIdle() throws Exception {
        assertThat(callAwaited("warm", "\"warm\"", TimeUnit.SECONDS.toNanos(30))).isFalse();
        assertThat(future("warm").get(30, TimeUnit.SECONDS)).isEqualTo("\"warm\"");
        await().atMost(WAIT).until(() -> client.readerState().equals("idle"));
    }

    @Test
    void aWaitingCallerReadsItsReplyOnItsOwnThread() throws Exception {
        assertThat(client.readerState()).isEqualTo("running");
        untilIdle();
        String me = Thread.currentThread().getName();
        for (int i = 0; i < 5; i++) {
            assertThat(callAwaited("c" + i, "\"c" + i + "\"", TimeUnit.SECONDS.toNanos(30))).isTrue();
            assertThat(future("c" + i)).isCompletedWithValue("\"c" + i + "\"");
            assertThat(deliveredOn.get("c" + i)).isEqualTo(me);
            assertThat(client.readerState()).isEqualTo("idle"); // nothing else awaited: the thread stays parked
        }
    }

    @Test
    void repliesNobodyWaitsForArriveWhetherTheReaderIsIdleOrLent() throws Exception {
        untilIdle();
        // idle: an asynchronous send wakes the channel's thread, which delivers its reply
        client.send(service, request("a1", "\"a1\"")).get(30, TimeUnit.SECONDS);
        assertThat(future("a1").get(30, TimeUnit.SECONDS)).isEqualTo("\"a1\"");
        assertThat(deliveredOn.get("a1")).startsWith("pipeline-kafka-replies-");
        // lent: a caller waits for a slow reply while another thread sends; every reply arrives
        untilIdle();
        AtomicReference<Boolean> lent = new AtomicReference<>();
        Thread caller = new Thread(() -> {
            try {
                lent.set(callAwaited("s1", "\"slow-1\"", TimeUnit.SECONDS.toNanos(30)));
            } catch (Exception e) {
                lent.set(null);
            }
        }, "awaiting-caller");
        caller.start();
        await().atMost(WAIT).until(() -> client.readerState().equals("lent"));
        client.send(service, request("a2", "\"a2\"")).get(30, TimeUnit.SECONDS);
        assertThat(client.readerState()).isEqualTo("lent-wanted");
        assertThat(future("a2").get(30, TimeUnit.SECONDS)).isEqualTo("\"a2\"");
        assertThat(deliveredOn.get("a2")).isEqualTo("awaiting-caller"); // the caller reads everyone's replies
        caller.join(30_000);
        assertThat(lent.get()).isTrue();
        assertThat(deliveredOn.get("s1")).isEqualTo("awaiting-caller");
        // handed back to the thread, which goes on reading for the next send
        client.send(service, request("a3", "\"a3\"")).get(30, TimeUnit.SECONDS);
        assertThat(future("a3").get(30, TimeUnit.SECONDS)).isEqualTo("\"a3\"");
        assertThat(deliveredOn.get("a3")).startsWith("pipeline-kafka-replies-");
    }

    @Test
    void aCallerLeavingAtItsDeadlineHandsItsLateReplyToTheThread() throws Exception {
        untilIdle();
        assertThat(callAwaited("late", "\"slow-late\"", TimeUnit.MILLISECONDS.toNanos(200))).isTrue();
        assertThat(future("late")).isNotDone(); // it left at its deadline, before the reply
        assertThat(future("late").get(30, TimeUnit.SECONDS)).isEqualTo("\"slow-late\"");
        assertThat(deliveredOn.get("late")).startsWith("pipeline-kafka-replies-");
    }

    @Test
    void anInterruptedCallerStopsReadingAndKeepsItsInterrupt() throws Exception {
        untilIdle();
        AtomicBoolean interruptedAfter = new AtomicBoolean();
        Thread caller = new Thread(() -> {
            try {
                callAwaited("never", "\"silent\"", TimeUnit.SECONDS.toNanos(60));
            } catch (Exception e) {
                // not expected; the assertion below fails then
            }
            interruptedAfter.set(Thread.currentThread().isInterrupted());
        }, "interrupted-caller");
        caller.start();
        await().atMost(WAIT).until(() -> client.readerState().equals("lent"));
        caller.interrupt();
        caller.join(10_000);
        assertThat(caller.isAlive()).isFalse();
        assertThat(interruptedAfter).isTrue();
        // its call is left to the thread: the reader runs again, and the next calls are answered
        assertThat(client.readerState()).isEqualTo("running");
        client.send(service, request("after", "\"after\"")).get(30, TimeUnit.SECONDS);
        assertThat(future("after").get(30, TimeUnit.SECONDS)).isEqualTo("\"after\"");
    }

    @Test
    void closingTheChannelReleasesAWaitingCallerPromptly() throws Exception {
        untilIdle();
        AtomicReference<Duration> waited = new AtomicReference<>();
        Thread caller = new Thread(() -> {
            long start = System.nanoTime();
            try {
                callAwaited("never", "\"silent\"", TimeUnit.SECONDS.toNanos(60));
            } catch (Exception e) {
                // a send failure would show as a missing figure below
            }
            waited.set(Duration.ofNanos(System.nanoTime() - start));
        }, "closed-caller");
        caller.start();
        await().atMost(WAIT).until(() -> client.readerState().equals("lent"));
        long start = System.nanoTime();
        client.close();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        caller.join(10_000);
        assertThat(waited.get()).isNotNull().isLessThan(Duration.ofSeconds(10));
        assertThat(client.readerState()).isEqualTo("gone");
        // a closed channel lends nothing
        assertThat(client.awaitReply("x", () -> false, System.nanoTime() + TimeUnit.SECONDS.toNanos(5))).isFalse();
    }
}
