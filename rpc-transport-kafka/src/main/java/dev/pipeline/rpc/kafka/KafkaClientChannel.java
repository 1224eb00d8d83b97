package dev.pipeline.rpc.kafka;

import dev.pipeline.rpc.spi.ClientChannel;
import dev.pipeline.rpc.spi.OutgoingRequest;
import dev.pipeline.rpc.spi.Reply;
import dev.pipeline.rpc.spi.ReplyListener;
import dev.pipeline.rpc.spi.WireHeaders;
import org.apache.kafka.clients.admin.DescribeConsumerGroupsOptions;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Client side: requests go to the service's request topic; replies come back on one partition of the shared reply
 * topic that this client reads with an assign-only consumer (no group, no rebalance, no commits), keeping only the
 * records whose {@code rpc-client} header is this client's id.
 *
 * <p>The reply consumer is read by its own thread, or lent to a caller blocked in a call
 * ({@link #awaitReply}): that caller polls it until its reply is in, so the reply wakes the caller directly instead of
 * waking this channel's thread, which then wakes the caller. The thread parks while nothing is awaited that no caller
 * reads ({@link #unread} empty) and a caller asked for the consumer; a send that expects a reply nobody reads wakes it
 * again (docs/kafka-transport.md, "Replies read by the waiting caller").
 */
final class KafkaClientChannel implements ClientChannel {
    private static final Logger log = LoggerFactory.getLogger(KafkaClientChannel.class);
    /** Spreads the clients of one JVM over the reply partitions; random start so JVMs spread too. */
    private static final AtomicInteger NEXT_PARTITION = new AtomicInteger(ThreadLocalRandom.current().nextInt(1 << 16));
    private static final Duration POLL = Duration.ofMillis(500);
    /** A caller reading its reply polls at most this long at a time (so it sees its call settled elsewhere). */
    private static final long LENT_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** Kept past a request's deadline before an unanswered entry stops keeping the reader running. */
    private static final long UNREAD_GRACE_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** How often the reader's thread drops the {@link #unread} entries past their deadline. */
    private static final long PURGE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    /** Who reads the reply consumer ({@link #reader}): this channel's thread, polling. */
    private static final int RUNNING = 0;
    /** Nobody: the thread is parked, the consumer free for a caller to take. */
    private static final int IDLE = 1;
    /** A caller waiting for its reply ({@link #lentTo}). */
    private static final int LENT = 2;
    /** A caller, and a reply nobody else reads is awaited: the thread takes over when the caller is done. */
    private static final int LENT_WANTED = 3;
    /** Nobody, for good: the channel closed. */
    private static final int GONE = 4;

    private final KafkaTransport transport;
    private final KafkaTransportConfig config;
    private final String clientId;
    private final byte[] clientIdBytes;
    private final ReplyListener listener;
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    private final Thread thread;
    private final dev.pipeline.rpc.spi.LoopHealth loopHealth;
    /** The offset of the first reply not yet delivered, where a restarted reply loop resumes. */
    private volatile long nextReplyOffset;
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    private volatile byte[] replyToBytes;
    private volatile boolean closed;
    private final AtomicInteger reader = new AtomicInteger(RUNNING);
    /** The thread the consumer is lent to, else null. */
    private volatile Thread lentTo;
    /**
     * Calls awaiting a reply that no waiting caller reads (sent with {@link #send}, or awaited by a caller that could
     * not take the consumer): correlation id → when it stops counting ({@link System#nanoTime()}). While any, this
     * channel's thread reads.
     */
    private final java.util.concurrent.ConcurrentHashMap<String, Long> unread =
            new java.util.concurrent.ConcurrentHashMap<>();
    /** A caller found the consumer busy: the thread parks once {@link #unread} is empty. */
    private volatile boolean lendWanted;
    /** Services whose request topic is known to exist: service → its partitions. */
    private final java.util.concurrent.ConcurrentHashMap<String, RequestPartitions> readyTopics =
            new java.util.concurrent.ConcurrentHashMap<>();
    /**
     * Calls awaiting a reply, by correlation id: where they went and when, so that new calls avoid the partitions
     * that stopped answering ({@link RequestPartitions}). Left by the reply, a failed send, or its deadline.
     */
    private final java.util.concurrent.ConcurrentHashMap<String, Call> tracked =
            new java.util.concurrent.ConcurrentHashMap<>();
    /** When {@link #checkPartitions} may run next (System.nanoTime). */
    private final java.util.concurrent.atomic.AtomicLong nextCheckNanos =
            new java.util.concurrent.atomic.AtomicLong(System.nanoTime());
    /** A call kept without a deadline is forgotten after this long. */
    private static final long UNTRACK_NO_DEADLINE_NANOS = TimeUnit.MINUTES.toNanos(5);

    KafkaClientChannel(KafkaTransport transport, String clientId, ReplyListener listener) {
        this.transport = transport;
        this.config = transport.config();
        this.clientId = clientId;
        this.clientIdBytes = clientId.getBytes(StandardCharsets.UTF_8);
        this.listener = listener;
        this.loopHealth = new dev.pipeline.rpc.spi.LoopHealth("the Kafka reply loop of client " + clientId);
        this.thread = new Thread(this::run, "pipeline-kafka-replies-" + clientId);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** The reply address ({@code topic:partition}) once ready, else null. For tests. */
    String replyTo() {
        byte[] b = replyToBytes;
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    /** Who reads the reply consumer now: running, idle, lent, lent-wanted or gone. For tests. */
    String readerState() {
        return switch (reader.get()) {
            case RUNNING -> "running";
            case IDLE -> "idle";
            case LENT -> "lent";
            case LENT_WANTED -> "lent-wanted";
            default -> "gone";
        };
    }

    @Override
    public CompletableFuture<Void> ready() {
        return ready.copy();
    }

    @Override
    public CompletableFuture<Void> send(String service, OutgoingRequest request) {
        if (request.expectsReply() && !closed) {
            expectUnread(request.correlationId(), request.deadlineEpochMillis() == 0 ? Long.MAX_VALUE
                    : plus(System.nanoTime(), plus(UNREAD_GRACE_NANOS, TimeUnit.MILLISECONDS.toNanos(
                    Math.max(0, request.deadlineEpochMillis() - System.currentTimeMillis())))));
        }
        return sendAwaited(service, request);
    }

    /** Like {@link #send}, leaving the reply to the caller's {@link #awaitReply} (which falls back to the thread). */
    @Override
    public CompletableFuture<Void> sendAwaited(String service, OutgoingRequest request) {
        if (closed) {
            return CompletableFuture.failedFuture(new IllegalStateException("the Kafka client channel is closed"));
        }
        if (request.body().length > config.maxMessageBytes()) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("message of "
                    + request.body().length + " bytes exceeds the Kafka transport's maxMessageBytes "
                    + config.maxMessageBytes()));
        }
        RequestPartitions topic = readyTopics.get(service); // only names that were validated get here
        if (topic == null) {
            try {
                KafkaTransportConfig.validateServiceName(config, service);
            } catch (IllegalArgumentException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        boolean needReplyAddress = request.expectsReply();
        if (topic != null && (!needReplyAddress || replyToBytes != null)) {
            return produce(topic, request); // the fast path: topic known to exist, reply address known
        }
        String requestTopic = config.requestTopic(service);
        CompletableFuture<TopicDescription> topicReady = transport.topics()
                .ensure(requestTopic, config.partitions(), transport.topicConfigs(false));
        CompletableFuture<RequestPartitions> partitions = topicReady.thenApply(d -> readyTopics.computeIfAbsent(
                service, s -> new RequestPartitions(requestTopic, config.group(s), Math.max(1, d.partitions().size()))));
        return sendWhenReady(requestTopic, request, partitions, needReplyAddress);
    }

    /** Whether the service's consumer group exists ({@link ServerGroups}). */
    @Override
    public CompletableFuture<java.util.Optional<String>> noServer(String service) {
        return closed ? CompletableFuture.completedFuture(java.util.Optional.empty())
                : ServerGroups.noServer(transport, service);
    }

    /** The members of the service's consumer group ({@link GroupMembers}). */
    @Override
    public CompletableFuture<java.util.List<dev.pipeline.rpc.spi.ServerMember>> members(String service) {
        return closed ? CompletableFuture.failedFuture(new IllegalStateException("client closed"))
                : GroupMembers.members(transport, service);
    }

    private CompletableFuture<Void> sendWhenReady(String topic, OutgoingRequest request,
                                                  CompletableFuture<RequestPartitions> topicReady,
                                                  boolean needReplyAddress) {
        if (topicReady.isDone() && !topicReady.isCompletedExceptionally() && (!needReplyAddress || ready.isDone())) {
            return produce(topicReady.join(), request);
        }
        CompletableFuture<?> before = needReplyAddress
                ? CompletableFuture.allOf(topicReady, ready.copy()) : topicReady;
        return before.orTimeout(config.operationTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .handle((v, e) -> e)
                .thenCompose(e -> {
                    if (e != null) {
                        Throwable cause = Topics.unwrap(e);
                        if (cause instanceof java.util.concurrent.TimeoutException) {
                            cause = new IllegalStateException("the Kafka client is not ready to send to '" + topic
                                    + "' after " + config.operationTimeout().toMillis() + " ms (broker "
                                    + config.bootstrapServers() + " unreachable?)");
                        }
                        return CompletableFuture.failedFuture(cause);
                    }
                    return produce(topicReady.join(), request);
                });
    }

    private CompletableFuture<Void> produce(RequestPartitions partitions, OutgoingRequest request) {
        String topic = partitions.topic;
        if (closed) {
            return CompletableFuture.failedFuture(new IllegalStateException("the Kafka client channel is closed"));
        }
        RecordHeaders headers = new RecordHeaders();
        if (request.correlationId() != null) {
            headers.add(WireHeaders.RPC_ID, request.correlationId().getBytes(StandardCharsets.UTF_8));
            byte[] replyTo = replyToBytes;
            if (replyTo == null) {
                if (ready.isCompletedExceptionally()) {
                    return ready.thenApply(v -> null);
                }
                return CompletableFuture.failedFuture(new IllegalStateException("the Kafka client is not ready"));
            }
            headers.add(WireHeaders.REPLY_TO, replyTo);
        }
        if (request.deadlineEpochMillis() > 0) {
            KafkaHeaders.put(headers, WireHeaders.DEADLINE, Long.toString(request.deadlineEpochMillis()));
        }
        headers.add(WireHeaders.CLIENT, clientIdBytes);
        KafkaHeaders.putTraceContext(headers, request.traceparent(), request.tracestate());
        // No key: Kafka's built-in partitioner fills one partition's batch then moves on, so load spreads over the
        // partitions (the server instances) in batch-sized chunks. Keying by correlation id spread it per request
        // but scattered the producer's batches over every partition: ~0.6x the throughput at 256 calls in flight
        // for ~1.45x the CPU per call (docs/benchmarks.md). Only while some partitions stopped answering does the
        // client choose, round-robin over the others (RequestPartitions).
        long now = System.nanoTime();
        maybeCheckPartitions(now);
        Integer partition = null;
        Call call = null;
        if (request.correlationId() != null) {
            long until = request.deadlineEpochMillis() == 0 ? plus(now, UNTRACK_NO_DEADLINE_NANOS)
                    : plus(now, plus(UNREAD_GRACE_NANOS, TimeUnit.MILLISECONDS.toNanos(
                    Math.max(0, request.deadlineEpochMillis() - System.currentTimeMillis()))));
            if (request.isHedge()) { // the earlier attempts stay tracked behind it, and it avoids their partitions
                Call[] made = new Call[1];
                tracked.compute(request.correlationId(), (id, earlier) -> made[0] = new Call(partitions, now,
                        until, earlier != null && earlier.partitions == partitions ? earlier : null));
                call = made[0];
                partition = partitions.chooseOther(call.earlierPartitions(), now);
            } else {
                call = new Call(partitions, now, until, null);
                tracked.put(request.correlationId(), call);
            }
        }
        if (call == null || !request.isHedge()) {
            partition = partitions.choose();
        }
        Call tracking = call;
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, partition, (byte[]) null, request.body(),
                headers);
        CompletableFuture<Void> sent = new CompletableFuture<>();
        try {
            transport.producer(request.body().length).send(record, (md, e) -> {
                if (e == null) {
                    if (tracking != null) {
                        tracking.partition = md.partition();
                    }
                    sent.complete(null);
                } else {
                    if (tracking != null) {
                        tracked.remove(request.correlationId(), tracking);
                    }
                    sent.completeExceptionally(new IllegalStateException(KafkaErrors.sendFailure(config, topic, e),
                            e));
                }
            });
        } catch (RuntimeException e) {
            if (tracking != null) {
                tracked.remove(request.correlationId(), tracking);
            }
            sent.completeExceptionally(new IllegalStateException("cannot send the request to '" + topic + "': "
                    + e.getMessage(), e));
        }
        return sent;
    }

    /**
     * A call awaiting a reply: its service's partitions, the partition once Kafka took it, when it was sent, and,
     * for a hedge (the same call sent again), the attempt before it.
     */
    private static final class Call {
        final RequestPartitions partitions;
        final long sentNanos;
        final long untilNanos;
        final Call earlier;
        volatile int partition = -1;

        Call(RequestPartitions partitions, long sentNanos, long untilNanos, Call earlier) {
            this.partitions = partitions;
            this.sentNanos = sentNanos;
            this.untilNanos = untilNanos;
            this.earlier = earlier;
        }

        /** The partitions the earlier attempts went to (-1 for one Kafka has not placed yet). */
        int[] earlierPartitions() {
            int n = 0;
            for (Call c = earlier; c != null; c = c.earlier) {
                n++;
            }
            int[] out = new int[n];
            int i = 0;
            for (Call c = earlier; c != null; c = c.earlier) {
                out[i++] = c.partition;
            }
            return out;
        }
    }

    /**
     * Sends the {@code rpc.cancel} of {@code correlationId} to the partition each of its attempts went to, where
     * the server instance that holds the call reads it, and stops tracking the call: it will get no reply, so its
     * partition must not count as stalled for it. A call not tracked (its partition unknown) gets the cancel wherever
     * Kafka's partitioner puts it.
     */
    @Override
    public CompletableFuture<Void> sendCancel(String service, String correlationId, OutgoingRequest notification) {
        Call call = tracked.remove(correlationId);
        java.util.TreeSet<Integer> where = new java.util.TreeSet<>();
        for (Call c = call; c != null; c = c.earlier) {
            if (c.partition >= 0) {
                where.add(c.partition);
            }
        }
        if (where.isEmpty() || closed || notification.expectsReply()
                || notification.body().length > config.maxMessageBytes()) {
            return send(service, notification);
        }
        RecordHeaders headers = new RecordHeaders();
        headers.add(WireHeaders.CLIENT, clientIdBytes);
        CompletableFuture<?>[] sent = new CompletableFuture<?>[where.size()];
        int i = 0;
        for (int partition : where) {
            CompletableFuture<Void> one = new CompletableFuture<>();
            sent[i++] = one;
            try {
                transport.producer(notification.body().length).send(new ProducerRecord<>(call.partitions.topic,
                        partition, (byte[]) null, notification.body(), headers), (md, e) -> {
                            if (e == null) {
                                one.complete(null);
                            } else {
                                one.completeExceptionally(new IllegalStateException(KafkaErrors.sendFailure(config,
                                        call.partitions.topic, e), e));
                            }
                        });
            } catch (RuntimeException e) {
                one.completeExceptionally(e);
            }
        }
        return CompletableFuture.allOf(sent);
    }

    private void maybeCheckPartitions(long now) {
        long next = nextCheckNanos.get();
        if (now - next >= 0 && nextCheckNanos.compareAndSet(next, now + RequestPartitions.CHECK_NANOS)) {
            checkPartitions(now);
        }
    }

    /** Forgets calls past their deadline, and tells each service's partitions the oldest call waiting on each. */
    void checkPartitions(long now) {
        try {
            java.util.Map<RequestPartitions, long[]> oldest = new java.util.IdentityHashMap<>();
            for (RequestPartitions rp : readyTopics.values()) {
                long[] o = new long[rp.count];
                java.util.Arrays.fill(o, Long.MAX_VALUE);
                oldest.put(rp, o);
            }
            for (java.util.Iterator<Call> it = tracked.values().iterator(); it.hasNext(); ) {
                Call c = it.next();
                if (c.untilNanos - now < 0) {
                    it.remove();
                    continue;
                }
                long[] o = oldest.get(c.partitions);
                for (Call a = c; a != null && o != null; a = a.earlier) { // a hedge's earlier attempts too
                    int p = a.partition;
                    if (p >= 0 && p < o.length && a.sentNanos - o[p] < 0) {
                        o[p] = a.sentNanos;
                    }
                }
            }
            oldest.forEach((rp, o) -> {
                rp.update(o, now);
                if (rp.wantsOwners(now)) {
                    describeOwners(rp);
                }
            });
        } catch (RuntimeException e) {
            log.warn("client {}: checking the request partitions failed: {}", clientId, e.toString(), e);
        }
    }

    /**
     * Asks the service's consumer group which member owns each request partition, for {@link RequestPartitions} to
     * avoid every partition of a server once one of them stalls. Asynchronous: the next check uses the answer.
     */
    private void describeOwners(RequestPartitions rp) {
        try {
            transport.admin().describeConsumerGroups(List.of(rp.group),
                            new DescribeConsumerGroupsOptions()
                                    .timeoutMs((int) Math.min(Integer.MAX_VALUE, config.operationTimeout().toMillis())))
                    .describedGroups().get(rp.group).whenComplete((d, e) -> {
                        if (e != null) {
                            Throwable cause = Topics.unwrap(e);
                            boolean forGood = cause instanceof AuthorizationException;
                            log.debug("client {}: describing group {} failed: {}", clientId, rp.group,
                                    cause.toString());
                            rp.ownersUnknown(forGood, cause.getClass().getSimpleName());
                            return;
                        }
                        String[] owners = new String[rp.count];
                        for (MemberDescription m : d.members()) {
                            for (TopicPartition tp : m.assignment().topicPartitions()) {
                                if (tp.topic().equals(rp.topic) && tp.partition() >= 0 && tp.partition() < rp.count) {
                                    owners[tp.partition()] = m.consumerId();
                                }
                            }
                        }
                        rp.owners(owners);
                        nextCheckNanos.set(System.nanoTime()); // the next send checks with the owners known
                    });
        } catch (RuntimeException e) { // closed meanwhile, or the admin client cannot be made
            rp.ownersUnknown(false, e.getClass().getSimpleName());
        }
    }

    /** The partitions of {@code service} that count as stalled now. For tests. */
    List<Integer> stalledPartitions(String service) {
        RequestPartitions rp = readyTopics.get(service);
        return rp == null ? List.of() : rp.stalledPartitions();
    }

    /** Calls awaiting a reply that the channel tracks. For tests. */
    int trackedCalls() {
        return tracked.size();
    }

    @Override
    public boolean awaitReply(String correlationId, BooleanSupplier done, long deadlineNanos) {
        Thread me = Thread.currentThread();
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (closed || c == null || me == thread || me == lentTo || !reader.compareAndSet(IDLE, LENT)) {
            // busy (or a callback on the thread that reads, which must not wait for itself): the thread reads it
            lendWanted = true;
            if (!closed) {
                expectUnread(correlationId, plus(deadlineNanos, UNREAD_GRACE_NANOS));
                if (done.getAsBoolean()) {
                    unread.remove(correlationId);
                }
            }
            return false;
        }
        lentTo = me;
        try {
            while (!done.getAsBoolean() && !closed) {
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                ConsumerRecords<byte[], byte[]> records;
                try {
                    records = c.poll(Duration.ofNanos(Math.min(left, LENT_POLL_NANOS)));
                } catch (WakeupException e) {
                    continue; // close(): the loop sees closed
                }
                if (!records.isEmpty()) {
                    deliver(records);
                }
            }
        } catch (InterruptException e) {
            // Kafka set the thread's interrupt flag again; the caller's wait reports it
        } catch (RuntimeException e) {
            if (!closed) {
                log.debug("client {}: reading replies on the calling thread failed: {}", clientId, e.toString());
            }
        } finally {
            if (!done.getAsBoolean() && !closed) { // leaving early: the thread delivers it if it comes
                expectUnread(correlationId, plus(deadlineNanos, UNREAD_GRACE_NANOS));
            }
            lentTo = null;
            giveBack();
        }
        return true;
    }

    /** Notes a reply nobody waits on the consumer for, and makes sure the thread reads. */
    private void expectUnread(String correlationId, long untilNanos) {
        unread.put(correlationId, untilNanos);
        while (true) {
            int s = reader.get();
            if (s == RUNNING || s == LENT_WANTED || s == GONE) {
                return;
            }
            if (s == IDLE && reader.compareAndSet(IDLE, RUNNING)) {
                LockSupport.unpark(thread);
                return;
            }
            if (s == LENT && reader.compareAndSet(LENT, LENT_WANTED)) {
                return; // the caller hands the consumer to the thread when it is done
            }
        }
    }

    /** The lent consumer comes back: to nobody while nothing is awaited unread, else to the thread. */
    private void giveBack() {
        int next = unread.isEmpty() && !closed ? IDLE : RUNNING;
        if (!reader.compareAndSet(LENT, next)) { // LENT_WANTED: a send wants the thread
            reader.set(RUNNING);
            next = RUNNING;
        }
        if (next == RUNNING) {
            LockSupport.unpark(thread);
        }
    }

    /** Drops the entries of {@link #unread} past their time (at most every {@link #PURGE_NANOS}). */
    private long purgeUnread(long lastPurge) {
        long now = System.nanoTime();
        if (now - lastPurge < PURGE_NANOS) {
            return lastPurge;
        }
        if (!unread.isEmpty()) {
            unread.values().removeIf(until -> until != Long.MAX_VALUE && until - now < 0);
        }
        return now;
    }

    private static long plus(long nanos, long more) {
        long r = nanos + more;
        return ((nanos ^ r) & (more ^ r)) < 0 ? Long.MAX_VALUE : r;
    }

    private void run() {
        KafkaConsumer<byte[], byte[]> c = null;
        try {
            java.util.Optional<String> unreachable = transport.unreachable();
            if (unreachable.isPresent()) {
                ready.completeExceptionally(new IllegalStateException(unreachable.get()));
                return;
            }
            TopicPartition tp = null;
            long lastWarn = 0;
            long since = System.nanoTime();
            while (!closed && tp == null) {
                try {
                    TopicDescription d = awaitUnlessClosed(transport.topics()
                            .ensure(config.replyTopic(), config.replyPartitions(), transport.topicConfigs(true)));
                    if (d == null) {
                        break;
                    }
                    int n = d.partitions().size();
                    TopicPartition candidate = new TopicPartition(config.replyTopic(),
                            Math.floorMod(NEXT_PARTITION.getAndIncrement(), n));
                    if (c == null) {
                        c = transport.newConsumer(transport.consumerProperties(null, "replies-" + clientId, 500));
                        consumer = c;
                        if (closed) {
                            break;
                        }
                    }
                    c.assign(List.of(candidate));
                    c.seekToEnd(List.of(candidate));
                    long position = c.position(candidate, config.operationTimeout());
                    nextReplyOffset = position;
                    tp = candidate;
                    replyToBytes = (tp.topic() + ":" + tp.partition()).getBytes(StandardCharsets.UTF_8);
                    log.debug("client {} reads replies from {} at offset {}", clientId, tp, position);
                } catch (WakeupException | InterruptException e) {
                    break;
                } catch (Exception e) {
                    Throwable cause = Topics.unwrap(e);
                    if (!isRetriable(cause)) {
                        throw cause instanceof RuntimeException ? (RuntimeException) cause
                                : new IllegalStateException(cause.getMessage(), cause);
                    }
                    long now = System.nanoTime();
                    long waited = TimeUnit.NANOSECONDS.toMillis(now - since);
                    if (waited >= config.operationTimeout().toMillis()) {
                        // no answer for as long as any operation may take: a broker that is down, or a listener
                        // that expects another security.protocol (a plaintext client on a TLS port sees silence)
                        throw new IllegalStateException(KafkaErrors.noAnswer(config, waited), cause);
                    }
                    if (now - lastWarn > TimeUnit.SECONDS.toNanos(30)) {
                        lastWarn = now;
                        log.warn("Kafka client {} not ready yet (broker {}): {}; retrying", clientId,
                                config.bootstrapServers(), cause.toString());
                    }
                    sleepQuietly(200);
                }
            }
            if (closed || tp == null) {
                return;
            }
            ready.complete(null);
            long lastPurge = System.nanoTime();
            while (!closed) {
                if (reader.get() != RUNNING) {
                    LockSupport.park(this); // lent to a caller, or idle: a send or the caller's return wakes it
                    continue;
                }
                ConsumerRecords<byte[], byte[]> records;
                try {
                    records = c.poll(POLL);
                    if (!records.isEmpty()) {
                        deliver(records);
                    }
                    lastPurge = purgeUnread(lastPurge);
                    maybeCheckPartitions(System.nanoTime());
                } catch (WakeupException | InterruptException e) {
                    break;
                } catch (Throwable e) {
                    if (closed) {
                        break;
                    }
                    c = reopen(c, tp, e);
                    if (c == null) {
                        break;
                    }
                    continue;
                }
                if (lendWanted) {
                    // nothing awaited that a caller does not read: park, and lend the consumer to the next caller
                    if (unread.isEmpty() && reader.compareAndSet(RUNNING, IDLE)) {
                        lendWanted = false;
                        if (!unread.isEmpty() && reader.compareAndSet(IDLE, RUNNING)) {
                            continue; // a send raced with it: keep reading
                        }
                    }
                }
            }
        } catch (RuntimeException e) {
            if (!closed) {
                log.error("Kafka reply consumer of client {} failed: {}", clientId, e.toString(), e);
            }
            ready.completeExceptionally(new IllegalStateException("the Kafka client cannot receive replies from "
                    + config.replyTopic() + " at " + config.bootstrapServers() + ": " + e.getMessage(), e));
        } finally {
            if (!ready.isDone()) {
                ready.completeExceptionally(new IllegalStateException("the Kafka client channel is closed"));
            }
            retire();
            if (c != null) {
                try {
                    c.close(Duration.ZERO);
                } catch (RuntimeException e) {
                    log.debug("closing the reply consumer: {}", e.toString());
                }
            }
        }
    }

    /**
     * After the reply loop died of {@code error} (a fatal error such as {@code OutOfMemoryError} on its thread): logs
     * it at ERROR, closes the consumer, waits a back-off and reads {@code tp} again with a new consumer from the first
     * reply not yet delivered, so no reply is lost and no call waits longer than the back-off for its reply.
     *
     * @return the new consumer, or null once the channel closes
     */
    private KafkaConsumer<byte[], byte[]> reopen(KafkaConsumer<byte[], byte[]> old, TopicPartition tp,
                                                 Throwable error) {
        Throwable cause = error;
        KafkaConsumer<byte[], byte[]> c = old;
        while (!closed) {
            long backoff = loopHealth.died(cause);
            try {
                c.close(Duration.ZERO);
            } catch (Throwable e) {
                log.debug("closing the reply consumer after its loop died: {}", e.toString());
            }
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(backoff);
            while (!closed && System.nanoTime() - until < 0) {
                LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(100));
            }
            if (closed) {
                return null;
            }
            try {
                c = transport.newConsumer(transport.consumerProperties(null, "replies-" + clientId, 500));
                c.assign(List.of(tp));
                c.seek(tp, nextReplyOffset);
                consumer = c;
                loopHealth.restarted();
                if (closed) {
                    c.wakeup();
                }
                return c;
            } catch (Throwable e) {
                cause = e;
            }
        }
        return null;
    }

    /** Hands one poll's replies for this client to the core together (it completes their callers in a burst). */
    private void deliver(ConsumerRecords<byte[], byte[]> records) {
        List<Reply> mine = new ArrayList<>(records.count());
        for (ConsumerRecord<byte[], byte[]> r : records) {
            nextReplyOffset = r.offset() + 1;
            org.apache.kafka.common.header.Header client = r.headers().lastHeader(WireHeaders.CLIENT);
            if (client != null && !java.util.Arrays.equals(client.value(), clientIdBytes)) {
                continue; // a neighbour's reply on a shared partition
            }
            String correlationId = KafkaHeaders.get(r.headers(), WireHeaders.RPC_ID);
            if (correlationId == null || r.value() == null) {
                log.debug("reply without {} or body at {}-{}@{}: dropped", WireHeaders.RPC_ID, r.topic(),
                        r.partition(), r.offset());
                continue;
            }
            unread.remove(correlationId);
            Call call = tracked.remove(correlationId);
            if (call != null && call.earlier != null) {
                // a hedged call: credit the latest attempt, keep the earlier ones as calls still unanswered where
                // they went (a dead server's partition stays stalled), until their own reply or deadline
                tracked.putIfAbsent(correlationId, call.earlier);
                // and the thread keeps reading for them: their replies credit (or keep stalled) the partitions
                // they went to and are counted as late, rather than waiting unread until the client's next call
                unread.put(correlationId, call.earlier.untilNanos); // its deadline plus the grace
            }
            if (call != null) {
                long now = System.nanoTime();
                if (call.partitions.replied(call.partition, now, now - call.sentNanos)) {
                    nextCheckNanos.set(now); // a stalled partition answers: eligible again at the next send
                }
                String leaving = KafkaHeaders.get(r.headers(), KafkaHeaders.LEAVING);
                if (leaving != null && call.partitions.leaving(leaving,
                        KafkaHeaders.get(r.headers(), KafkaHeaders.LEAVING_MEMBER), now)) {
                    nextCheckNanos.set(now); // its server closes: new calls avoid its partitions from the next send
                }
            }
            mine.add(new Reply(correlationId, r.value()));
        }
        if (mine.isEmpty()) {
            return;
        }
        try {
            listener.onReplies(mine);
        } catch (RuntimeException e) {
            log.warn("reply listener of client {} failed: {}", clientId, e.toString(), e);
        } catch (Error e) { // e.g. an OutOfMemoryError in a metrics callback: the replies still flow
            loopHealth.survived(e);
        }
    }

    /** No caller may take the consumer any more; waits (boundedly) for one that has it to give it back. */
    private void retire() {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            int s = reader.get();
            if (s == GONE || ((s == RUNNING || s == IDLE) && reader.compareAndSet(s, GONE))) {
                return;
            }
            if (System.nanoTime() - until > 0) {
                log.warn("client {}: a caller still reads replies 10 s after close", clientId);
                reader.set(GONE);
                return;
            }
            LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    /** @return the value, or null once closed; bounded by the operation timeout. */
    private <T> T awaitUnlessClosed(CompletableFuture<T> f) throws Exception {
        long deadline = System.nanoTime() + config.operationTimeout().toNanos();
        while (!closed) {
            try {
                return f.get(100, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
            }
        }
        return null;
    }

    private static boolean isRetriable(Throwable t) {
        return t instanceof RetriableException || t instanceof TimeoutException
                || t instanceof java.util.concurrent.TimeoutException
                || (t instanceof IllegalStateException && t.getCause() instanceof RetriableException);
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        tracked.clear();
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup(); // whoever polls: the thread, or a caller it is lent to
        }
        LockSupport.unpark(thread);
        if (Thread.currentThread() != thread) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (thread.isAlive()) {
                log.warn("the reply consumer of client {} did not stop in 10 s", clientId);
            }
        }
        if (!ready.isDone()) {
            ready.completeExceptionally(new IllegalStateException("the Kafka client channel is closed"));
        }
        transport.removed(this);
    }

    @Override
    public String toString() {
        return "Kafka client channel " + clientId;
    }
}
