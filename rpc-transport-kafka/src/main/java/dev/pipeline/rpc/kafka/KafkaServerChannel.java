package dev.pipeline.rpc.kafka;

import dev.pipeline.rpc.spi.HandlerOutcome;
import dev.pipeline.rpc.spi.IncomingRequest;
import dev.pipeline.rpc.spi.RequestHandler;
import dev.pipeline.rpc.spi.ServerChannel;
import dev.pipeline.rpc.spi.ServerSettings;
import dev.pipeline.rpc.spi.WireHeaders;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One server instance of a service: a member of the service's consumer group on its request topic.
 *
 * <p>One thread owns the consumer. Records are handed to the {@link RequestHandler} in partition order, at most
 * {@link ServerSettings#maxInFlight()} at once (counting records handed out and not yet released by the commit
 * prefix); when full, every assigned partition is paused until work completes. When a handler's outcome arrives its
 * reply and dead-letter copy are produced, and once the broker acknowledged them the record is marked done. The
 * consumer thread advances each partition's contiguous done prefix and commits it asynchronously, at most once per
 * {@link KafkaTransportConfig#commitInterval()}. On revocation the done prefix is committed synchronously (once per
 * rebalance) and nothing past it; in-flight work of a revoked partition still replies but is not committed (the new
 * owner gets it again: at-least-once). A close first hands over ({@link #handOver}: it serves on while its callers,
 * told by its replies, send elsewhere), then stops intake, lets in-flight work finish, commits and leaves the group.
 *
 * <p>A request's {@code rpc-reply-to} is untrusted ({@link ReplyAddresses}): one malformed or outside the reply
 * namespace is dead-lettered before dispatch, so its handler never runs. The reply topic's existence and partitions
 * come from a cache whose checks run asynchronously; an outcome whose topic is not known yet waits off the loop's
 * thread and is produced from {@link #offLoop}, so that no send on the loop thread waits for metadata. A reply whose
 * topic or partition does not exist is dropped and the request dead-lettered with the reason (its handler ran).
 */
final class KafkaServerChannel implements ServerChannel {
    private static final Logger log = LoggerFactory.getLogger(KafkaServerChannel.class);
    private static final Duration POLL = Duration.ofMillis(100);
    /**
     * After the poll loop died this many times in a row while dispatching the same record (a poison record: its
     * handling on the loop thread throws an {@code Error} every time), the record is dead-lettered and committed the
     * next time it comes, instead of being dispatched again. Each death costs a restart with a doubling back-off
     * (0.5, 1, 2 s), so three bound the stall of its partition to a few seconds while a one-off
     * {@code OutOfMemoryError} on a busy heap still gets two retries.
     */
    static final int DEATHS_PER_RECORD = 3;
    /**
     * A graceful stop first hands its partitions over ({@link #handOver}): it goes on serving, with the partitions it
     * is giving up on every reply ({@link KafkaHeaders#LEAVING}), until no request came for this long (its callers
     * send elsewhere), and only then stops intake and leaves the group. Longer than the gap between two requests of
     * a caller that sends a few per second to each server, short enough not to hold a close back.
     */
    static final long HAND_OVER_QUIET_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    /** The longest hand-over, when requests keep coming (callers that never get a reply from this server). */
    static final long HAND_OVER_MAX_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final KafkaTransport transport;
    private final KafkaTransportConfig config;
    private final String service;
    private final String topic;
    private final ServerSettings settings;
    private final RequestHandler handler;
    private final long commitIntervalNanos;
    private final Object lifecycle = new Object();
    /** Checks reply addresses before dispatch and before each send (see {@link ReplyAddresses}). */
    private final ReplyAddresses addresses;
    /**
     * Runs what must not run on the poll loop's thread: sends whose reply topic had to be checked first, or could
     * not be checked (such a send may wait up to {@code max.block.ms} for metadata), and the producer metadata
     * fetch of a topic just found.
     */
    private final java.util.concurrent.ThreadPoolExecutor offLoop;

    // consumer-thread state
    private final Map<TopicPartition, PartitionState> states = new HashMap<>();
    private final ArrayDeque<ConsumerRecord<byte[], byte[]>> pending = new ArrayDeque<>();
    private int outstanding;
    /**
     * Bytes of the records dispatched whose outcome is not produced yet ({@link ServerSettings#maxInFlightBytes()}):
     * added on the consumer thread, released by {@link #markDone} on whichever thread produced the outcome.
     */
    private final java.util.concurrent.atomic.AtomicLong inFlightBytes = new java.util.concurrent.atomic.AtomicLong();
    private boolean pausedAll;
    private long lastCommitNanos;
    /** The record whose dispatch on the loop thread threw (set by {@link #dispatchNoted}, read by {@link #run}). */
    private ConsumerRecord<byte[], byte[]> diedAt;
    /** Where the loop died last ({@code topic-partition@offset}), how many times in a row there, and of what. */
    private String poisonAt;
    private int poisonDeaths;
    private String poisonError;

    private volatile KafkaConsumer<byte[], byte[]> consumer;
    private volatile boolean wakeOnCompletion;
    private volatile boolean stopping;
    private volatile long stopDeadlineNanos;
    private volatile int assignedCount;
    /** While the channel hands its partitions over: the {@link KafkaHeaders#LEAVING} value, else null. */
    private volatile byte[] leaving;
    /** With {@link #leaving}: this member's id in the group. */
    private volatile byte[] leavingMember;
    /** Whether the loop hands over: it dispatches while {@link #stopping} (consumer thread only). */
    private boolean handingOver;
    private final CountDownLatch stopped = new CountDownLatch(1);
    /** The thread running the poll loop. */
    private volatile Thread thread;
    /** Outcome sends deferred while the loop thread dispatches a poll's records; only its own thread adds to it. */
    private volatile Deferred deferred;
    private boolean started;
    private boolean closed;
    private final dev.pipeline.rpc.spi.LoopHealth loopHealth;

    KafkaServerChannel(KafkaTransport transport, String service, ServerSettings settings, RequestHandler handler) {
        this.transport = transport;
        this.config = transport.config();
        this.service = service;
        this.topic = config.requestTopic(service);
        this.settings = settings;
        this.handler = handler;
        this.commitIntervalNanos = config.commitInterval().toNanos();
        this.loopHealth = new dev.pipeline.rpc.spi.LoopHealth("the Kafka poll loop of service '" + service + "'");
        // due at once: System.nanoTime() counts from an arbitrary origin (on Linux the boot), so a zero here held
        // the first commit back until the interval had passed since the boot (an hour's interval on a fresh host)
        this.lastCommitNanos = System.nanoTime() - commitIntervalNanos;
        this.offLoop = new java.util.concurrent.ThreadPoolExecutor(2, 2, 10, TimeUnit.SECONDS,
                new java.util.concurrent.LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "pipeline-kafka-reply-" + service);
                    t.setDaemon(true);
                    return t;
                });
        this.offLoop.allowCoreThreadTimeOut(true);
        this.addresses = new ReplyAddresses(transport, service, offLoop);
    }

    @Override
    public void start() {
        synchronized (lifecycle) {
            if (closed) {
                throw new IllegalStateException("the Kafka server channel of '" + service + "' is closed");
            }
            if (started) {
                return;
            }
            transport.unreachable().ifPresent(why -> {
                throw new IllegalStateException(why);
            });
            long timeout = config.operationTimeout().toMillis();
            try {
                CompletableFuture.allOf(
                        transport.topics().ensure(topic, config.partitions(), transport.topicConfigs(false)),
                        transport.topics().ensure(config.deadLetterTopic(service), 1, transport.topicConfigs(false)))
                        .get(timeout, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                throw new IllegalStateException("cannot set up service '" + service + "': "
                        + KafkaErrors.noAnswer(config, timeout));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while setting up service '" + service + "'", e);
            } catch (Exception e) {
                Throwable cause = Topics.unwrap(e);
                throw cause instanceof RuntimeException ? (RuntimeException) cause
                        : new IllegalStateException(cause.getMessage(), cause);
            }
            consumer = subscribedConsumer();
            Thread t = new Thread(this::run, "pipeline-kafka-server-" + service);
            thread = t;
            t.start();
            started = true;
        }
    }

    private KafkaConsumer<byte[], byte[]> subscribedConsumer() {
        java.util.Properties props = transport.consumerProperties(
                config.group(service), "server-" + service, Math.min(500, settings.maxInFlight()));
        // what one fetch may bring in beside the work in flight: half the byte budget (Kafka's default, 50 MiB,
        // next to 32 MiB in flight would not fit a small heap); a record larger than this still comes, alone
        props.putIfAbsent(org.apache.kafka.clients.consumer.ConsumerConfig.FETCH_MAX_BYTES_CONFIG,
                Long.toString(Math.max(1L << 20, Math.min(50L << 20, settings.maxInFlightBytes() / 2))));
        KafkaConsumer<byte[], byte[]> c = transport.newConsumer(props);
        try {
            c.subscribe(List.of(topic), new Rebalance());
        } catch (RuntimeException | Error e) {
            c.close(Duration.ZERO);
            throw e;
        }
        return c;
    }

    /**
     * The poll loop's health; {@code DEGRADED} until the consumer first joined its group (the first rebalance
     * callback, with or without partitions): before that no request of the service is read by this instance.
     */
    @Override
    public dev.pipeline.rpc.Health health() {
        dev.pipeline.rpc.Health loop = loopHealth.health();
        if (!joined && loop.isUp()) {
            return dev.pipeline.rpc.Health.degraded("joining the consumer group of '" + service + "'");
        }
        return loop;
    }

    /** Set at the first rebalance callback. */
    private volatile boolean joined;

    // ---------------------------------------------------------------- consumer thread

    /**
     * The poll loop. A fatal error on it ({@code OutOfMemoryError}, {@code StackOverflowError}, any throwable) does
     * not end it silently: it is logged at ERROR, the health says DOWN, the consumer is closed (what it had not
     * committed is delivered again) and, after a back-off, a new consumer joins the group and the loop goes on. A
     * record whose dispatch killed the loop {@link #DEATHS_PER_RECORD} times in a row is then dead-lettered with the
     * error and committed, so its partition moves on.
     */
    private void run() {
        while (true) {
            KafkaConsumer<byte[], byte[]> c = consumer;
            Throwable died = poll(c);
            if (died != null) {
                noteDeath(died);
            }
            if (died == null || stopping || !restart(c, died)) {
                closeConsumer(consumer);
                return;
            }
        }
    }

    /** @return what ended the loop, or null when it ended by a close or an interrupt */
    private Throwable poll(KafkaConsumer<byte[], byte[]> c) {
        try {
            while (!stopping) {
                advanceAndMaybeCommit(false);
                dispatchPending();
                updatePause();
                ConsumerRecords<byte[], byte[]> records;
                try {
                    records = c.poll(POLL);
                } catch (WakeupException e) {
                    continue;
                }
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    pending.add(r);
                }
                dispatchPending();
            }
            handOver(c);
            drain(c);
            return null;
        } catch (InterruptException e) {
            log.warn("server of '{}' interrupted; closing", service);
            loopHealth.stopped("interrupted");
            return null;
        } catch (Throwable e) {
            return e;
        }
    }

    /**
     * After the loop died of {@code error}: closes its consumer, forgets what it had in flight (uncommitted, so
     * delivered again), waits the back-off and subscribes a new consumer.
     *
     * @return false when the channel closes meanwhile
     */
    private boolean restart(KafkaConsumer<byte[], byte[]> c, Throwable error) {
        Throwable cause = error;
        while (true) {
            long backoff = loopHealth.died(cause);
            try {
                c.close(Duration.ofSeconds(2)); // leaves the group, so the new consumer does not wait for a session timeout
            } catch (Throwable e) {
                log.debug("closing the consumer of '{}' after its loop died: {}", service, e.toString());
            }
            wakeOnCompletion = false;
            for (PartitionState st : states.values()) {
                for (Entry e : st.inflight) {
                    markDone(e); // its bytes back to the budget: a record whose dispatch the error cut short never
                    // completes; one that does later finds it released already
                }
            }
            forget(new ArrayList<>(states.keySet()), "given up by the restart of the poll loop");
            pending.clear();
            pausedAll = false;
            wakeOnCompletion = false;
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(backoff);
            while (!stopping && System.nanoTime() - until < 0) {
                try {
                    Thread.sleep(Math.min(100, Math.max(1, TimeUnit.NANOSECONDS.toMillis(until - System.nanoTime()))));
                } catch (InterruptedException e) {
                    loopHealth.stopped("interrupted");
                    return false;
                }
            }
            if (stopping) {
                return false;
            }
            try {
                KafkaConsumer<byte[], byte[]> fresh = subscribedConsumer();
                synchronized (lifecycle) {
                    consumer = fresh;
                    if (stopping) {
                        fresh.wakeup(); // close() woke the old one
                    }
                }
                loopHealth.restarted();
                return true;
            } catch (Throwable e) {
                cause = e;
            }
        }
    }

    private void closeConsumer(KafkaConsumer<byte[], byte[]> c) {
        try {
            // leave the group even as a static member (group.instance.id), which Kafka otherwise keeps in the group
            // until its session timeout expires: a graceful stop hands its partitions over at once
            c.close(org.apache.kafka.clients.consumer.CloseOptions.groupMembershipOperation(
                    org.apache.kafka.clients.consumer.CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                    .withTimeout(Duration.ofSeconds(5)));
        } catch (RuntimeException | Error e) {
            log.debug("closing the consumer of '{}': {}", service, e.toString());
        }
        offLoop.shutdown(); // what is queued still runs; what comes later is dropped (uncommitted: delivered again)
        stopped.countDown();
    }

    /**
     * The first step of a graceful stop: serves on, with the partitions this server gives up named on every reply
     * ({@link KafkaHeaders#LEAVING}: the callers send their new calls elsewhere at once), until no request came for
     * {@link #HAND_OVER_QUIET_NANOS}, or {@link #HAND_OVER_MAX_NANOS} (at most half the grace) passed. The requests
     * already in its partitions are answered here, so that none waits for the group to move the partitions after
     * the leave. A server given no requests meanwhile leaves after the quiet time.
     */
    private void handOver(KafkaConsumer<byte[], byte[]> c) {
        long start = System.nanoTime();
        long until = start + Math.min(HAND_OVER_MAX_NANOS, Math.max(0, stopDeadlineNanos - start) / 2);
        long lastRecord = start;
        handingOver = true;
        try {
            announceLeaving(c);
            while (!states.isEmpty()) {
                long now = System.nanoTime();
                if (now - lastRecord >= HAND_OVER_QUIET_NANOS || now - until >= 0) {
                    break;
                }
                advanceAndMaybeCommit(false);
                dispatchPending();
                updatePause();
                ConsumerRecords<byte[], byte[]> records;
                try {
                    records = c.poll(Duration.ofMillis(Math.max(1, Math.min(POLL.toMillis(),
                            TimeUnit.NANOSECONDS.toMillis(Math.min(until - now,
                                    lastRecord + HAND_OVER_QUIET_NANOS - now))))));
                } catch (WakeupException e) {
                    continue;
                }
                if (!records.isEmpty()) {
                    lastRecord = System.nanoTime();
                }
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    pending.add(r);
                }
                dispatchPending();
            }
        } finally {
            handingOver = false;
        }
        log.debug("server of '{}' handed over for {} ms; leaving", service,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }

    /** While handing over: names the partitions assigned now on the replies that follow (consumer thread). */
    private void announceLeaving(KafkaConsumer<byte[], byte[]> c) {
        StringBuilder b = new StringBuilder();
        for (TopicPartition tp : states.keySet()) {
            if (tp.topic().equals(topic)) {
                b.append(b.length() == 0 ? "" : ",").append(tp.partition());
            }
        }
        String member;
        try {
            member = c.groupMetadata().memberId();
        } catch (RuntimeException e) {
            member = "";
        }
        leavingMember = member.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        leaving = b.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Shutdown: no new work; wait (up to the grace deadline) for in-flight work, commit its prefix, leave. */
    private void drain(KafkaConsumer<byte[], byte[]> c) {
        pending.clear();
        c.pause(c.assignment());
        pausedAll = true;
        wakeOnCompletion = true;
        while (true) {
            advanceAndMaybeCommit(false);
            if (outstanding == 0 || System.nanoTime() >= stopDeadlineNanos) {
                break;
            }
            try {
                long left = TimeUnit.NANOSECONDS.toMillis(stopDeadlineNanos - System.nanoTime());
                c.poll(Duration.ofMillis(Math.max(1, Math.min(left, POLL.toMillis()))));
            } catch (WakeupException ignored) {
                // a completion
            }
        }
        advanceAndMaybeCommit(true);
        if (outstanding > 0) {
            log.info("server of '{}' closing with {} message(s) unfinished; they stay uncommitted and will be "
                    + "delivered again", service, outstanding);
        }
    }

    /**
     * Sends of outcomes that completed on the loop thread while it dispatched a poll's records (handlers run there
     * with a direct executor, and quick rejections always do): they go to the producer together once the records are
     * dispatched, so the producer sends them in one batch instead of one request per trickling reply. Only the
     * thread that created it adds to it.
     */
    private static final class Deferred {
        final Thread owner = Thread.currentThread();
        final ArrayList<Runnable> sends = new ArrayList<>();

        void flush() {
            for (int i = 0; i < sends.size(); i++) {
                sends.get(i).run();
            }
            sends.clear();
        }
    }

    private void dispatchPending() {
        if (pending.isEmpty()) {
            return;
        }
        Deferred d = new Deferred();
        deferred = d;
        try {
            releaseDone(); // the calls answered since the last poll
            while (!pending.isEmpty() && outstanding < settings.maxInFlight() && (!stopping || handingOver)
                    && fits(pending.peek())) {
                ConsumerRecord<byte[], byte[]> r = pending.poll();
                TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                PartitionState st = states.get(tp);
                if (st == null) {
                    continue; // revoked meanwhile: the new owner reads it again
                }
                Entry e = new Entry(st, r.offset(), size(r));
                inFlightBytes.addAndGet(e.bytes);
                st.inflight.add(e);
                outstanding++;
                if (poisonDeaths >= DEATHS_PER_RECORD && where(r).equals(poisonAt)) {
                    deadLetterPoison(r, e);
                    continue;
                }
                dispatchNoted(r, e);
            }
        } finally {
            deferred = null;
            d.flush();
        }
    }

    /** @return whether {@code r} may be dispatched now under the byte budget (always, when nothing is in flight) */
    private boolean fits(ConsumerRecord<byte[], byte[]> r) {
        long used = inFlightBytes.get();
        return used == 0 || used + size(r) <= settings.maxInFlightBytes();
    }

    private static int size(ConsumerRecord<byte[], byte[]> r) {
        return (r.value() == null ? 0 : r.value().length) + (r.key() == null ? 0 : r.key().length);
    }

    private void updatePause() {
        KafkaConsumer<byte[], byte[]> c = consumer;
        boolean full = outstanding >= settings.maxInFlight() || !pending.isEmpty();
        if (full) {
            wakeOnCompletion = true;
            advanceAndMaybeCommit(false); // completions that raced with the flag
            dispatchPending();
            full = outstanding >= settings.maxInFlight() || !pending.isEmpty();
        }
        if (full && !pausedAll) {
            c.pause(c.assignment());
            pausedAll = true;
            log.debug("server of '{}' full ({} in flight): partitions paused", service, outstanding);
        } else if (!full && pausedAll) {
            c.resume(c.assignment());
            pausedAll = false;
            wakeOnCompletion = false;
        } else if (!full) {
            wakeOnCompletion = false;
        }
    }

    /** Releases the done prefix of every partition; commits asynchronously when due, or synchronously if asked. */
    private void advanceAndMaybeCommit(boolean sync) {
        releaseDone();
        long now = System.nanoTime();
        if (!sync && now - lastCommitNanos < commitIntervalNanos) {
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (PartitionState st : states.values()) {
            if (st.toCommit > st.committed) {
                offsets.put(st.tp, new OffsetAndMetadata(st.toCommit));
            }
        }
        if (offsets.isEmpty()) {
            return;
        }
        lastCommitNanos = now;
        commit(offsets, sync);
    }

    /** Releases each partition's done prefix: what is committed next. */
    private void releaseDone() {
        for (PartitionState st : states.values()) {
            Entry head;
            while ((head = st.inflight.peek()) != null && head.done) {
                st.inflight.poll();
                outstanding--;
                st.toCommit = head.offset + 1;
            }
        }
    }

    private void commit(Map<TopicPartition, OffsetAndMetadata> offsets, boolean sync) {
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (sync) {
            boolean wake = wakeOnCompletion;
            wakeOnCompletion = false;
            try {
                for (int attempt = 0; attempt < 3; attempt++) {
                    try {
                        c.commitSync(offsets, Duration.ofSeconds(10));
                        markCommitted(offsets);
                        return;
                    } catch (WakeupException e) {
                        // a completion's wakeup raced with the flag: commit again
                    }
                }
            } catch (RuntimeException e) {
                log.warn("commit of '{}' failed: {}", service, e.toString());
            } finally {
                wakeOnCompletion = wake;
            }
            return;
        }
        try {
            c.commitAsync(offsets, (done, e) -> {
                if (e == null) {
                    markCommitted(done);
                } else {
                    log.debug("async commit of '{}' failed (the next one covers it): {}", service, e.toString());
                }
            });
        } catch (RuntimeException e) {
            log.warn("commit of '{}' failed: {}", service, e.toString());
        }
    }

    private void markCommitted(Map<TopicPartition, OffsetAndMetadata> offsets) {
        for (Map.Entry<TopicPartition, OffsetAndMetadata> e : offsets.entrySet()) {
            PartitionState st = states.get(e.getKey());
            if (st != null && e.getValue().offset() > st.committed) {
                st.committed = e.getValue().offset();
            }
        }
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (partitions.isEmpty()) {
                return;
            }
            advanceAndMaybeCommit(false);
            Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
            for (TopicPartition tp : partitions) {
                PartitionState st = states.get(tp);
                if (st != null && st.toCommit > st.committed) {
                    offsets.put(tp, new OffsetAndMetadata(st.toCommit));
                }
            }
            if (!offsets.isEmpty()) {
                commit(offsets, true);
            }
            forget(partitions, "revoked");
            if (handingOver) {
                announceLeaving(consumer);
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            forget(partitions, "lost");
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            for (TopicPartition tp : partitions) {
                states.putIfAbsent(tp, new PartitionState(tp));
            }
            if (pausedAll && !partitions.isEmpty()) {
                consumer.pause(partitions);
            }
            assignedCount = states.size();
            anchor(partitions);
            joined = true;
            if (handingOver) {
                announceLeaving(consumer);
            }
            log.debug("server of '{}' assigned {}", service, partitions);
        }
    }

    /** Partitions whose committed offset this instance has made sure of; consumer thread only. */
    private final java.util.Set<TopicPartition> anchored = new java.util.HashSet<>();

    /**
     * Commits the position of each newly assigned partition that has no committed offset yet. Kafka deletes a group
     * whose members all left at its next clean-up when it holds no offsets; with them it stays (for
     * {@code offsets.retention.minutes}), so a client still sees a service that was served and sends to it (requests wait on the broker for the next
     * server) instead of failing with "no server" ({@link ServerGroups}). One lookup per partition and instance.
     */
    private void anchor(Collection<TopicPartition> partitions) {
        List<TopicPartition> fresh = new ArrayList<>();
        for (TopicPartition tp : partitions) {
            if (!anchored.contains(tp)) {
                fresh.add(tp);
            }
        }
        if (fresh.isEmpty()) {
            return;
        }
        boolean wake = wakeOnCompletion;
        wakeOnCompletion = false;
        try {
            Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(new java.util.HashSet<>(fresh),
                    Duration.ofSeconds(10));
            Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
            for (TopicPartition tp : fresh) {
                if (committed.get(tp) == null) {
                    offsets.put(tp, new OffsetAndMetadata(consumer.position(tp, Duration.ofSeconds(10))));
                }
            }
            if (!offsets.isEmpty()) {
                commit(offsets, true);
            }
            anchored.addAll(fresh);
        } catch (RuntimeException e) { // tried again at the next assignment
            log.debug("server of '{}': could not check the committed offsets of {}: {}", service, fresh,
                    e.toString());
        } finally {
            wakeOnCompletion = wake;
        }
    }

    private void forget(Collection<TopicPartition> partitions, String why) {
        for (TopicPartition tp : partitions) {
            PartitionState st = states.remove(tp);
            if (st != null) {
                outstanding -= st.inflight.size();
                if (!st.inflight.isEmpty()) {
                    log.debug("{} {} with {} message(s) in flight: they will be delivered again", why, tp,
                            st.inflight.size());
                }
                st.inflight.clear();
            }
        }
        pending.removeIf(r -> partitions.contains(new TopicPartition(r.topic(), r.partition())));
        assignedCount = states.size();
    }

    /**
     * {@link #dispatch}, noting the record when its dispatch throws on this thread (an {@code Error}: dispatch turns
     * a handler's exceptions into outcomes), so that a record that kills the loop every time is recognised.
     */
    private void dispatchNoted(ConsumerRecord<byte[], byte[]> r, Entry e) {
        try {
            dispatch(r, e);
        } catch (Throwable t) {
            diedAt = r;
            throw t;
        }
        if (poisonAt != null && where(r).equals(poisonAt)) {
            poisonAt = null; // it went through this time: the deaths there were not its fault
            poisonDeaths = 0;
        }
    }

    /** On the loop's thread, after it died of {@code error}: counts the deaths in a row at the same record. */
    private void noteDeath(Throwable error) {
        ConsumerRecord<byte[], byte[]> at = diedAt;
        diedAt = null;
        String key = at == null ? null : where(at);
        if (key == null) {
            poisonAt = null;
            poisonDeaths = 0;
            return;
        }
        poisonDeaths = key.equals(poisonAt) ? poisonDeaths + 1 : 1;
        poisonAt = key;
        poisonError = String.valueOf(error);
        if (poisonDeaths >= DEATHS_PER_RECORD) {
            log.error("server of '{}': the poll loop died {} times in a row on the record at {} ({}); it is "
                    + "dead-lettered when it comes again", service, poisonDeaths, key, poisonError);
        }
    }

    /** Dead-letters a record the loop died on {@link #DEATHS_PER_RECORD} times in a row; it is committed after. */
    private void deadLetterPoison(ConsumerRecord<byte[], byte[]> r, Entry e) {
        String reason = "the server's poll loop died " + poisonDeaths + " times in a row handling it: "
                + (poisonError.length() > 300 ? poisonError.substring(0, 300) + "..." : poisonError);
        log.error("server of '{}': dead-lettering the record at {}: {}", service, poisonAt, reason);
        poisonAt = null;
        poisonDeaths = 0;
        poisonError = null;
        produceOutcome(r, null, null, e, new HandlerOutcome(null, reason), null);
    }

    private static String where(ConsumerRecord<?, ?> r) {
        return r.topic() + "-" + r.partition() + "@" + r.offset();
    }

    // ---------------------------------------------------------------- handler side (any thread)

    private void dispatch(ConsumerRecord<byte[], byte[]> r, Entry e) {
        IncomingRequest req = KafkaHeaders.incoming(r);
        ReplyAddresses.Parsed parsed = addresses.parse(req.replyTo());
        if (parsed != null && parsed.problem() != null) {
            // refused before dispatch: the handler never sees a request whose reply could go nowhere it may go
            log.debug("server of '{}': {} at {}-{}@{}; dead-lettering it", service, parsed.problem(), r.topic(),
                    r.partition(), r.offset());
            replyAddressRefused();
            produceOutcome(r, req, null, e, new HandlerOutcome(null, parsed.problem()), null);
            return;
        }
        ReplyAddresses.Address to = parsed == null ? null : parsed.address();
        if (to != null) {
            addresses.prefetch(to); // checked while the handler runs
        }
        CompletionStage<HandlerOutcome> stage;
        try {
            stage = handler.handle(req);
        } catch (RuntimeException ex) {
            stage = CompletableFuture.failedFuture(ex);
        }
        if (stage == null) {
            stage = CompletableFuture.failedFuture(new NullPointerException("handler returned null"));
        }
        stage.whenComplete((outcome, ex) -> {
            carryOut(r, req, to, e, outcome, ex);
        });
    }

    private void carryOut(ConsumerRecord<byte[], byte[]> r, IncomingRequest req, ReplyAddresses.Address to,
                          Entry e, HandlerOutcome outcome, Throwable failure) {
        HandlerOutcome o = outcome;
        if (failure != null || o == null) {
            log.warn("handler of '{}' failed on {}-{}@{}: {}; dead-lettering it", service, r.topic(), r.partition(),
                    r.offset(), failure);
            o = new HandlerOutcome(null, "handler failed: " + failure);
        }
        if (o.reply() == null || to == null) {
            produceOutcome(r, req, null, e, o, null);
            return;
        }
        // the reply topic's existence and partitions, from the cache; while unknown the reply waits off this thread,
        // which may be the poll loop's, so the requests behind it keep flowing
        HandlerOutcome done = o;
        CompletableFuture<ReplyAddresses.Verdict> v = addresses.verdict(to);
        ReplyAddresses.Verdict now = v.isDone() ? v.join() : null;
        if (now != null && !now.offThread()) {
            produceOutcome(r, req, to, e, o, now);
        } else if (now != null) {
            offLoop(e, () -> produceOutcome(r, req, to, e, done, now));
        } else {
            v.whenComplete((verdict, ex) -> offLoop(e, () -> produceOutcome(r, req, to, e, done,
                    verdict == null ? ReplyAddresses.Verdict.UNCHECKED : verdict)));
        }
    }

    /** Runs {@code task} on {@link #offLoop}; once that is shut down (closing) the record is left uncommitted. */
    private void offLoop(Entry e, Runnable task) {
        try {
            offLoop.execute(task);
        } catch (java.util.concurrent.RejectedExecutionException ex) {
            log.debug("server of '{}' closing: an outcome at offset {} is not produced", service, e.offset);
        }
    }

    /**
     * Produces the reply (when {@code to} is set and the verdict lets it go) and the dead letter (the handler's, or
     * the verdict's refusal of the reply address), and marks the record done once the broker acknowledged them.
     */
    private void produceOutcome(ConsumerRecord<byte[], byte[]> r, IncomingRequest req, ReplyAddresses.Address to,
                                Entry e, HandlerOutcome o, ReplyAddresses.Verdict verdict) {
        List<CompletableFuture<Void>> sends = new ArrayList<>(2);
        try {
            String deadLetter = o.deadLetterReason();
            if (to != null && verdict.problem() == null) {
                sends.add(send(replyRecord(req, to, o.reply()), "reply"));
            } else if (to != null) {
                String why = verdict.problem() + " (the handler ran; its reply is dropped)";
                log.debug("server of '{}': {} at {}-{}@{}; dead-lettering it", service, why, r.topic(),
                        r.partition(), r.offset());
                deadLetter = deadLetter == null ? why : deadLetter + "; " + why;
                replyAddressRefused();
            }
            if (deadLetter != null) {
                sends.add(send(deadLetterRecord(r, deadLetter), "dead letter"));
            }
        } catch (RuntimeException ex) {
            log.warn("server of '{}' cannot produce the outcome of {}-{}@{}: {}", service, r.topic(), r.partition(),
                    r.offset(), ex.toString());
        }
        if (sends.isEmpty()) {
            markDone(e);
        } else if (sends.size() == 1) {
            sends.get(0).whenComplete((v, ex) -> markDone(e));
        } else {
            CompletableFuture.allOf(sends.toArray(new CompletableFuture[0])).whenComplete((v, ex) -> markDone(e));
        }
    }

    /** Tells the core a reply address was refused (it counts them); never throws. */
    private void replyAddressRefused() {
        try {
            handler.replyAddressRefused();
        } catch (RuntimeException ex) {
            log.debug("server of '{}': the handler failed to take a refused reply address: {}", service, ex.toString());
        }
    }

    private ProducerRecord<byte[], byte[]> replyRecord(IncomingRequest req, ReplyAddresses.Address to, byte[] body) {
        Integer partition = to.partition() < 0 ? null : to.partition();
        RecordHeaders h = new RecordHeaders();
        KafkaHeaders.put(h, WireHeaders.RPC_ID, req.correlationId());
        KafkaHeaders.put(h, WireHeaders.CLIENT, req.clientId());
        KafkaHeaders.putTraceContext(h, req.traceparent(), req.tracestate());
        byte[] giving = leaving;
        if (giving != null) {
            h.add(KafkaHeaders.LEAVING, giving);
            h.add(KafkaHeaders.LEAVING_MEMBER, leavingMember);
        }
        // No key: the partition is explicit and the client id travels in a header already. A 40-byte key on every
        // reply cost ~20% of the throughput at 256 calls in flight (docs/benchmarks.md).
        return new ProducerRecord<>(to.topic(), partition, (byte[]) null, body, h);
    }

    private ProducerRecord<byte[], byte[]> deadLetterRecord(ConsumerRecord<byte[], byte[]> r, String reason) {
        RecordHeaders h = new RecordHeaders();
        for (Header header : r.headers()) {
            h.add(header);
        }
        KafkaHeaders.put(h, WireHeaders.DLQ_REASON, reason);
        KafkaHeaders.put(h, KafkaHeaders.DLQ_SOURCE, r.topic() + "-" + r.partition() + "@" + r.offset());
        return new ProducerRecord<>(config.deadLetterTopic(service), null, r.key(), r.value(), h);
    }

    private CompletableFuture<Void> send(ProducerRecord<byte[], byte[]> record, String what) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        Deferred d = deferred;
        if (d != null && d.owner == Thread.currentThread()) {
            d.sends.add(() -> sendNow(record, what, f));
            return f;
        }
        sendNow(record, what, f);
        return f;
    }

    private void sendNow(ProducerRecord<byte[], byte[]> record, String what, CompletableFuture<Void> f) {
        int bytes = record.value() == null ? 0 : record.value().length;
        try {
            if (!transport.small(bytes)) { // a reply topic made elsewhere may refuse the larger batches
                transport.topics().checkOnce(record.topic());
            }
            transport.producer(bytes).send(record, (md, ex) -> {
                if (ex != null) {
                    log.warn("server of '{}' could not produce a {} to {}: {}", service, what, record.topic(),
                            ex.toString());
                }
                f.complete(null);
            });
        } catch (RuntimeException ex) {
            log.warn("server of '{}' could not produce a {} to {}: {}", service, what, record.topic(), ex.toString());
            f.complete(null);
        }
    }

    private void markDone(Entry e) {
        if (e.done || !Entry.RELEASED.compareAndSet(e, 0, 1)) {
            return;
        }
        inFlightBytes.addAndGet(-e.bytes);
        e.done = true;
        if (wakeOnCompletion) {
            KafkaConsumer<byte[], byte[]> c = consumer;
            if (c != null) {
                try {
                    c.wakeup();
                } catch (RuntimeException ignored) {
                    // the consumer is already closed
                }
            }
        }
    }

    // ---------------------------------------------------------------- lifecycle

    @Override
    public void close(Duration grace) {
        Thread t;
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
            t = thread;
            if (t != null) {
                stopDeadlineNanos = System.nanoTime() + grace.toNanos();
                stopping = true;
                wakeOnCompletion = true;
                try {
                    consumer.wakeup();
                } catch (RuntimeException e) {
                    // closed by a restart of the loop, which sees stopping
                }
            }
        }
        if (t != null && Thread.currentThread() != t) {
            try {
                if (!stopped.await(grace.toMillis() + 20_000, TimeUnit.MILLISECONDS)) {
                    log.warn("server of '{}' did not stop in time", service);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (t == null || Thread.currentThread() != t) {
            offLoop.shutdown(); // never started, or stopped (or late): nothing new goes off the loop
        }
        transport.removed(this);
    }

    @Override
    public void close() {
        close(settings.shutdownGrace());
    }

    /** Whether the poll loop has ended and closed the consumer. For tests. */
    boolean loopEnded() {
        return stopped.getCount() == 0;
    }

    /** Partitions assigned right now (a snapshot, read from another thread: approximate). For tests. */
    int assignedPartitions() {
        return assignedCount;
    }

    @Override
    public String toString() {
        return "Kafka server channel of '" + service + "'";
    }

    private static final class PartitionState {
        final TopicPartition tp;
        final ArrayDeque<Entry> inflight = new ArrayDeque<>();
        long toCommit = -1;
        long committed = -1;

        PartitionState(TopicPartition tp) {
            this.tp = tp;
        }
    }

    private static final class Entry {
        final PartitionState state;
        final long offset;
        final int bytes;
        volatile boolean done;
        /** 1 once {@link #markDone} released it (a restart of the loop and its handler may both try). */
        volatile int released;
        static final java.util.concurrent.atomic.AtomicIntegerFieldUpdater<Entry> RELEASED =
                java.util.concurrent.atomic.AtomicIntegerFieldUpdater.newUpdater(Entry.class, "released");

        Entry(PartitionState state, long offset, int bytes) {
            this.state = state;
            this.offset = offset;
            this.bytes = bytes;
        }
    }

}
