package dev.pipeline.rpc.inproc;

import dev.pipeline.rpc.spi.HandlerOutcome;
import dev.pipeline.rpc.spi.RequestHandler;
import dev.pipeline.rpc.spi.ServerChannel;
import dev.pipeline.rpc.spi.ServerSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One server instance's subscription to a service on an in-process broker. Holds at most
 * {@link ServerSettings#maxInFlight()} unacknowledged messages; a message is acknowledged once its outcome has been
 * carried out (reply routed to the client). On close, messages not finished within the grace period go back to the
 * service's queue for another instance, and this instance's late outcomes for them are discarded.
 */
final class InprocServerChannel implements ServerChannel {
    private static final Logger LOG = LoggerFactory.getLogger(InprocServerChannel.class);

    private final InprocTransport transport;
    private final ServiceQueue queue;
    private final ServerSettings settings;
    private final RequestHandler handler;
    private final Semaphore slots;
    private final ConcurrentHashMap<Attempt, Boolean> unacked = new ConcurrentHashMap<>();
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closing = new AtomicBoolean();
    private volatile boolean closed;

    InprocServerChannel(InprocTransport transport, ServiceQueue queue, ServerSettings settings,
                        RequestHandler handler) {
        this.transport = transport;
        this.queue = queue;
        this.settings = Objects.requireNonNull(settings, "settings");
        this.handler = Objects.requireNonNull(handler, "handler");
        this.slots = new Semaphore(settings.maxInFlight());
    }

    @Override
    public void start() {
        if (closed) {
            throw new IllegalStateException("the inproc server channel of " + queue.service() + " is closed");
        }
        if (started.compareAndSet(false, true)) {
            queue.addConsumer(this);
            queue.drain();
        }
    }

    boolean tryAcquireSlot() {
        if (closed || !slots.tryAcquire()) {
            return false;
        }
        if (closed) {
            slots.release();
            return false;
        }
        return true;
    }

    void releaseSlot() {
        slots.release();
    }

    /** Hands one message to the handler; the slot was acquired by the caller. */
    void deliver(Message message) {
        Attempt attempt = new Attempt(message);
        unacked.put(attempt, Boolean.TRUE);
        CompletionStage<HandlerOutcome> stage;
        try {
            stage = handler.handle(message.toIncoming());
            if (stage == null) {
                stage = CompletableFuture.completedFuture(HandlerOutcome.none());
            }
        } catch (RuntimeException | Error e) {
            stage = CompletableFuture.failedFuture(e);
        }
        stage.whenComplete((outcome, failure) -> finish(attempt, outcome, failure));
    }

    private void finish(Attempt attempt, HandlerOutcome outcome, Throwable failure) {
        if (!attempt.settled.compareAndSet(false, true)) {
            return; // given to another instance when this one closed: as if this instance had died
        }
        Message m = attempt.message;
        try {
            if (failure != null) {
                LOG.error("the request handler of {} failed (acknowledging without reply): {}", queue.service(),
                        failure.toString());
            } else if (outcome != null) {
                if (outcome.reply() != null && m.replyTo() != null) {
                    queue.broker().reply(m.replyTo(), m.correlationId(), outcome.reply());
                }
                if (outcome.deadLetterReason() != null) {
                    LOG.warn("{} dead letter for {} (inproc keeps no dead-letter copy): {}", queue.broker(),
                            queue.service(), outcome.deadLetterReason());
                }
            }
        } finally {
            unacked.remove(attempt);
            slots.release();
            if (closed) {
                synchronized (this) {
                    notifyAll();
                }
            }
            queue.drain();
        }
    }

    /** Number of messages handed to the handler and not acknowledged (for tests). */
    int inFlight() {
        return unacked.size();
    }

    @Override
    public void close(Duration grace) {
        Objects.requireNonNull(grace, "grace");
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        closed = true;
        queue.removeConsumer(this);
        long deadline = System.nanoTime() + Math.max(0, grace.toNanos());
        boolean interrupted = false;
        synchronized (this) {
            long left;
            while (!unacked.isEmpty() && (left = deadline - System.nanoTime()) > 0) {
                try {
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                } catch (InterruptedException e) {
                    interrupted = true;
                    break;
                }
            }
        }
        List<Message> redeliver = new ArrayList<>();
        for (Attempt attempt : unacked.keySet()) {
            if (attempt.settled.compareAndSet(false, true)) {
                unacked.remove(attempt);
                redeliver.add(attempt.message);
            }
        }
        if (!redeliver.isEmpty()) {
            LOG.info("{}: server instance of {} closed with {} requests unfinished; they go to another instance",
                    queue.broker(), queue.service(), redeliver.size());
        }
        queue.requeue(redeliver);
        transport.forget(this);
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        close(settings.shutdownGrace());
    }

    /** One delivery of a message to this instance; settled exactly once (acknowledged, or handed back). */
    private static final class Attempt {
        final Message message;
        final AtomicBoolean settled = new AtomicBoolean();

        Attempt(Message message) {
            this.message = message;
        }
    }
}
