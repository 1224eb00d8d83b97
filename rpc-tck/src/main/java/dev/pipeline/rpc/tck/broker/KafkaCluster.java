package dev.pipeline.rpc.tck.broker;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.stream.Collectors;

/**
 * A Kafka cluster of several brokers for tests of replication and broker failover, found or started by the
 * provisioning ladder:
 * <ol>
 *   <li>an address given by the user: system property {@value #BOOTSTRAP_PROPERTY} or environment variable
 *       {@value #BOOTSTRAP_ENV} (a real cluster; its brokers cannot be killed from here);</li>
 *   <li>local KRaft Apache Kafka brokers ({@code kafka_2.13} from the class path), each a combined broker and
 *       controller in its own child JVM on random loopback ports with its own data, the controller quorum made of all
 *       of them. Each one can be killed ({@code kill -9}) and started again on the same ports with the same data.</li>
 * </ol>
 * The local brokers replicate the internal topics (consumer offsets, transactions) to every broker (at most 3) with
 * {@code min.insync.replicas} one less; other topics get what their creator asks for (broker defaults: replication
 * factor 1, {@code min.insync.replicas} 1, Kafka's own), so that a test sees the settings of the client that created
 * them.
 *
 * <pre>{@code
 * try (KafkaCluster cluster = KafkaCluster.start(3)) {
 *     String bootstrap = cluster.bootstrapServers();   // 127.0.0.1:41234,127.0.0.1:41240,127.0.0.1:41246
 *     cluster.broker(2).kill();  ...  cluster.broker(2).startAgain();
 * }
 * }</pre>
 */
public final class KafkaCluster implements AutoCloseable {
    /** System property naming an existing cluster, e.g. {@code -Dpipeline.kafka.cluster.bootstrap=h1:9092,h2:9092}. */
    public static final String BOOTSTRAP_PROPERTY = "pipeline.kafka.cluster.bootstrap";
    /** Environment variable naming an existing cluster. */
    public static final String BOOTSTRAP_ENV = "PIPELINE_KAFKA_CLUSTER_BOOTSTRAP";

    private static final Logger log = LoggerFactory.getLogger(KafkaCluster.class);

    private final KafkaBroker.Kind kind;
    private final String bootstrapServers;
    private final List<KafkaBroker> brokers;

    private KafkaCluster(KafkaBroker.Kind kind, String bootstrapServers, List<KafkaBroker> brokers) {
        this.kind = kind;
        this.bootstrapServers = bootstrapServers;
        this.brokers = List.copyOf(brokers);
    }

    /**
     * @param brokers how many local brokers to start when no cluster is given (3 for a majority quorum that
     *     survives one broker down)
     * @return a cluster found or started by the ladder, owned by the caller (close it)
     */
    public static KafkaCluster start(int brokers) {
        String given = KafkaBroker.configuredAddress(BOOTSTRAP_PROPERTY, BOOTSTRAP_ENV);
        if (given != null) {
            log.info("using the Kafka cluster at {} ({} / {})", given, BOOTSTRAP_PROPERTY, BOOTSTRAP_ENV);
            return new KafkaCluster(KafkaBroker.Kind.EXTERNAL, given, List.of());
        }
        return startLocal(brokers);
    }

    /**
     * Starts a cluster of local brokers, the last rung of the ladder.
     *
     * @param brokers how many brokers, each in a child JVM of its own
     * @return a new cluster of {@code brokers} local brokers, owned by the caller (close it)
     */
    public static KafkaCluster startLocal(int brokers) {
        long started = System.nanoTime();
        List<KafkaBroker> members = new ArrayList<>();
        for (LocalKafkaProcess p : LocalKafkaProcess.startCluster(brokers)) {
            members.add(KafkaBroker.member(p));
        }
        KafkaCluster cluster = new KafkaCluster(KafkaBroker.Kind.LOCAL_PROCESS,
                members.stream().map(KafkaBroker::bootstrapServers).collect(Collectors.joining(",")), members);
        log.info("local Kafka cluster of {} brokers up at {} in {} ms", brokers, cluster.bootstrapServers,
                (System.nanoTime() - started) / 1_000_000);
        return cluster;
    }

    /** @return {@code host:port,host:port...} for {@code bootstrap.servers}: every broker of the cluster */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** @return {@code kafka://} followed by {@link #bootstrapServers()} */
    public String uri() {
        return "kafka://" + bootstrapServers;
    }

    /** @return where the cluster came from: {@code EXTERNAL} or {@code LOCAL_PROCESS} */
    public KafkaBroker.Kind kind() {
        return kind;
    }

    /** @return whether {@link #broker(int)} gives brokers that can be killed and started again (local brokers) */
    public boolean canKill() {
        return !brokers.isEmpty();
    }

    /**
     * @param nodeId the broker's {@code node.id}, as Kafka's metadata names leaders and replicas (1 to the number of
     *     brokers)
     * @return the local broker with that id, to {@link KafkaBroker#kill()} and {@link KafkaBroker#startAgain()}; it
     *     belongs to the cluster, which closes it
     * @throws NoSuchElementException when there is no such local broker (always for a cluster the user gave)
     */
    public KafkaBroker broker(int nodeId) {
        if (nodeId < 1 || nodeId > brokers.size()) {
            throw new NoSuchElementException("the " + kind.name().toLowerCase(Locale.ROOT) + " Kafka cluster at "
                    + bootstrapServers + " has no local broker with node id " + nodeId);
        }
        return brokers.get(nodeId - 1);
    }

    /** Stops the local brokers and deletes their data; does nothing to a cluster the user gave. Idempotent. */
    @Override
    public void close() {
        for (KafkaBroker b : brokers) {
            b.close();
        }
    }

    @Override
    public String toString() {
        return kind.name().toLowerCase(Locale.ROOT) + " Kafka cluster at " + bootstrapServers;
    }
}
