package dev.pipeline.rpc.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.DescribeConfigsOptions;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** Makes sure topics exist (creating them through the Admin API when allowed), once per topic per transport. */
final class Topics {
    private static final Logger log = LoggerFactory.getLogger(Topics.class);

    private final KafkaTransport transport;
    private final KafkaTransportConfig config;
    private final ConcurrentHashMap<String, CompletableFuture<TopicDescription>> known = new ConcurrentHashMap<>();
    /** Each known topic's {@code max.message.bytes}, or -1 when it could not be read. */
    private final ConcurrentHashMap<String, CompletableFuture<Integer>> limits = new ConcurrentHashMap<>();
    /** Bounds {@link #limits}: topics past this many are not checked. */
    static final int MAX_CHECKED = 10_000;
    /** Topics found to take smaller batches than the large-message producer makes. For tests. */
    final Set<String> tooSmallForBatches = ConcurrentHashMap.newKeySet();

    Topics(KafkaTransport transport) {
        this.transport = transport;
        this.config = transport.config();
    }

    /**
     * @return the topic's description once it exists; fails with a one-line message when it cannot. The topic is
     *     described first and created (with {@code autoCreateTopics}) only when it does not exist, so that a
     *     principal needs the Create permission only on topics that are missing.
     */
    CompletableFuture<TopicDescription> ensure(String topic, int partitions, Map<String, String> topicConfigs) {
        CompletableFuture<TopicDescription> f = known.computeIfAbsent(topic,
                t -> describe(t, 0L, false).thenCompose(d -> d != null ? CompletableFuture.completedFuture(d)
                        : create(t, partitions, topicConfigs).thenCompose(v -> describe(t,
                        System.nanoTime() + config.operationTimeout().toNanos(), true))));
        f.whenComplete((d, e) -> {
            if (e != null) {
                known.remove(topic, f); // try again next time
            } else {
                checkOnce(topic);
            }
        });
        return f;
    }

    /**
     * Checks once per topic, in the background, that the topic takes the batches of the producer for larger
     * messages, and warns when it does not (see {@link #checkMessageLimit}). For topics this transport writes to
     * without creating them too, such as the reply topics of other clients. At most {@value #MAX_CHECKED} topics.
     */
    void checkOnce(String topic) {
        if (!limits.containsKey(topic) && limits.size() < MAX_CHECKED) {
            limits.computeIfAbsent(topic, this::checkMessageLimit);
        }
    }

    /**
     * The topic's {@code max.message.bytes} as read after {@link #ensure} or {@link #checkOnce} (-1 when it could
     * not be read, for example without the DescribeConfigs permission), or null before. For tests.
     */
    CompletableFuture<Integer> messageLimit(String topic) {
        return limits.get(topic);
    }

    /**
     * Reads the topic's {@code max.message.bytes} and warns when it is below the large-message producer's
     * {@code batch.size}: the broker refuses a batch over it. kafka-clients before 4.2 split a refused batch into
     * batches of the same {@code batch.size}, refused again until {@code delivery.timeout.ms} (KAFKA-8350), so calls
     * time out under load; 4.2 split it in halves, yet a split can still stall the partition of an idempotent
     * producer with several requests in flight ({@code OUT_OF_ORDER_SEQUENCE_NUMBER} on every retry, seen on 4.2.2).
     * Best effort: never fails the topic.
     */
    private CompletableFuture<Integer> checkMessageLimit(String topic) {
        int timeout = (int) Math.min(Integer.MAX_VALUE, config.operationTimeout().toMillis());
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        CompletableFuture<Integer> limit;
        try {
            limit = transport.admin().describeConfigs(List.of(resource),
                            new DescribeConfigsOptions().timeoutMs(timeout)).all()
                    .toCompletionStage().toCompletableFuture()
                    .thenApply(m -> {
                        Config c = m.get(resource);
                        ConfigEntry entry = c == null ? null : c.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
                        return entry == null || entry.value() == null ? -1 : Integer.parseInt(entry.value());
                    });
        } catch (RuntimeException e) {
            limit = CompletableFuture.failedFuture(e);
        }
        return limit.handle((bytes, e) -> {
            if (e != null) {
                log.debug("cannot read max.message.bytes of Kafka topic {}: {}", topic, unwrap(e).toString());
                return -1;
            }
            int batch = transport.largeBatchBytes();
            if (bytes >= 0 && bytes < batch) {
                tooSmallForBatches.add(topic);
                log.warn("Kafka topic '{}' takes batches of at most {} bytes (max.message.bytes), less than the"
                        + " producer's batch.size of {}: under load the broker refuses fuller batches, which"
                        + " kafka-clients before 4.2 retry at the same size until delivery.timeout.ms (KAFKA-8350)"
                        + " and later ones split, which can still stall a partition. Set maxMessageBytes to at"
                        + " most {} (or batch.size to at most {}) in the transport's options, or raise the topic's"
                        + " max.message.bytes", topic, bytes, batch,
                        Math.max(0, bytes - KafkaTransport.HEADER_ROOM), bytes);
            }
            return bytes;
        });
    }

    private CompletableFuture<Void> create(String topic, int partitions, Map<String, String> topicConfigs) {
        if (!config.autoCreateTopics()) {
            return CompletableFuture.completedFuture(null);
        }
        Admin admin = transport.admin();
        Optional<Short> rf = config.replicationFactor() < 0 ? Optional.empty()
                : Optional.of(config.replicationFactor());
        NewTopic nt = new NewTopic(topic, Optional.of(partitions), rf).configs(topicConfigs);
        int timeout = (int) Math.min(Integer.MAX_VALUE, config.operationTimeout().toMillis());
        return admin.createTopics(List.of(nt), new CreateTopicsOptions().timeoutMs(timeout)).all()
                .toCompletionStage().toCompletableFuture()
                .handle((v, e) -> {
                    Throwable cause = unwrap(e);
                    if (cause == null) {
                        log.info("created Kafka topic {} ({} partitions)", topic, partitions);
                        return null;
                    }
                    if (cause instanceof TopicExistsException) {
                        return null;
                    }
                    if (cause instanceof AuthorizationException) {
                        throw new CompletionException(new IllegalStateException(
                                KafkaErrors.createDenied(config, topic, cause), cause));
                    }
                    throw new CompletionException(new IllegalStateException("cannot create Kafka topic '" + topic
                            + "' at " + config.bootstrapServers() + ": " + KafkaErrors.explain(config, cause), cause));
                });
    }

    /**
     * Describes the topic. Before a creation ({@code created} false) a missing topic gives null when
     * {@code autoCreateTopics} is on; after one, a just-created topic may take a moment to be visible, so this
     * retries until the deadline.
     */
    private CompletableFuture<TopicDescription> describe(String topic, long deadlineNanos, boolean created) {
        int timeout = (int) Math.min(Integer.MAX_VALUE, config.operationTimeout().toMillis());
        return transport.admin().describeTopics(List.of(topic), new DescribeTopicsOptions().timeoutMs(timeout))
                .allTopicNames().toCompletionStage().toCompletableFuture()
                .handle((m, e) -> {
                    Throwable cause = unwrap(e);
                    if (cause == null) {
                        return CompletableFuture.completedFuture(m.get(topic));
                    }
                    if (cause instanceof UnknownTopicOrPartitionException && config.autoCreateTopics()
                            && !created) {
                        return CompletableFuture.<TopicDescription>completedFuture(null);
                    }
                    if (cause instanceof UnknownTopicOrPartitionException && config.autoCreateTopics()
                            && System.nanoTime() < deadlineNanos) {
                        return CompletableFuture.supplyAsync(() -> null,
                                        CompletableFuture.delayedExecutor(50, TimeUnit.MILLISECONDS))
                                .thenCompose(x -> describe(topic, deadlineNanos, true));
                    }
                    if (cause instanceof UnknownTopicOrPartitionException) {
                        throw new CompletionException(new IllegalStateException("Kafka topic '" + topic
                                + "' does not exist at " + config.bootstrapServers()
                                + (config.autoCreateTopics() ? "" : " and autoCreateTopics=false: create it or "
                                + "enable autoCreateTopics")));
                    }
                    throw new CompletionException(new IllegalStateException("cannot describe Kafka topic '" + topic
                            + "' at " + config.bootstrapServers() + ": " + KafkaErrors.explain(config, cause), cause));
                }).thenCompose(f -> f);
    }

    static Throwable unwrap(Throwable e) {
        Throwable t = e;
        while ((t instanceof CompletionException || t instanceof java.util.concurrent.ExecutionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
