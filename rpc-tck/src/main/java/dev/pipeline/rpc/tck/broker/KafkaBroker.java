package dev.pipeline.rpc.tck.broker;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.Objects;
import java.util.Optional;

/**
 * A Kafka broker for tests, benchmarks, examples and development, found or started by the provisioning ladder:
 * <ol>
 *   <li>an address given by the user: system property {@value #BOOTSTRAP_PROPERTY} or environment variable
 *       {@value #BOOTSTRAP_ENV} (a real cluster, Redpanda, ...);</li>
 *   <li>a Testcontainers Redpanda container when a Docker engine answers (image: system property
 *       {@code pipeline.kafka.redpanda.image}; {@code -Dpipeline.docker=false} skips this rung);</li>
 *   <li>a single-node KRaft Apache Kafka broker ({@code kafka_2.13} from the class path) in a child JVM on random
 *       loopback ports, its data in a temp directory deleted afterwards.</li>
 * </ol>
 * Use {@link #shared()} in tests: one broker per JVM, stopped when the JVM exits. For TLS, SASL and ACLs,
 * {@link #startLocalSecured} starts a local broker of the last rung with a SASL_SSL listener and an authorizer, and
 * {@link #security()} tells how to connect to it.
 *
 * <pre>{@code
 * String bootstrap = KafkaBroker.shared().bootstrapServers();   // e.g. 127.0.0.1:41234
 * }</pre>
 */
public final class KafkaBroker implements AutoCloseable {
    /** System property naming an existing broker, e.g. {@code -Dpipeline.kafka.bootstrap=host:9092}. */
    public static final String BOOTSTRAP_PROPERTY = "pipeline.kafka.bootstrap";
    /** Environment variable naming an existing broker. */
    public static final String BOOTSTRAP_ENV = "PIPELINE_KAFKA_BOOTSTRAP";

    private static final Logger log = LoggerFactory.getLogger(KafkaBroker.class);
    private static KafkaBroker shared;

    /** Where a broker came from. */
    public enum Kind {
        /** An address the user gave; never started or stopped by us. */
        EXTERNAL,
        /** A Redpanda container started through Testcontainers. */
        REDPANDA_CONTAINER,
        /** A local Apache Kafka broker in a child JVM. */
        LOCAL_PROCESS
    }

    private final Kind kind;
    private final String bootstrapServers;
    private final boolean isShared;
    private final LocalKafkaProcess local;
    private final AutoCloseable container;
    private boolean closed;

    private KafkaBroker(Kind kind, String bootstrapServers, boolean isShared, LocalKafkaProcess local,
                        AutoCloseable container) {
        this.kind = kind;
        this.bootstrapServers = bootstrapServers;
        this.isShared = isShared;
        this.local = local;
        this.container = container;
    }

    /**
     * @return the broker shared by everything in this JVM, found or started by the ladder on first use; it is stopped
     * when the JVM exits, and {@link #close()} on it does nothing.
     */
    public static synchronized KafkaBroker shared() {
        if (shared == null) {
            shared = provision(true);
        }
        return shared;
    }

    /** @return a new broker found or started by the ladder, owned by the caller (close it). */
    public static KafkaBroker start() {
        return provision(false);
    }

    /** @return a new local Apache Kafka broker in a child JVM (the last rung), owned by the caller (close it). */
    public static KafkaBroker startLocal() {
        return local(false);
    }

    /**
     * Starts a local broker like {@link #startLocal()}, secured: its client listener (the one
     * {@link #bootstrapServers()} names) is SASL_SSL with SCRAM-SHA-512 and a server certificate for
     * {@code 127.0.0.1} and {@code localhost} signed by a CA made for this broker; the StandardAuthorizer allows
     * only what ACLs allow ({@code allow.everyone.if.no.acl.found=false}) except to the super user
     * {@value Security#ADMIN_USER}. The controller and inter-broker listeners are plaintext on loopback.
     *
     * <pre>{@code
     * try (KafkaBroker broker = KafkaBroker.startLocalSecured("orders-server", "orders-client")) {
     *     Map<String, String> props = broker.security().orElseThrow().clientProperties("orders-client");
     * }
     * }</pre>
     *
     * @param users SCRAM-SHA-512 users to create besides {@value Security#ADMIN_USER}, each with a random password
     * @return the broker, owned by the caller (close it: its data, keys and certificates are deleted)
     */
    public static KafkaBroker startLocalSecured(String... users) {
        Map<String, String> passwords = new LinkedHashMap<>();
        passwords.put(Security.ADMIN_USER, randomSecret(24));
        for (String user : users) {
            if (user == null || !user.matches("[A-Za-z0-9._-]+")) {
                throw new IllegalArgumentException("a user name is letters, digits, '.', '_' or '-': " + user);
            }
            passwords.putIfAbsent(user, randomSecret(24));
        }
        LocalKafkaProcess process = LocalKafkaProcess.startSecured(passwords, Security.ADMIN_USER);
        return new KafkaBroker(Kind.LOCAL_PROCESS, process.bootstrapServers(), false, process, null);
    }

    private static final char[] ALPHANUMERIC =
            "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A random password of {@code length} letters and digits (no quoting needed in JAAS or properties). */
    private static String randomSecret(int length) {
        char[] c = new char[length];
        for (int i = 0; i < length; i++) {
            c[i] = ALPHANUMERIC[RANDOM.nextInt(ALPHANUMERIC.length)];
        }
        return new String(c);
    }

    /**
     * Starts a local plaintext broker with a second listener, on {@link #externalPort()}, that advertises
     * {@code 127.0.0.1:advertisedPort}: put a {@link TcpProxy} on that port forwarding to {@link #externalPort()},
     * and clients that bootstrap through it reach the broker only through the proxy (Kafka tells clients to connect
     * to the advertised address of the listener they came in on). {@link #bootstrapServers()} reaches the broker
     * directly.
     *
     * @param advertisedPort the loopback port the second listener advertises, where the proxy will listen
     * @return the broker, owned by the caller (close it)
     */
    public static KafkaBroker startLocalBehindProxy(int advertisedPort) {
        LocalKafkaProcess process = LocalKafkaProcess.startBehindProxy(advertisedPort);
        return new KafkaBroker(Kind.LOCAL_PROCESS, process.bootstrapServers(), false, process, null);
    }

    /** @return the port of the listener behind a proxy ({@link #startLocalBehindProxy}), else -1 */
    public int externalPort() {
        return local == null ? -1 : local.externalPort();
    }

    /**
     * Kills the broker process with SIGKILL ({@code kill -9}), its data kept; {@link #startAgain()} brings it back on
     * the same address.
     *
     * @throws UnsupportedOperationException when the broker is not a local process ({@link #canRestart()})
     */
    public void kill() {
        requireLocal().kill();
    }

    /**
     * Starts a killed or stopped broker again on the same address with the same data; returns once it answers.
     *
     * @throws UnsupportedOperationException when the broker is not a local process ({@link #canRestart()})
     */
    public void startAgain() {
        requireLocal().startAgain();
    }

    /**
     * @return how to connect to a broker from {@link #startLocalSecured}, else empty (a plaintext broker)
     */
    public Optional<Security> security() {
        return local == null || local.secured() == null ? Optional.empty() : Optional.of(new Security(local));
    }

    /**
     * The credentials and trust material of a broker from {@link #startLocalSecured}: Kafka client properties for
     * each user, the CA's truststore, and what the broker's authorizer denied.
     */
    public static final class Security {
        /** The super user of a secured broker (for setting up topics and ACLs). */
        public static final String ADMIN_USER = "admin";

        private final LocalKafkaProcess process;
        private final LocalKafkaProcess.Secured secured;

        private Security(LocalKafkaProcess process) {
            this.process = process;
            this.secured = process.secured();
        }

        /** @return the PKCS12 truststore holding the CA that signed the broker's certificate */
        public Path truststore() {
            return secured.certificates().trustStore();
        }

        /** @return the truststore's password */
        public String truststorePassword() {
            return secured.certificates().trustStorePassword();
        }

        /** @return the users of the broker, {@value #ADMIN_USER} included */
        public Set<String> users() {
            return secured.users().keySet();
        }

        /**
         * The properties a Kafka client needs to log in as {@code user}.
         *
         * @param user one of {@link #users()}
         * @return the Kafka client properties for {@code user} with its own password: {@code security.protocol},
         *     {@code sasl.mechanism}, {@code sasl.jaas.config} and the {@code ssl.truststore.*} properties (host
         *     name verification stays on, Kafka's default)
         * @throws IllegalArgumentException for a user the broker does not have
         */
        public Map<String, String> clientProperties(String user) {
            String password = secured.users().get(user);
            if (password == null) {
                throw new IllegalArgumentException("the broker has no user '" + user + "'; it has " + users());
            }
            return clientProperties(user, password);
        }

        /**
         * As {@link #clientProperties(String)}, with any password: for tests of wrong credentials.
         *
         * @param user a user name, which the broker need not have
         * @param password the password to log in with
         * @return the Kafka client properties for {@code user} with {@code password}
         */
        public Map<String, String> clientProperties(String user, String password) {
            return Collections.unmodifiableMap(LocalKafkaProcess.clientProperties(secured, user, password));
        }

        /** @return {@link #clientProperties(String)} of {@value #ADMIN_USER}, the super user */
        public Map<String, String> adminProperties() {
            return clientProperties(ADMIN_USER);
        }

        /**
         * @return the broker authorizer's log lines of denied operations so far
         *     ({@code Principal = User:x is Denied operation = Read from host = ... on resource = Topic:LITERAL:y ...})
         */
        public List<String> authorizerDenials() {
            List<String> denied = new ArrayList<>();
            for (String line : process.logLines()) {
                if (line.contains("kafka.authorizer.logger") && line.contains(" is Denied ")) {
                    denied.add(line);
                }
            }
            return denied;
        }

        @Override
        public String toString() {
            return "SASL_SSL (SCRAM-SHA-512) users " + users() + ", truststore " + truststore();
        }
    }

    /** A broker of a local cluster ({@link KafkaCluster}), owned by the cluster. */
    static KafkaBroker member(LocalKafkaProcess process) {
        return new KafkaBroker(Kind.LOCAL_PROCESS, process.bootstrapServers(), false, process, null);
    }

    private static KafkaBroker provision(boolean isShared) {
        String given = configuredAddress(BOOTSTRAP_PROPERTY, BOOTSTRAP_ENV);
        if (given != null) {
            log.info("using the Kafka broker at {} ({} / {})", given, BOOTSTRAP_PROPERTY, BOOTSTRAP_ENV);
            return new KafkaBroker(Kind.EXTERNAL, given, isShared, null, null);
        }
        if (RedpandaRung.dockerAvailable()) {
            try {
                var container = RedpandaRung.start();
                KafkaBroker broker = new KafkaBroker(Kind.REDPANDA_CONTAINER, stripScheme(container.getBootstrapServers()),
                        isShared, null, container);
                if (isShared) {
                    Runtime.getRuntime().addShutdownHook(new Thread(broker::stop, "redpanda-shutdown"));
                }
                return broker;
            } catch (RuntimeException | LinkageError e) {
                log.warn("Docker answers but Redpanda did not start ({}); falling back to a local Kafka broker",
                        e.toString());
            }
        }
        return local(isShared);
    }

    private static KafkaBroker local(boolean isShared) {
        LocalKafkaProcess process = LocalKafkaProcess.start();
        return new KafkaBroker(Kind.LOCAL_PROCESS, process.bootstrapServers(), isShared, process, null);
    }

    /** @return the address in the system property, else the environment variable, without a scheme; else null */
    static String configuredAddress(String property, String env) {
        String v = System.getProperty(property);
        if (v == null || v.isBlank()) {
            v = System.getenv(env);
        }
        return v == null || v.isBlank() ? null : stripScheme(v.trim());
    }

    private static String stripScheme(String address) {
        String a = address;
        for (String prefix : new String[] {"kafka://", "PLAINTEXT://", "plaintext://"}) {
            if (a.startsWith(prefix)) {
                a = a.substring(prefix.length());
            }
        }
        return a;
    }

    /** @return {@code host:port[,host:port...]} for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** @return {@code kafka://} followed by {@link #bootstrapServers()}. */
    public String uri() {
        return "kafka://" + bootstrapServers;
    }

    /** @return where this broker came from. */
    public Kind kind() {
        return kind;
    }

    /**
     * @return the broker's operating-system process when this is a {@link Kind#LOCAL_PROCESS} that is running (the
     * benchmarks read its CPU time), else empty
     */
    public Optional<ProcessHandle> localProcess() {
        return local == null ? Optional.empty() : local.handle();
    }

    /** @return whether {@link #restart()} and {@link #stopBroker()} are supported (local process only). */
    public boolean canRestart() {
        return local != null;
    }

    /**
     * Stops the broker process and starts it again on the same address with the same data; returns once it answers.
     *
     * @throws UnsupportedOperationException when the broker is not a local process ({@link #canRestart()})
     */
    public void restart() {
        requireLocal().restart();
    }

    /**
     * Stops the broker process (data kept) to simulate an outage; {@link #restart()} brings it back.
     *
     * @throws UnsupportedOperationException when the broker is not a local process ({@link #canRestart()})
     */
    public void stopBroker() {
        requireLocal().stop();
    }

    private LocalKafkaProcess requireLocal() {
        if (local == null) {
            throw new UnsupportedOperationException("a " + kind.name().toLowerCase(Locale.ROOT)
                    + " Kafka broker at " + bootstrapServers + " cannot be restarted by the fixture");
        }
        return local;
    }

    /** Stops and removes what this fixture started; does nothing for the {@link #shared()} broker. */
    @Override
    public void close() {
        if (!isShared) {
            stop();
        }
    }

    private synchronized void stop() {
        if (closed) {
            return;
        }
        closed = true;
        if (local != null) {
            local.close();
        }
        if (container != null) {
            try {
                container.close();
            } catch (Exception e) {
                log.debug("stopping the Redpanda container failed: {}", e.toString());
            }
        }
    }

    @Override
    public String toString() {
        return kind.name().toLowerCase(Locale.ROOT) + " Kafka broker at " + bootstrapServers;
    }

    /**
     * Starts a local broker (or uses the ladder with {@code --ladder}), prints its address and runs until stopped
     * with Ctrl-C. For development: {@code java -cp <rpc-tck class path> dev.pipeline.rpc.tck.broker.KafkaBroker}.
     *
     * @param args {@code --ladder} to use the ladder; nothing for a local broker
     * @throws InterruptedException when the main thread is interrupted while it waits
     */
    public static void main(String[] args) throws InterruptedException {
        boolean ladder = args.length > 0 && Objects.equals(args[0], "--ladder");
        KafkaBroker broker = ladder ? start() : startLocal();
        Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "kafka-broker-main-shutdown"));
        System.out.println("Kafka broker (" + broker.kind().name().toLowerCase(Locale.ROOT) + ") at "
                + broker.bootstrapServers());
        System.out.println("  bootstrap.servers=" + broker.bootstrapServers());
        System.out.println("  Pipeline URI:     " + broker.uri());
        System.out.println("Press Ctrl-C to stop (its data is deleted).");
        System.out.flush();
        Thread.currentThread().join();
    }
}
