package dev.pipeline.rpc.bench;

import dev.pipeline.rpc.kafka.KafkaTransportConfig;
import dev.pipeline.rpc.tck.latency.RoundTrip;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
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
import org.springframework.kafka.support.serializer.JsonDeserializer;
import org.springframework.kafka.support.serializer.JsonSerializer;
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
import java.util.concurrent.atomic.AtomicLong;

/**
 * The competitor on Kafka: Spring Kafka's {@link ReplyingKafkaTemplate} on the client, and on the server what
 * {@code @KafkaListener} + {@code @SendTo} do (a listener container whose listener sends the reply with a
 * {@link KafkaTemplate} to the request's {@code kafka_replyTopic}/{@code kafka_replyPartition}, copying
 * {@code kafka_correlationId}), built without an application context.
 *
 * <p>Tuned as a competent user would, and documented in docs/benchmarks.md: {@code linger.ms=0} on both producers
 * (Kafka 4's default of 5 ms costs two hops of 5 ms), {@code batch.size=65536} as our transport's (no latency with
 * {@code linger.ms=0}; 16 KiB sends a 10 KB reply alone), {@code acks=all} like the others;
 * the server container commits asynchronously at most every 100 ms ({@code syncCommits=false}, ack mode TIME, like
 * our transport; Spring's default is a {@code commitSync} after every poll, which costs milliseconds, and ack mode
 * BATCH with async commits floods the group coordinator at high rates: commits then time out); the reply container
 * never commits on the hot path ({@code enable.auto.commit=true}, so the container leaves commits to the client's
 * background auto-commit) and is assigned its one partition explicitly (no group rebalance); Micrometer timers off;
 * a reply timeout of 60 s. The request topic has the same 8
 * partitions as the others, and one consumer per side (container concurrency 1), like the others.
 *
 * <p>The template schedules a timeout task for every request and never cancels it ({@code scheduleTimeout} drops
 * the {@code ScheduledFuture}): each stays queued, holding its {@code ProducerRecord}, for the whole reply timeout,
 * then runs and finds its request long answered. In one JVM taking turns with the others, one task per call of a
 * run (84,056 queued after a 3 s point at 256 calls in flight) held the heap for a minute and then ran during the
 * implementations measured after it. So the template gets its own scheduler, and {@link #afterRun()} drops the
 * queued tasks once every call of a run has its reply: the others are not charged for them. (Spring is spared their
 * later runs, which a Spring user pays.)
 *
 * <p>{@linkplain #typed(String) Typed}, a diagnostic row: the same, with the messages as a Spring user who writes
 * JSON-RPC by hand would have them: Java records ({@link JsonRpcRequest}, {@link JsonRpcResponse}) written and read
 * by Spring Kafka's {@link JsonSerializer} / {@link JsonDeserializer} (Jackson; no type headers, the target type
 * configured), a listener that answers the request's one param, a caller that reads the result. The same bytes
 * travel; what it adds to the byte echo is the JSON work Pipeline does too.
 */
final class SpringReplyingContender implements Contender {
    /** Like our transport's default, so that neither commits more often than the other. */
    private static final long COMMIT_INTERVAL_MS = KafkaTransportConfig.DEFAULT_COMMIT_INTERVAL_MS;
    private final String bootstrap;
    private final String suffix = UUID.randomUUID().toString().substring(0, 8);
    private final String requestTopic = "bench-spring-req-" + suffix;
    private final String replyTopic = "bench-spring-rep-" + suffix;
    private final AtomicLong ids = new AtomicLong();
    /** Which row this is. */
    private final Kind kind;
    /**
     * {@link Kind#TYPED}: records through Spring's JSON (de)serializers instead of the request's bytes echoed (read on
     * every path that builds or reads the values).
     */
    private final boolean typed;

    /** The rows this class measures: the competitor itself, and diagnostic rows beside it. */
    enum Kind {
        /** The byte echo through {@code get()} at sequential points: the reference of the targets. */
        BYTES("spring ReplyingKafkaTemplate", ""),
        /** Typed JSON records through Spring Kafka's serializers. */
        TYPED("spring ReplyingKafkaTemplate, typed JSON", "; messages as records through Spring's"
                + " JsonSerializer/JsonDeserializer (Jackson, no type headers), the listener answers params[0], the"
                + " caller reads the result"),
        /** Sequentially too, a call ends when its future completes (no {@code get()}). */
        ASYNC("spring ReplyingKafkaTemplate, async",
                "; sequentially too, a call ends when its future completes (no get())"),
        /** Under load too, {@code get()} on one caller thread per call in flight. */
        BLOCKING_THREADS("spring ReplyingKafkaTemplate, blocking threads",
                "; under load too, get() on one caller thread per call in flight"),
        /** Both producers with the batch size and buffer of Pipeline's producer for larger messages. */
        LARGE_BATCHES("spring ReplyingKafkaTemplate, 256 KiB batches", "; both producers with batch.size="
                + KafkaTransportConfig.DEFAULT_LARGE_BATCH_BYTES + " and buffer.memory=134217728 instead, as"
                + " Pipeline's producer for messages over 2 KB");

        final String label;
        final String setup;

        Kind(String label, String setup) {
            this.label = label;
            this.setup = setup;
        }
    }
    private DefaultKafkaProducerFactory<byte[], Object> clientProducers;
    private DefaultKafkaProducerFactory<byte[], Object> serverProducers;
    private ReplyingKafkaTemplate<byte[], Object, Object> template;
    private ThreadPoolTaskScheduler timeouts;
    private ConcurrentMessageListenerContainer<byte[], Object> serverContainer;
    private boolean topicsCreated;

    SpringReplyingContender(String bootstrap) {
        this(bootstrap, Kind.BYTES);
    }

    private SpringReplyingContender(String bootstrap, Kind kind) {
        this.bootstrap = bootstrap;
        this.kind = kind;
        this.typed = kind == Kind.TYPED;
    }

    /** The diagnostic row with typed JSON messages (see the class comment). */
    static SpringReplyingContender typed(String bootstrap) {
        return new SpringReplyingContender(bootstrap, Kind.TYPED);
    }

    /**
     * The diagnostic row that measures a sequential call until its future completes on the reply container's thread,
     * as under load, instead of until {@code get()} returns to the waiting caller.
     */
    static SpringReplyingContender async(String bootstrap) {
        return new SpringReplyingContender(bootstrap, Kind.ASYNC);
    }

    /**
     * The diagnostic row whose producers have the batch size and buffer of Pipeline's producer for larger messages:
     * what Spring gets from the setting behind Pipeline's throughput with larger bodies.
     */
    static SpringReplyingContender largeBatches(String bootstrap) {
        return new SpringReplyingContender(bootstrap, Kind.LARGE_BATCHES);
    }

    /**
     * The diagnostic row that calls {@code sendAndReceive(record).get()} under load too, on one caller thread per
     * call in flight, as a thread-per-request server calls a service.
     */
    static SpringReplyingContender blockingThreads(String bootstrap) {
        return new SpringReplyingContender(bootstrap, Kind.BLOCKING_THREADS);
    }

    @Override
    public boolean callerThreads() {
        return kind == Kind.BLOCKING_THREADS;
    }

    /** A JSON-RPC request as a Spring user's record: {@code {"jsonrpc":"2.0","method":..,"params":[..],"id":..}}. */
    record JsonRpcRequest(String jsonrpc, String method, List<String> params, long id) {
    }

    /** A JSON-RPC success response as a Spring user's record: {@code {"jsonrpc":"2.0","result":..,"id":..}}. */
    record JsonRpcResponse(String jsonrpc, String result, long id) {
    }

    @Override
    public String broker() {
        return "kafka";
    }

    @Override
    public String name() {
        return kind.label;
    }

    @Override
    public Role role() {
        return kind == Kind.BYTES ? Role.COMPETITOR : Role.DIAGNOSTIC;
    }

    @Override
    public String setup() {
        return "spring-kafka ReplyingKafkaTemplate + a listener container replying like @SendTo; linger.ms=0,"
                + " batch.size=" + KafkaTransportConfig.DEFAULT_BATCH_BYTES + ", acks=all;"
                + " server container: async commits at most every " + COMMIT_INTERVAL_MS
                + " ms (ack mode TIME, syncCommits=false);"
                + " reply container: its partition assigned explicitly, no commits on the hot path"
                + " (enable.auto.commit=true); concurrency 1"
                + kind.setup;
    }

    @Override
    public void start() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(requestTopic, KafkaRawContender.REQUEST_PARTITIONS, (short) -1),
                    new NewTopic(replyTopic, 1, (short) -1))).all().get(60, TimeUnit.SECONDS);
            topicsCreated = true;
        }
        Map<String, Object> producerProps = new HashMap<>();
        producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        producerProps.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        // as our transport's producers: with linger.ms=0 a larger batch costs no latency, and a client's replies all
        // go to one partition, where Kafka's 16 KiB batches send a 10 KB reply alone
        producerProps.put(ProducerConfig.BATCH_SIZE_CONFIG, KafkaTransportConfig.DEFAULT_BATCH_BYTES);
        if (kind == Kind.LARGE_BATCHES) {
            producerProps.put(ProducerConfig.BATCH_SIZE_CONFIG, KafkaTransportConfig.DEFAULT_LARGE_BATCH_BYTES);
            producerProps.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 128L << 20);
        }
        producerProps.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        producerProps.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
                typed ? JsonSerializer.class : ByteArraySerializer.class);
        if (typed) {
            producerProps.put(JsonSerializer.ADD_TYPE_INFO_HEADERS, false);
        }
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
        serverContainer = new ConcurrentMessageListenerContainer<>(consumers("earliest", false,
                JsonRpcRequest.class), serverProps);
        serverContainer.setConcurrency(1);
        serverContainer.start();

        // client
        ContainerProperties replyProps = new ContainerProperties(new TopicPartitionOffset(replyTopic, 0));
        replyProps.setGroupId("bench-spring-client-" + suffix);
        replyProps.setMicrometerEnabled(false);
        // a reply consumer needs no commits: with enable.auto.commit the container leaves them to the client's
        // background auto-commit instead of committing after every poll
        KafkaMessageListenerContainer<byte[], Object> replyContainer =
                new KafkaMessageListenerContainer<>(consumers("latest", true, JsonRpcResponse.class), replyProps);
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
        Object value = r.value();
        if (typed) { // what an @KafkaListener method taking and returning the records does
            JsonRpcRequest request = (JsonRpcRequest) value;
            value = new JsonRpcResponse("2.0", request.params().get(0), request.id());
        }
        return new ProducerRecord<>(to, p, (byte[]) null, value, (Iterable<Header>) headers);
    }

    /** @param type what the values are read as when {@link #typed} */
    private DefaultKafkaConsumerFactory<byte[], Object> consumers(String reset, boolean autoCommit, Class<?> type) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, reset);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, autoCommit);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                typed ? JsonDeserializer.class : ByteArrayDeserializer.class);
        if (typed) {
            props.put(JsonDeserializer.USE_TYPE_INFO_HEADERS, false);
            props.put(JsonDeserializer.VALUE_DEFAULT_TYPE, type.getName());
        }
        return new DefaultKafkaConsumerFactory<>(props);
    }

    @Override
    public RoundTrip roundTrip() {
        if (typed) {
            return payload -> template.sendAndReceive(new ProducerRecord<>(requestTopic,
                            new JsonRpcRequest("2.0", "echo", List.of(payload), ids.incrementAndGet())))
                    .thenApply(reply -> ((JsonRpcResponse) reply.value()).result());
        }
        return payload -> template.sendAndReceive(new ProducerRecord<>(requestTopic,
                Contender.jsonRequest(payload, ids.incrementAndGet())));
    }

    /** Spring's blocking form, {@code sendAndReceive(record).get(timeout)}, as a caller who waits for each reply. */
    @Override
    public RoundTrip sequentialRoundTrip() {
        RoundTrip calls = roundTrip();
        if (kind == Kind.ASYNC) {
            return calls;
        }
        return payload -> {
            try {
                return CompletableFuture.completedFuture(calls.call(payload).toCompletableFuture()
                        .get(60, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return CompletableFuture.failedFuture(e);
            } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
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
    public void afterRun() {
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
        if (clientProducers != null) {
            clientProducers.destroy();
        }
        if (serverProducers != null) {
            serverProducers.destroy();
        }
        if (topicsCreated) {
            KafkaRawContender.deleteTopics(bootstrap, List.of(requestTopic, replyTopic));
        }
    }
}
