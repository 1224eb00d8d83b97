package dev.pipeline.rpc.kafka;

import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The reply addresses ({@code rpc-reply-to}) a server accepts, and the topics behind them, checked without ever
 * blocking the thread that asks.
 *
 * <p>{@link #parse} is the check before dispatch: syntax ({@code topic} or {@code topic:partition}, a legal Kafka
 * topic name, a partition that is a non-negative int) and namespace ({@link #namespaceProblem}). {@link #verdict}
 * is the check before a send: whether the topic exists and has the partition, from a cache filled by Admin
 * {@code describeTopics} with a bounded timeout. A topic found is kept for {@link #FOUND_TTL} and then refreshed in
 * the background while the cached answer still serves; a topic missing, or a check that failed, only for
 * {@link #MISSING_TTL}. Before a found topic counts as found, the producer's metadata for it is fetched (off the
 * asking thread), so that a send to it does not wait for metadata.
 */
final class ReplyAddresses {
    private static final Logger log = LoggerFactory.getLogger(ReplyAddresses.class);
    /** How long a topic found stays trusted before it is described again (partitions added show up then). */
    static final long FOUND_TTL = TimeUnit.SECONDS.toNanos(30);
    /** How long a topic missing (or whose check failed) stays so before it is described again. */
    static final long MISSING_TTL = TimeUnit.SECONDS.toNanos(2);
    /** The most topics cached; past it, expired entries are dropped, and new topics are checked uncached. */
    static final int MAX_TOPICS = 10_000;
    /** The longest a check may take (bounded further by the transport's operation timeout). */
    static final Duration MAX_CHECK = Duration.ofSeconds(15);
    private static final int MAX_TOPIC_NAME = 249;
    private static final int MAX_QUOTED = 260;

    /** A reply address that passed {@link #parse}: a topic and a partition, or -1 for the producer's choice. */
    record Address(String topic, int partition) {
    }

    /** What {@link #parse} found: an address, or the reason it is refused. */
    record Parsed(Address address, String problem) {
    }

    /**
     * The outcome of the check before a send: {@code problem} null when the reply may go; {@code offThread} when
     * the topic could not be checked and the send must not run on the poll loop's thread (it may wait for metadata).
     */
    record Verdict(String problem, boolean offThread) {
        static final Verdict GO = new Verdict(null, false);
        static final Verdict UNCHECKED = new Verdict(null, true);
    }

    /** A topic's state as found: partitions (-1 missing), or unchecked with the reason. */
    private record TopicState(int partitions, String problem) {
        boolean found() {
            return partitions >= 0;
        }
    }

    private final class Lookup {
        final CompletableFuture<TopicState> state = new CompletableFuture<>();
        volatile long checkedNanos;
        /** The check that replaces this one when it is done, once started. */
        private Lookup next;
    }

    private final KafkaTransport transport;
    private final KafkaTransportConfig config;
    private final String service;
    private final Executor blocking;
    private final int checkTimeoutMs;
    private final ConcurrentHashMap<String, Lookup> cache = new ConcurrentHashMap<>();

    /**
     * @param blocking runs what may wait (the producer's metadata fetch); never the poll loop's thread
     */
    ReplyAddresses(KafkaTransport transport, String service, Executor blocking) {
        this.transport = transport;
        this.config = transport.config();
        this.service = service;
        this.blocking = blocking;
        this.checkTimeoutMs = (int) Math.min(MAX_CHECK.toMillis(), config.operationTimeout().toMillis());
    }

    // ---------------------------------------------------------------- syntax and namespace

    /** @return null when no reply is asked for ({@code replyTo} null), else the address or the reason it is refused */
    Parsed parse(String replyTo) {
        if (replyTo == null) {
            return null;
        }
        String topic = replyTo;
        int partition = -1;
        int colon = replyTo.indexOf(':');
        if (colon >= 0) {
            topic = replyTo.substring(0, colon);
            partition = partition(replyTo, colon + 1);
            if (partition < 0) {
                return refused("partition of " + quote(replyTo) + " is not a non-negative int");
            }
        }
        String syntax = syntaxProblem(topic);
        if (syntax != null) {
            return refused(syntax);
        }
        String namespace = namespaceProblem(topic);
        if (namespace != null) {
            return refused(namespace);
        }
        return new Parsed(new Address(topic, partition), null);
    }

    private static Parsed refused(String why) {
        return new Parsed(null, "invalid reply address: " + why);
    }

    /** @return the decimal int from {@code from} to the end (digits only), or -1 */
    private static int partition(String s, int from) {
        int n = s.length() - from;
        if (n < 1 || n > 10) {
            return -1;
        }
        long v = 0;
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v > Integer.MAX_VALUE ? -1 : (int) v;
    }

    /** Kafka's rule for topic names: 1 to 249 of {@code [a-zA-Z0-9._-]}, not {@code .} or {@code ..}. */
    static String syntaxProblem(String topic) {
        if (topic.isEmpty()) {
            return "empty topic name";
        }
        if (topic.length() > MAX_TOPIC_NAME) {
            return "topic name of " + topic.length() + " chars (at most " + MAX_TOPIC_NAME + ")";
        }
        if (topic.equals(".") || topic.equals("..")) {
            return "topic name " + quote(topic);
        }
        for (int i = 0; i < topic.length(); i++) {
            char c = topic.charAt(i);
            boolean legal = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                    || c == '.' || c == '_' || c == '-';
            if (!legal) {
                return "topic name " + quote(topic) + " has a character outside [a-zA-Z0-9._-]";
            }
        }
        return null;
    }

    /**
     * The reply namespace: the transport's {@link KafkaTransportConfig#replyTopic() replyTopic}, or that name
     * followed by {@code .}, {@code -} or {@code _} and more; never an internal topic ({@code __*}), a topic under
     * {@link KafkaTransportConfig#topicPrefix()} (where every service's request and dead-letter topics are), a
     * dead-letter topic ({@code *.dlq}) or this service's own topics.
     */
    String namespaceProblem(String topic) {
        if (topic.startsWith("__")) {
            return "topic " + quote(topic) + " is internal to Kafka";
        }
        String prefix = config.topicPrefix();
        if (!prefix.isEmpty() && topic.startsWith(prefix)) {
            return "topic " + quote(topic) + " is under the prefix '" + prefix
                    + "' of request and dead-letter topics";
        }
        if (topic.endsWith(".dlq") || topic.equals(config.requestTopic(service))) {
            return "topic " + quote(topic) + " is a request or dead-letter topic";
        }
        String replies = config.replyTopic();
        if (topic.equals(replies)) {
            return null;
        }
        if (topic.length() > replies.length() + 1 && topic.startsWith(replies)) {
            char sep = topic.charAt(replies.length());
            if (sep == '.' || sep == '-' || sep == '_') {
                return null;
            }
        }
        return "topic " + quote(topic) + " is outside the reply namespace ('" + replies + "' and '" + replies
                + "[.-_]*')";
    }

    /** The value for a reason or a log line: at most {@value #MAX_QUOTED} chars, control chars replaced. */
    static String quote(String s) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), MAX_QUOTED) + 5).append('\'');
        for (int i = 0; i < s.length() && i < MAX_QUOTED; i++) {
            char c = s.charAt(i);
            b.append(c < 0x20 || c == 0x7f || Character.isSurrogate(c) ? '?' : c);
        }
        if (s.length() > MAX_QUOTED) {
            b.append("...");
        }
        return b.append('\'').toString();
    }

    // ---------------------------------------------------------------- existence and partitions

    /** Starts checking the address's topic unless it is cached (so that the answer is ready when the reply is). */
    void prefetch(Address a) {
        lookup(a.topic(), System.nanoTime());
    }

    /**
     * @return the check before a send to {@code a}: complete at once when the topic's state is cached, else when its
     *     check is done (on the thread that finished the check: an Admin thread); never fails
     */
    CompletableFuture<Verdict> verdict(Address a) {
        long now = System.nanoTime();
        Lookup l = lookup(a.topic(), now);
        CompletableFuture<TopicState> s = l.state;
        if (s.isDone()) {
            TopicState st = s.join();
            if (st.found() && a.partition() >= st.partitions() && now - l.checkedNanos > MISSING_TTL) {
                // partitions may have been added since: look again before refusing (the cached answer serves the
                // other replies meanwhile)
                s = refresh(a.topic(), l).state;
            } else {
                return CompletableFuture.completedFuture(judge(st, a));
            }
        }
        return s.thenApply(st -> judge(st, a));
    }

    private Verdict judge(TopicState st, Address a) {
        if (st.problem() != null) {
            return Verdict.UNCHECKED;
        }
        if (!st.found()) {
            return new Verdict("invalid reply address: topic " + quote(a.topic()) + " does not exist", false);
        }
        if (a.partition() >= st.partitions()) {
            return new Verdict("invalid reply address: topic " + quote(a.topic()) + " has " + st.partitions()
                    + " partition(s), no partition " + a.partition(), false);
        }
        return Verdict.GO;
    }

    private Lookup lookup(String topic, long now) {
        Lookup l = cache.get(topic);
        if (l == null) {
            if (cache.size() >= MAX_TOPICS) {
                purge(now);
                if (cache.size() >= MAX_TOPICS) {
                    Lookup once = new Lookup();
                    check(topic, once);
                    return once;
                }
            }
            Lookup fresh = new Lookup();
            l = cache.putIfAbsent(topic, fresh);
            if (l == null) {
                check(topic, fresh);
                return fresh;
            }
        }
        if (!l.state.isDone()) {
            return l;
        }
        TopicState st = l.state.join();
        long age = now - l.checkedNanos;
        if (st.found() && st.problem() == null) {
            if (age > FOUND_TTL) {
                refresh(topic, l); // the cached answer serves until the new one is in
            }
            return l;
        }
        return age > MISSING_TTL ? replace(topic, l) : l;
    }

    private Lookup replace(String topic, Lookup old) {
        Lookup fresh = new Lookup();
        if (cache.replace(topic, old, fresh)) {
            check(topic, fresh);
            return fresh;
        }
        Lookup now = cache.get(topic);
        return now != null ? now : old;
    }

    /** @return the check that replaces {@code old} once done (started now unless it already was) */
    private Lookup refresh(String topic, Lookup old) {
        Lookup fresh;
        synchronized (old) {
            if (old.next != null) {
                return old.next;
            }
            fresh = new Lookup();
            old.next = fresh;
        }
        check(topic, fresh);
        fresh.state.whenComplete((st, e) -> cache.replace(topic, old, fresh));
        return fresh;
    }

    private void purge(long now) {
        cache.entrySet().removeIf(e -> {
            Lookup l = e.getValue();
            return l.state.isDone() && now - l.checkedNanos > (l.state.join().found() ? FOUND_TTL : MISSING_TTL);
        });
    }

    /** Describes the topic (bounded), then warms the producer's metadata for it; completes {@code l} in any case. */
    private void check(String topic, Lookup l) {
        CompletableFuture<TopicDescription> described;
        try {
            described = transport.admin().describeTopics(List.of(topic),
                            new DescribeTopicsOptions().timeoutMs(checkTimeoutMs))
                    .allTopicNames().toCompletionStage().toCompletableFuture()
                    .thenApply(m -> m.get(topic));
        } catch (RuntimeException e) {
            described = CompletableFuture.failedFuture(e);
        }
        described.whenComplete((d, e) -> {
            Throwable cause = Topics.unwrap(e);
            if (cause == null && d != null) {
                warm(topic, d.partitions().size(), l);
            } else if (cause == null || cause instanceof UnknownTopicOrPartitionException
                    || cause instanceof InvalidTopicException) {
                settle(l, new TopicState(-1, null));
            } else {
                log.debug("server of '{}' cannot check reply topic {}: {}", service, quote(topic), cause.toString());
                settle(l, new TopicState(-1, cause.toString()));
            }
        });
    }

    private void warm(String topic, int partitions, Lookup l) {
        try {
            blocking.execute(() -> {
                try {
                    transport.producer(0).partitionsFor(topic); // the topic exists: one metadata round trip
                } catch (RuntimeException e) {
                    log.debug("server of '{}': no producer metadata for reply topic {}: {}", service, quote(topic),
                            e.toString());
                }
                settle(l, new TopicState(partitions, null));
            });
        } catch (RejectedExecutionException e) {
            settle(l, new TopicState(partitions, null)); // closing
        }
    }

    private static void settle(Lookup l, TopicState st) {
        l.checkedNanos = System.nanoTime();
        l.state.complete(st);
    }

    /** Topics cached now. For tests. */
    int cached() {
        return cache.size();
    }
}
