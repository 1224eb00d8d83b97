package dev.pipeline.rpc.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.Optional;
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

    Topics(KafkaTransport transport) {
        this.transport = transport;
        this.config = transport.config();
    }

    /** @return the topic's description once it exists; fails with a one-line message when it cannot. */
    CompletableFuture<TopicDescription> ensure(String topic, int partitions, Map<String, String> topicConfigs) {
        CompletableFuture<TopicDescription> f = known.computeIfAbsent(topic,
                t -> create(t, partitions, topicConfigs).thenCompose(v -> describe(t,
                        System.nanoTime() + config.operationTimeout().toNanos())));
        f.whenComplete((d, e) -> {
            if (e != null) {
                known.remove(topic, f); // try again next time
            }
        });
        return f;
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
                    throw new CompletionException(new IllegalStateException("cannot create Kafka topic '" + topic
                            + "' at " + config.bootstrapServers() + ": " + cause.getMessage(), cause));
                });
    }

    /** Describes the topic; a just-created topic may take a moment to be visible, so retry until the deadline. */
    private CompletableFuture<TopicDescription> describe(String topic, long deadlineNanos) {
        int timeout = (int) Math.min(Integer.MAX_VALUE, config.operationTimeout().toMillis());
        return transport.admin().describeTopics(List.of(topic), new DescribeTopicsOptions().timeoutMs(timeout))
                .allTopicNames().toCompletionStage().toCompletableFuture()
                .handle((m, e) -> {
                    Throwable cause = unwrap(e);
                    if (cause == null) {
                        return CompletableFuture.completedFuture(m.get(topic));
                    }
                    if (cause instanceof UnknownTopicOrPartitionException && config.autoCreateTopics()
                            && System.nanoTime() < deadlineNanos) {
                        return CompletableFuture.supplyAsync(() -> null,
                                        CompletableFuture.delayedExecutor(50, TimeUnit.MILLISECONDS))
                                .thenCompose(x -> describe(topic, deadlineNanos));
                    }
                    if (cause instanceof UnknownTopicOrPartitionException) {
                        throw new CompletionException(new IllegalStateException("Kafka topic '" + topic
                                + "' does not exist at " + config.bootstrapServers()
                                + (config.autoCreateTopics() ? "" : " and autoCreateTopics=false: create it or "
                                + "enable autoCreateTopics")));
                    }
                    throw new CompletionException(new IllegalStateException("cannot describe Kafka topic '" + topic
                            + "' at " + config.bootstrapServers() + ": " + cause.getMessage(), cause));
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
