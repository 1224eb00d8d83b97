package dev.pipeline.rpc.tck.broker;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * A KRaft Apache Kafka broker (combined broker and controller) in a child JVM, on random loopback ports, with its data
 * in a temp directory that is deleted on {@link #close()}, by a shutdown hook, and by the child itself when the parent
 * JVM disappears. Alone ({@link #start()}) it is its own single-voter quorum; {@link #startCluster} starts several
 * that form one cluster with a controller quorum of all of them.
 */
final class LocalKafkaProcess implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LocalKafkaProcess.class);

    /** System property: how long to wait for the broker to answer (default 90 s; 2 shared cores can be slow). */
    static final String START_TIMEOUT_PROPERTY = "pipeline.kafka.local.startTimeoutSeconds";
    /** System property: the child JVM's heap (default 512m). */
    static final String HEAP_PROPERTY = "pipeline.kafka.local.heap";

    private final Path tempDir;
    private final Path configFile;
    private final Path logFile;
    private final String clusterId;
    private final int port;
    /** SASL_SSL with SCRAM users, TLS stores and an authorizer; null for a plaintext broker. */
    private final Secured secured;
    private final Thread shutdownHook;
    private Process process;
    private boolean closed;

    /**
     * What a secured broker has: the TLS stores, the SCRAM-SHA-512 users created at format time (name to password),
     * the super user among them.
     */
    record Secured(TestCertificates certificates, Map<String, String> users, String superUser) {
        @Override
        public String toString() {
            return "SASL_SSL users " + users.keySet() + ", super user " + superUser + ", " + certificates;
        }
    }

    /** The second listener's port and the port it advertises (a proxy in front of it), or null. */
    private final int[] external;
    /** This node's place in its cluster. */
    private final Quorum quorum;

    /**
     * A node's place in a cluster: its id, the controller quorum's voters ({@code id@host:port,...}), the cluster's
     * id, and how many brokers the cluster has (the replication factor of its internal topics).
     */
    record Quorum(int nodeId, String voters, String clusterId, int brokers) {
        static Quorum single(int controllerPort) {
            return new Quorum(1, "1@127.0.0.1:" + controllerPort, Uuid.randomUuid().toString(), 1);
        }
    }

    private LocalKafkaProcess(Path tempDir, int port, int controllerPort, int internalPort, Secured secured,
                              int[] external, Quorum quorum) throws IOException {
        this.tempDir = tempDir;
        this.port = port;
        this.secured = secured;
        this.external = external;
        this.quorum = quorum == null ? Quorum.single(controllerPort) : quorum;
        this.clusterId = this.quorum.clusterId();
        this.configFile = tempDir.resolve("server.properties");
        this.logFile = tempDir.resolve("broker.log");
        String props = serverProperties(tempDir.resolve("data"), port, controllerPort, this.quorum);
        if (external != null) {
            props = props.replace("listeners=PLAINTEXT://127.0.0.1:" + port + ",",
                            "listeners=PLAINTEXT://127.0.0.1:" + port + ",EXTERNAL://127.0.0.1:" + external[0] + ",")
                    .replace("advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                            "advertised.listeners=PLAINTEXT://127.0.0.1:" + port + ",EXTERNAL://127.0.0.1:"
                                    + external[1])
                    .replace("listener.security.protocol.map=PLAINTEXT:PLAINTEXT,",
                            "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,EXTERNAL:PLAINTEXT,");
        }
        if (secured != null) {
            props = securedProperties(props, port, internalPort, controllerPort, secured);
            StringBuilder users = new StringBuilder();
            secured.users().forEach((name, password) -> users.append("name=").append(name).append(",password=")
                    .append(password).append('\n'));
            // read by LocalKafkaMain for the format's --add-scram: no password on a command line
            Files.writeString(tempDir.resolve(LocalKafkaMain.SCRAM_USERS_FILE), users);
        }
        Files.writeString(configFile, props);
        this.shutdownHook = new Thread(this::destroyQuietly, "local-kafka-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Formats storage and starts the broker; returns once an Admin client gets an answer from it. */
    static LocalKafkaProcess start() {
        return start(null, null);
    }

    /**
     * Like {@link #start()}; with {@code users} (name to password) a secured broker: its client listener SASL_SSL
     * with a certificate from a CA made for it, these SCRAM-SHA-512 users, {@code superUser} among them, and the
     * StandardAuthorizer.
     */
    static LocalKafkaProcess startSecured(Map<String, String> users, String superUser) {
        if (!users.containsKey(superUser)) {
            throw new IllegalArgumentException("the super user " + superUser + " is not among the users");
        }
        return start(Map.copyOf(users), superUser);
    }

    /**
     * A plaintext broker with a second listener on {@link #externalPort()} that advertises {@code advertisedPort}
     * instead, for a proxy on that port forwarding to it: clients that bootstrap through the proxy are told to
     * connect through the proxy, while {@link #bootstrapServers()} reaches the broker directly.
     */
    static LocalKafkaProcess startBehindProxy(int advertisedPort) {
        return start(null, null, advertisedPort);
    }

    /** {@code users} null: a plaintext broker. */
    private static LocalKafkaProcess start(Map<String, String> users, String superUser) {
        return start(users, superUser, 0);
    }

    private static LocalKafkaProcess start(Map<String, String> users, String superUser, int advertisedPort) {
        LocalKafkaProcess broker;
        try {
            broker = prepare(users, superUser, advertisedPort, freePort(), freePort(), null);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot pick ports for the local Kafka broker", e);
        }
        try {
            broker.launch();
            return broker;
        } catch (RuntimeException e) {
            broker.close();
            throw e;
        }
    }

    /** Writes the broker's configuration into a new temp directory; starts nothing. */
    private static LocalKafkaProcess prepare(Map<String, String> users, String superUser, int advertisedPort,
                                             int port, int controllerPort, Quorum quorum) {
        Path dir;
        try {
            dir = Files.createTempDirectory("pipeline-kafka-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temp directory for the local Kafka broker", e);
        }
        try {
            Secured secured = users == null ? null
                    : new Secured(TestCertificates.generate(Files.createDirectories(dir.resolve("tls")),
                            "ip:127.0.0.1,dns:localhost"), users, superUser);
            return new LocalKafkaProcess(dir, port, controllerPort, freePort(), secured,
                    advertisedPort == 0 ? null : new int[] {freePort(), advertisedPort}, quorum);
        } catch (IOException | RuntimeException e) {
            deleteRecursively(dir);
            throw new IllegalStateException("cannot prepare the local Kafka broker in " + dir + ": " + e, e);
        }
    }

    /**
     * Starts a plaintext cluster of {@code nodes} brokers, each a combined broker and controller in its own child JVM
     * with its own ports and data, the controller quorum made of all of them; internal topics are replicated to every
     * broker (at most 3), with {@code min.insync.replicas} one less. Returns once every broker answers and the
     * cluster has them all, in node id order (ids 1 to {@code nodes}).
     */
    static List<LocalKafkaProcess> startCluster(int nodes) {
        if (nodes < 1) {
            throw new IllegalArgumentException("a cluster has at least one broker, not " + nodes);
        }
        int[] ports = new int[nodes];
        int[] controllerPorts = new int[nodes];
        StringBuilder voters = new StringBuilder();
        try {
            for (int i = 0; i < nodes; i++) {
                ports[i] = freePort();
                controllerPorts[i] = freePort();
                voters.append(i == 0 ? "" : ",").append(i + 1).append("@127.0.0.1:").append(controllerPorts[i]);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot pick ports for the local Kafka cluster", e);
        }
        String clusterId = Uuid.randomUuid().toString();
        List<LocalKafkaProcess> members = new ArrayList<>();
        try {
            for (int i = 0; i < nodes; i++) {
                members.add(prepare(null, null, 0, ports[i], controllerPorts[i],
                        new Quorum(i + 1, voters.toString(), clusterId, nodes)));
            }
            // no broker answers before a majority of the quorum runs: start them all, then wait for each
            long started = System.nanoTime();
            for (LocalKafkaProcess m : members) {
                m.spawn();
            }
            for (LocalKafkaProcess m : members) {
                m.awaitReady(started);
            }
            members.get(0).awaitBrokers(nodes, started);
            return members;
        } catch (RuntimeException e) {
            members.forEach(LocalKafkaProcess::close);
            throw e;
        }
    }

    String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** @return the port of the listener behind a proxy ({@link #startBehindProxy}), else -1 */
    int externalPort() {
        return external == null ? -1 : external[0];
    }

    /** Kills the broker process (SIGKILL, data kept: what it had not flushed is recovered from its log). */
    synchronized void kill() {
        Process p = process;
        process = null;
        if (p == null || !p.isAlive()) {
            return;
        }
        p.destroyForcibly();
        try {
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                log.warn("local Kafka broker did not die in 20 s of SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closeQuietly(p.getOutputStream());
        }
    }

    /** Starts a stopped or killed broker again on the same ports with the same data; returns once it answers. */
    synchronized void startAgain() {
        if (closed) {
            throw new IllegalStateException("the local Kafka broker is closed");
        }
        if (process != null && process.isAlive()) {
            return;
        }
        launch();
    }

    /** @return the TLS stores and users of a secured broker, else null */
    Secured secured() {
        return secured;
    }

    /** @return the broker's log so far (its own output and its authorizer's decisions), or empty */
    List<String> logLines() {
        try {
            return Files.readAllLines(logFile, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return List.of();
        }
    }

    /**
     * The client properties for SASL_SSL as {@code user} with {@code password}: SCRAM-SHA-512, the CA's
     * truststore, host name verification on (Kafka's default {@code ssl.endpoint.identification.algorithm=https}).
     */
    static Map<String, String> clientProperties(Secured secured, String user, String password) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("security.protocol", "SASL_SSL");
        p.put("sasl.mechanism", "SCRAM-SHA-512");
        p.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                + user + "\" password=\"" + password + "\";");
        p.put("ssl.truststore.location", secured.certificates().trustStore().toString());
        p.put("ssl.truststore.type", "PKCS12");
        p.put("ssl.truststore.password", secured.certificates().trustStorePassword());
        return p;
    }

    /** Stops the broker (gracefully, data kept) and starts it again on the same ports with the same data. */
    synchronized void restart() {
        if (closed) {
            throw new IllegalStateException("the local Kafka broker is closed");
        }
        stopProcess();
        launch();
    }

    /** @return the broker's JVM while it runs (for CPU accounting), else empty. */
    synchronized Optional<ProcessHandle> handle() {
        Process p = process;
        return p == null || !p.isAlive() ? Optional.empty() : Optional.of(p.toHandle());
    }

    /** Stops the broker only (data kept): for tests of a broker outage. {@link #restart()} brings it back. */
    synchronized void stop() {
        stopProcess();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        destroyQuietly();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException ignored) {
            // already shutting down
        }
    }

    private synchronized void destroyQuietly() {
        try {
            stopProcess();
        } finally {
            deleteRecursively(tempDir);
        }
    }

    private synchronized void launch() {
        long started = System.nanoTime();
        spawn();
        awaitReady(started);
        log.info("local Kafka broker up at {} in {} ms (data in {})", bootstrapServers(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), tempDir);
    }

    /** Starts the broker's JVM; returns at once. */
    private synchronized void spawn() {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String heap = System.getProperty(HEAP_PROPERTY, "512m");
        cmd.add("-Xms" + heap);
        cmd.add("-Xmx" + heap);
        cmd.add("-XX:+UseG1GC");
        cmd.add("-XX:MaxGCPauseMillis=10");
        cmd.add("-XX:+ExitOnOutOfMemoryError");
        cmd.add("-XX:+AlwaysPreTouch");
        cmd.add("-Djava.awt.headless=true");
        cmd.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=info");
        cmd.add("-Dorg.slf4j.simpleLogger.log.kafka=warn");
        cmd.add("-Dorg.slf4j.simpleLogger.log.org.apache.kafka=warn");
        cmd.add("-Dorg.slf4j.simpleLogger.log.state.change.logger=warn");
        if (secured != null) {
            // every denial as "Principal = User:x is Denied operation = ..." (allowed ones are logged at debug)
            cmd.add("-Dorg.slf4j.simpleLogger.log.kafka.authorizer.logger=info");
        }
        cmd.add("-cp");
        cmd.add(childClassPath());
        cmd.add(LocalKafkaMain.class.getName());
        cmd.add(configFile.toString());
        cmd.add(clusterId);
        cmd.add(tempDir.toString());
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the local Kafka broker JVM: " + e.getMessage(), e);
        }
    }

    /** Waits until the broker answers an Admin client (at least one broker in the cluster, topics listed). */
    private void awaitReady(long startedNanos) {
        awaitBrokers(1, startedNanos);
    }

    /** Waits until the broker answers an Admin client and its cluster has at least {@code brokers} brokers. */
    private void awaitBrokers(int brokers, long startedNanos) {
        long timeoutSeconds = Long.getLong(START_TIMEOUT_PROPERTY, 90);
        long deadline = startedNanos + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        if (secured != null) {
            props.putAll(clientProperties(secured, secured.superUser(), secured.users().get(secured.superUser())));
        }
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000);
        props.put(AdminClientConfig.RECONNECT_BACKOFF_MS_CONFIG, 100);
        props.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500);
        Exception last = null;
        int seen = -1;
        try (Admin admin = Admin.create(props)) {
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("the local Kafka broker exited with code " + process.exitValue()
                            + " before answering; last lines of " + logFile + ":\n" + tail(40));
                }
                try {
                    int nodes = admin.describeCluster(new DescribeClusterOptions().timeoutMs(2000))
                            .nodes().get(3, TimeUnit.SECONDS).size();
                    seen = nodes;
                    if (nodes >= brokers) {
                        admin.listTopics().names().get(3, TimeUnit.SECONDS);
                        return;
                    }
                } catch (Exception e) {
                    if (e instanceof InterruptedException) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("interrupted while waiting for the local Kafka broker", e);
                    }
                    last = e;
                }
                sleep(200);
            }
        }
        String tail = tail(40); // before the stop, whose own lines would hide why it did not answer
        stopProcess();
        throw new IllegalStateException("the local Kafka broker did not answer at " + bootstrapServers() + " within "
                + timeoutSeconds + " s (" + (seen < 0 ? "" : "it named " + seen + " of the " + brokers
                + " brokers it waited for; ") + "last error: " + last + "); last lines of " + logFile + ":\n" + tail);
    }

    private synchronized void stopProcess() {
        Process p = process;
        process = null;
        if (p == null || !p.isAlive()) {
            return;
        }
        p.destroy(); // SIGTERM: Kafka's own shutdown hook stops it cleanly
        try {
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                log.warn("local Kafka broker did not stop in 20 s; killing it");
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            closeQuietly(p.getOutputStream());
        }
    }

    private String tail(int lines) {
        try {
            List<String> all = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no broker log: " + e.getMessage() + ")";
        }
    }

    private static String serverProperties(Path dataDir, int port, int controllerPort, Quorum quorum) {
        String replicas = Integer.toString(Math.min(3, quorum.brokers()));
        String minInSync = Integer.toString(Math.max(1, Math.min(3, quorum.brokers()) - 1));
        return String.join("\n",
                "process.roles=broker,controller",
                "node.id=" + quorum.nodeId(),
                "controller.quorum.voters=" + quorum.voters(),
                "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + dataDir.toString().replace("\\", "/"),
                "num.partitions=1",
                // topics the transports create: replicated as they ask (replicationFactor, minInsyncReplicas)
                "default.replication.factor=1",
                "min.insync.replicas=1",
                // the group coordinator's offsets survive a broker of a cluster going down
                "offsets.topic.replication.factor=" + replicas,
                "offsets.topic.num.partitions=4",
                "transaction.state.log.replication.factor=" + replicas,
                "transaction.state.log.min.isr=" + minInSync,
                "transaction.state.log.num.partitions=4",
                "share.coordinator.state.topic.replication.factor=" + replicas,
                "share.coordinator.state.topic.min.isr=" + minInSync,
                "group.initial.rebalance.delay.ms=0",
                // topics are created explicitly (the transports use the Admin API), as on Redpanda by default
                "auto.create.topics.enable=false",
                "num.network.threads=2",
                "num.io.threads=4",
                "log.segment.bytes=67108864",
                "log.retention.hours=1",
                "") ;
    }

    /**
     * The secured variant of {@code plain}: the client listener SASL_SSL (SCRAM-SHA-512, TLS with the fixture's
     * certificate), inter-broker traffic on a listener of its own, the controller's and that one plaintext on
     * loopback, the StandardAuthorizer denying what no ACL allows.
     */
    private static String securedProperties(String plain, int port, int internalPort, int controllerPort,
                                            Secured secured) {
        StringBuilder b = new StringBuilder();
        for (String line : plain.split("\n")) {
            if (!line.startsWith("listeners=") && !line.startsWith("advertised.listeners=")
                    && !line.startsWith("inter.broker.listener.name=")
                    && !line.startsWith("listener.security.protocol.map=")) {
                b.append(line).append('\n');
            }
        }
        String keystore = secured.certificates().serverKeyStore().toString().replace("\\", "/");
        return b + String.join("\n",
                "listeners=SASL_SSL://127.0.0.1:" + port + ",INTERNAL://127.0.0.1:" + internalPort
                        + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=SASL_SSL://127.0.0.1:" + port + ",INTERNAL://127.0.0.1:" + internalPort,
                "listener.security.protocol.map=SASL_SSL:SASL_SSL,INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "inter.broker.listener.name=INTERNAL",
                "sasl.enabled.mechanisms=SCRAM-SHA-512",
                "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config="
                        + "org.apache.kafka.common.security.scram.ScramLoginModule required;",
                "ssl.keystore.type=PKCS12",
                "ssl.keystore.location=" + keystore,
                "ssl.keystore.password=" + secured.certificates().keyStorePassword(),
                "ssl.client.auth=none",
                "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer",
                // the loopback-only controller and inter-broker listeners authenticate nobody: ANONYMOUS
                "super.users=User:" + secured.superUser() + ";User:ANONYMOUS",
                "allow.everyone.if.no.acl.found=false",
                "");
    }

    /** The class path for the child: this JVM's, with manifest-only jars (surefire) and class loaders expanded. */
    static String childClassPath() {
        Set<String> entries = new LinkedHashSet<>();
        for (String e : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
            if (!e.isBlank()) {
                addWithManifest(entries, Path.of(e));
            }
        }
        for (ClassLoader cl = Thread.currentThread().getContextClassLoader(); cl != null; cl = cl.getParent()) {
            if (cl instanceof URLClassLoader) {
                for (URL url : ((URLClassLoader) cl).getURLs()) {
                    try {
                        addWithManifest(entries, Path.of(url.toURI()));
                    } catch (URISyntaxException | IllegalArgumentException ignored) {
                        // not a file URL
                    }
                }
            }
        }
        return String.join(File.pathSeparator, entries);
    }

    private static void addWithManifest(Set<String> entries, Path path) {
        if (!entries.add(path.toString()) || !path.toString().endsWith(".jar") || !Files.isRegularFile(path)) {
            return;
        }
        try (JarFile jar = new JarFile(path.toFile())) {
            Manifest mf = jar.getManifest();
            String cp = mf == null ? null : mf.getMainAttributes().getValue("Class-Path");
            if (cp == null || cp.isBlank()) {
                return;
            }
            URI base = path.toUri();
            for (String ref : cp.trim().split("\\s+")) {
                try {
                    URI resolved = base.resolve(ref);
                    if ("file".equals(resolved.getScheme())) {
                        addWithManifest(entries, Path.of(resolved));
                    }
                } catch (IllegalArgumentException ignored) {
                    // an entry we cannot resolve
                }
            }
        } catch (IOException ignored) {
            // unreadable jar: keep the entry as it is
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    static void deleteRecursively(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            log.debug("could not delete {} fully: {}", dir, e.toString());
        }
    }

    private static void closeQuietly(OutputStream out) {
        try {
            out.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the local Kafka broker", e);
        }
    }


    /** @return this broker's node id (1 for a broker alone) */
    int nodeId() {
        return quorum.nodeId();
    }

    @Override
    public String toString() {
        return "local Kafka broker " + quorum.nodeId() + " at " + bootstrapServers() + " (data in " + tempDir + ")";
    }

}
