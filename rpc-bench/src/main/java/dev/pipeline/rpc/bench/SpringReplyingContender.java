package dev.pipeline.rpc.bench;

import dev.pipeline.rpc.bench.ComparisonResult.Role;
import dev.pipeline.rpc.kafka.KafkaTransportConfig;
import dev.pipeline.rpc.tck.latency.RoundTrip;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.KafkaMessageListenerContainer;
import org.springframework.kafka.listener.MessageListener;
import org.springframework.kafka.requestreply.ReplyingKafkaTemplate;
import org.springframework.kafka.support.KafkaHeaders;
import org.springframework.kafka.support.TopicPartitionOffset;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The competitor on Kafka: Spring Kafka's {@link ReplyingKafkaTemplate} on the client; on the server what
 * {@code @KafkaListener} + {@code @SendTo} do (a listener container whose listener sends the reply with a
 * {@link KafkaTemplate} to the request's reply topic and partition, copying the correlation id), built without an
 * application context. Tuned as a competent user would (docs/benchmarks.md): {@code linger.ms=0} and
 * {@code batch.size=65536} on both producers, async commits at most every 100 ms on the server container (ack mode
 * TIME), a reply container assigned its partition and never committing on the hot path, Micrometer off.
 *
 * <p>The template queues a timeout task for every request and never cancels it; {@link #afterRun()} drops the queued
 * tasks once every call of a run is answered, so the implementations measured next do not run them.
 */
final class SpringReplyingContender extends Contender {
    /** Like our transport's default, so that neither commits more often than the other. */
    private static final long COMMIT_INTERVAL_MS = KafkaTransportConfig.DEFAULT_COMMIT_INTERVAL_MS;
    private final String bootstrap;
    private final String suffix = UUID.randomUUID().toString().substring(0, 8);
    private final String requestTopic = "bench-spring-req-" + suffix;
    private final String replyTopic = "bench-spring-rep-" + suffix;
    private final AtomicLong ids = new AtomicLong();
    private DefaultKafkaProducerFactory<byte[], Object> clientProducers;
    private DefaultKafkaProducerFactory<byte[], Object> serverProducers;
    private ReplyingKafkaTemplate<byte[], Object, Object> template;
    private ThreadPoolTaskScheduler timeouts;
    private ConcurrentMessageListenerContainer<byte[], Object> serverContainer;
    private boolean topicsCreated;

    SpringReplyingContender(String bootstrap) {
        super("kafka", "spring ReplyingKafkaTemplate", Role.COMPETITOR);
        this.bootstrap = bootstrap;
    }

    @Override
    String setup() {
        return "spring-kafka ReplyingKafkaTemplate + a listener container replying like @SendTo; linger.ms=0,"
                + " batch.size=" + KafkaTransportConfig.DEFAULT_BATCH_BYTES + ", acks=all;"
                + " server container: async commits at most every " + COMMIT_INTERVAL_MS
                + " ms (ack mode TIME, syncCommits=false);"
                + " reply container: its partition assigned explicitly, no commits on the hot path"
                + " (enable.auto.commit=true); concurrency 1";
    }

    @Override
    void start() throws Exception {
        topicsCreated = KafkaRawContender.createTopics(bootstrap, requestTopic, replyTopic);
        Map<String, Object> producerProps = new HashMap<>();
        producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        producerProps.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        // as our transport's producers: with linger.ms=0 a larger batch costs no latency, and a client's replies all
        // go to one partition, where Kafka's 16 KiB batches send a 10 KB reply alone
        producerProps.put(ProducerConfig.BATCH_SIZE_CONFIG, KafkaTransportConfig.DEFAULT_BATCH_BYTES);
        producerProps.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        producerProps.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        clientProducers = new DefaultKafkaProducerFactory<>(producerProps);
        serverProducers = new DefaultKafkaProducerFactory<>(producerProps);

        // server: the equivalent of @KafkaListener(topics = request) @SendTo
        KafkaTemplate<byte[], Object> replyTemplate = new KafkaTemplate<>(serverProducers);
        ContainerProperties serverProps = new ContainerProperties(requestTopic);
        serverProps.setGroupId(requestTopic);
        serverProps.setAckMode(ContainerProperties.AckMode.TIME); // commit at most as often as ours
        serverProps.setAckTime(COMMIT_INTERVAL_MS);
        serverProps.setSyncCommits(false);
        serverProps.setMicrometerEnabled(false);
        serverProps.setMessageListener((MessageListener<byte[], Object>) r -> replyTemplate.send(reply(r)));
        serverContainer = new ConcurrentMessageListenerContainer<>(consumers("earliest", false), serverProps);
        serverContainer.setConcurrency(1);
        serverContainer.start();

        // client
        ContainerProperties replyProps = new ContainerProperties(new TopicPartitionOffset(replyTopic, 0));
        replyProps.setGroupId("bench-spring-client-" + suffix);
        replyProps.setMicrometerEnabled(false);
        // a reply consumer needs no commits: with enable.auto.commit the container leaves them to the client's
        // background auto-commit instead of committing after every poll
        KafkaMessageListenerContainer<byte[], Object> replyContainer =
                new KafkaMessageListenerContainer<>(consumers("latest", true), replyProps);
        template = new ReplyingKafkaTemplate<>(clientProducers, replyContainer);
        timeouts = new ThreadPoolTaskScheduler();
        timeouts.setThreadNamePrefix("bench-spring-timeouts-");
        timeouts.setDaemon(true);
        timeouts.initialize();
        template.setTaskScheduler(timeouts);
        template.setDefaultReplyTimeout(Duration.ofSeconds(60));
        template.setSharedReplyTopic(false);
        template.afterPropertiesSet();
        template.start();
        if (!template.waitForAssignment(Duration.ofSeconds(60))) {
            throw new IllegalStateException("ReplyingKafkaTemplate: reply partition not assigned within 60 s");
        }
        Contender.awaitFirstReply(this, Duration.ofSeconds(90));
    }

    private ProducerRecord<byte[], Object> reply(ConsumerRecord<byte[], Object> r) {
        Header topic = r.headers().lastHeader(KafkaHeaders.REPLY_TOPIC);
        Header partition = r.headers().lastHeader(KafkaHeaders.REPLY_PARTITION);
        Header correlation = r.headers().lastHeader(KafkaHeaders.CORRELATION_ID);
        List<Header> headers = new ArrayList<>(1);
        if (correlation != null) {
            headers.add(new RecordHeader(KafkaHeaders.CORRELATION_ID, correlation.value()));
        }
        String to = topic != null ? new String(topic.value(), StandardCharsets.UTF_8) : replyTopic;
        Integer p = partition != null && partition.value().length == 4 ? ByteBuffer.wrap(partition.value()).getInt()
                : null;
        return new ProducerRecord<>(to, p, (byte[]) null, r.value(), (Iterable<Header>) headers);
    }

    private DefaultKafkaConsumerFactory<byte[], Object> consumers(String reset, boolean autoCommit) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, reset);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, autoCommit);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        return new DefaultKafkaConsumerFactory<>(props);
    }

    @Override
    RoundTrip roundTrip() {
        return payload -> template.sendAndReceive(new ProducerRecord<>(requestTopic,
                Contender.jsonRequest(payload, ids.incrementAndGet())));
    }

    /** Spring's blocking form, {@code sendAndReceive(record).get(timeout)}, as a caller who waits for each reply. */
    @Override
    RoundTrip sequentialRoundTrip() {
        RoundTrip calls = roundTrip();
        return payload -> {
            try {
                return CompletableFuture.completedFuture(calls.call(payload).toCompletableFuture()
                        .get(60, TimeUnit.SECONDS));
            } catch (ExecutionException | TimeoutException | InterruptedException e) {
                Contender.keepInterrupt(e);
                return CompletableFuture.failedFuture(e);
            }
        };
    }

    /** The template's timeout tasks waiting in its scheduler. */
    int queuedTimeouts() {
        return timeouts.getScheduledThreadPoolExecutor().getQueue().size();
    }

    /** Drops the timeout tasks of the run's requests, all answered (see the class comment). */
    @Override
    void afterRun() {
        timeouts.getScheduledThreadPoolExecutor().getQueue().clear();
    }

    @Override
    public void close() {
        if (template != null) {
            template.stop();
            template.destroy();
        }
        if (timeouts != null) {
            timeouts.shutdown();
        }
        if (serverContainer != null) {
            serverContainer.stop();
        }
        Contender.closeAll(clientProducers == null ? null : clientProducers::destroy,
                serverProducers == null ? null : serverProducers::destroy);
        if (topicsCreated) {
            KafkaRawContender.deleteTopics(bootstrap, List.of(requestTopic, replyTopic));
        }
    }
}
