package dev.pipeline.rpc.kafka;

import dev.pipeline.rpc.ClientConfig;
import dev.pipeline.rpc.Rpc;
import dev.pipeline.rpc.RpcClient;
import dev.pipeline.rpc.RpcServer;
import dev.pipeline.rpc.ServerConfig;
import dev.pipeline.rpc.spi.WireHeaders;
import dev.pipeline.rpc.tck.broker.KafkaBroker;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * TLS, SASL and least-privilege ACLs end to end on a real broker ({@link KafkaBroker#startLocalSecured}): a SASL_SSL
 * listener with SCRAM-SHA-512 and a certificate from a CA the fixture makes, clients verifying the host name
 * (Kafka's default), the StandardAuthorizer with the ACLs of {@code dev/pipeline/rpc/kafka/acl/server.acl} and
 * {@code client.acl} applied verbatim, as {@code kafka-acls.sh --add} would. Calls, notifications, dead letters
 * and reply-address checks work with nothing needed denied; what the ACLs must forbid is denied; wrong credentials,
 * an untrusted CA and a plaintext client fail with a clear error that never shows the password.
 */
class KafkaSecurityTest {
    static final String SERVER_ACL = "/dev/pipeline/rpc/kafka/acl/server.acl";
    static final String CLIENT_ACL = "/dev/pipeline/rpc/kafka/acl/client.acl";
    /** The extra ACLs for {@code autoCreateTopics=true} on topics that do not exist yet. */
    static final String SERVER_CREATE_ACL = "/dev/pipeline/rpc/kafka/acl/server-create.acl";
    static final String CLIENT_CREATE_ACL = "/dev/pipeline/rpc/kafka/acl/client-create.acl";
    /** A service whose topics the principals create themselves: the ACL files with Create, for this service. */
    private static final String CREATING = "payments";
    /** A service whose topics do not exist and whose principals have the ACL files without Create. */
    private static final String NOT_CREATING = "refunds";
    private static final String SERVICE = "orders";
    private static final String SERVER_USER = "orders-server";
    private static final String CLIENT_USER = "orders-client";
    /** A user no ACL names. */
    private static final String STRANGER = "stranger";
    /** A wrong password to look for in everything the failures produce. */
    private static final String MARKER = "Kq7MarkerSecret";
    /** Long enough that a failure within it is the failure itself, not the wait for readiness running out. */
    private static final Duration READY = Duration.ofSeconds(60);

    private static KafkaBroker broker;
    private static KafkaBroker.Security security;

    @BeforeAll
    static void securedBroker() throws Exception {
        broker = KafkaBroker.startLocalSecured(SERVER_USER, CLIENT_USER, STRANGER,
                CREATING + "-server", CREATING + "-client", NOT_CREATING + "-server", NOT_CREATING + "-client");
        security = broker.security().orElseThrow();
        try (Admin admin = admin()) {
            // as the operator creates them (autoCreateTopics=false): the principals have no Create right
            admin.createTopics(List.of(new NewTopic("rpc.orders", 2, (short) 1),
                    new NewTopic("rpc.orders.dlq", 1, (short) 1), new NewTopic("rpc-replies", 2, (short) 1),
                    new NewTopic("rpc.billing", 1, (short) 1))).all().get(60, TimeUnit.SECONDS);
            List<AclBinding> acls = new ArrayList<>(aclBindings(resource(SERVER_ACL)));
            acls.addAll(aclBindings(resource(CLIENT_ACL)));
            // the same files for other services, as the guide says: `orders` replaced by the service's name
            for (String file : List.of(SERVER_ACL, CLIENT_ACL, SERVER_CREATE_ACL, CLIENT_CREATE_ACL)) {
                acls.addAll(aclBindings(forService(resource(file), CREATING)));
            }
            for (String file : List.of(SERVER_ACL, CLIENT_ACL)) {
                acls.addAll(aclBindings(forService(resource(file), NOT_CREATING)));
            }
            admin.createAcls(acls).all().get(60, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(30)).until(() -> admin.describeAcls(
                    org.apache.kafka.common.acl.AclBindingFilter.ANY).values().get().size() == acls.size());
        }
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void operationsGuideShowsTheAclFilesVerbatim() throws IOException {
        String guide = Files.readString(Path.of("..", "docs", "operations.md"));
        assertThat(guide).contains(resource(SERVER_ACL)).contains(resource(CLIENT_ACL))
                .contains(resource(SERVER_CREATE_ACL)).contains(resource(CLIENT_CREATE_ACL));
    }

    @Test
    void autoCreateTopicsCreatesMissingTopicsWithExactlyTheDocumentedCreateAcls() throws Exception {
        String replyTopic = "rpc-replies-" + CREATING;
        try (Admin admin = admin()) {
            assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS))
                    .doesNotContain("rpc." + CREATING, "rpc." + CREATING + ".dlq", replyTopic);
        }
        int deniedBefore = security.authorizerDenials().size();
        try (RpcServer server = Rpc.server(uri(), ServerConfig.builder()
                .transportProperties(creatingProperties(CREATING + "-server", null)).build())) {
            server.expose(CREATING, new Orders());
            server.start();
            try (RpcClient client = Rpc.client(uri(), ClientConfig.builder().readyTimeout(READY)
                    .transportProperties(creatingProperties(CREATING + "-client", replyTopic)).build())) {
                for (int i = 0; i < 10; i++) {
                    assertThat(client.call(CREATING, "add", Integer.class, i, 2)).isEqualTo(i + 2);
                }
            }
        }
        try (Admin admin = admin()) {
            assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS))
                    .as("the topics the server and the client created")
                    .contains("rpc." + CREATING, "rpc." + CREATING + ".dlq", replyTopic);
        }
        List<String> denied = security.authorizerDenials();
        assertThat(denied.subList(deniedBefore, denied.size()))
                .as("operations the authorizer denied the server or the client")
                .noneMatch(l -> l.contains("User:" + CREATING + "-"));
    }

    @Test
    void autoCreateTopicsWithoutCreateFailsAtOnceNamingTheMissingPermission() {
        Captured captured = new Captured();
        long t0 = System.nanoTime();
        Throwable server = captured.failure(() -> {
            RpcServer s = Rpc.server(uri(), ServerConfig.builder()
                    .transportProperties(creatingProperties(NOT_CREATING + "-server", null)).build());
            try {
                s.expose(NOT_CREATING, new Orders());
                s.start();
                return s;
            } catch (RuntimeException e) {
                s.close();
                throw e;
            }
        });
        long serverMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        String replyTopic = "rpc-replies-" + NOT_CREATING;
        long t1 = System.nanoTime();
        Throwable client = captured.failure(() -> Rpc.client(uri(), ClientConfig.builder().readyTimeout(READY)
                .transportProperties(creatingProperties(NOT_CREATING + "-client", replyTopic)).build()));
        long clientMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t1);
        System.out.printf("no Create permission: the server's start failed after %d ms, the client after %d ms%n",
                serverMs, clientMs);
        assertThat(server.getMessage()).doesNotContain("\n")
                .contains("denied user '" + NOT_CREATING + "-server' the Create permission on topic 'rpc."
                        + NOT_CREATING)
                .contains("which does not exist");
        assertThat(client.getMessage()).doesNotContain("\n")
                .contains("denied user '" + NOT_CREATING + "-client' the Create permission on topic '"
                        + replyTopic + "', which does not exist")
                .doesNotContain("not ready to receive replies within");
        try (Admin admin = admin()) {
            assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS))
                    .doesNotContain("rpc." + NOT_CREATING, "rpc." + NOT_CREATING + ".dlq", replyTopic);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void autoCreateTopicsNeedsNoCreateForTopicsThatExist() throws Exception {
        int deniedBefore = security.authorizerDenials().size();
        Map<String, String> server = new LinkedHashMap<>(rpcProperties(SERVER_USER));
        server.put("autoCreateTopics", "true");
        Map<String, String> client = new LinkedHashMap<>(rpcProperties(CLIENT_USER));
        client.put("autoCreateTopics", "true");
        try (RpcServer s = Rpc.server(uri(), ServerConfig.builder().transportProperties(server).build())) {
            s.expose(SERVICE, new Orders());
            s.start();
            try (RpcClient c = Rpc.client(uri(), ClientConfig.builder().readyTimeout(READY)
                    .transportProperties(client).build())) {
                assertThat(c.call(SERVICE, "add", Integer.class, 40, 2)).isEqualTo(42);
            }
        }
        List<String> denied = security.authorizerDenials();
        assertThat(denied.subList(deniedBefore, denied.size()))
                .as("operations the authorizer denied the server or the client")
                .noneMatch(l -> l.contains("User:" + SERVER_USER) || l.contains("User:" + CLIENT_USER));
    }

    @Test
    void callsNotificationsAndDeadLettersWorkWithExactlyTheDocumentedAcls() throws Exception {
        int deniedBefore = security.authorizerDenials().size();
        Orders orders = new Orders();
        try (RpcServer server = Rpc.server(uri(), ServerConfig.builder()
                .transportProperties(rpcProperties(SERVER_USER)).build())) {
            server.expose(SERVICE, orders);
            server.start();
            try (RpcClient client = Rpc.client(uri(), ClientConfig.builder().readyTimeout(READY)
                    .transportProperties(rpcProperties(CLIENT_USER)).build())) {
                for (int i = 0; i < 20; i++) {
                    assertThat(client.call(SERVICE, "add", Integer.class, i, 1)).isEqualTo(i + 1);
                }
                for (int i = 0; i < 5; i++) {
                    client.notify(SERVICE, "note", "n" + i);
                }
                await().atMost(Duration.ofSeconds(30)).until(() -> orders.notes.get() == 5);
            }
            // requests a client may write, which the server must dead-letter: a reply address outside the reply
            // namespace (refused before dispatch), and a partition the reply topic does not have (found by the
            // reply-address check, a Describe)
            try (KafkaProducer<byte[], byte[]> forger = producer(CLIENT_USER)) {
                forger.send(forged("rpc.billing")).get(30, TimeUnit.SECONDS);
                forger.send(forged("rpc-replies:99")).get(30, TimeUnit.SECONDS);
            }
            List<String> reasons = new ArrayList<>();
            try (KafkaConsumer<byte[], byte[]> dlq = consumer(Security.ADMIN)) {
                TopicPartition tp = new TopicPartition("rpc.orders.dlq", 0);
                dlq.assign(List.of(tp));
                dlq.seekToBeginning(List.of(tp));
                await().atMost(Duration.ofSeconds(60)).until(() -> {
                    for (ConsumerRecord<byte[], byte[]> r : dlq.poll(Duration.ofMillis(200))) {
                        reasons.add(KafkaHeaders.get(r.headers(), WireHeaders.DLQ_REASON));
                    }
                    return reasons.size() >= 2;
                });
            }
            assertThat(reasons).hasSize(2).allSatisfy(r -> assertThat(r).startsWith("invalid reply address"));
            assertThat(reasons).anySatisfy(r -> assertThat(r).contains("no partition 99"));
        }
        List<String> denied = security.authorizerDenials();
        assertThat(denied.subList(deniedBefore, denied.size()))
                .as("operations the authorizer denied the server or the client")
                .noneMatch(l -> l.contains("User:" + SERVER_USER) || l.contains("User:" + CLIENT_USER));
    }

    @Test
    void theAclsDenyWhatAClientOrAServerMustNotDo() {
        int deniedBefore = security.authorizerDenials().size();
        try (KafkaProducer<byte[], byte[]> client = producer(CLIENT_USER);
             KafkaProducer<byte[], byte[]> server = producer(SERVER_USER)) {
            // a client writes requests only: not another service's, not dead letters
            assertDenied(() -> client.send(new ProducerRecord<>("rpc.orders.dlq", new byte[1])).get(30,
                    TimeUnit.SECONDS));
            assertDenied(() -> client.send(new ProducerRecord<>("rpc.billing", new byte[1])).get(30,
                    TimeUnit.SECONDS));
            // a server of orders writes replies and its dead letters, not other services' requests
            assertDenied(() -> server.send(new ProducerRecord<>("rpc.billing", new byte[1])).get(30,
                    TimeUnit.SECONDS));
        }
        try (KafkaConsumer<byte[], byte[]> reader = consumer(CLIENT_USER)) {
            // a client cannot read requests
            TopicPartition tp = new TopicPartition("rpc.orders", 0);
            reader.assign(List.of(tp));
            assertThatThrownBy(() -> {
                reader.seekToBeginning(List.of(tp));
                reader.poll(Duration.ofSeconds(10));
            }).isInstanceOf(TopicAuthorizationException.class);
        }
        List<String> denied = security.authorizerDenials();
        assertThat(denied.subList(deniedBefore, denied.size()))
                .anySatisfy(l -> assertThat(l).contains("User:" + CLIENT_USER).contains("rpc.orders.dlq"))
                .anySatisfy(l -> assertThat(l).contains("User:" + SERVER_USER).contains("rpc.billing"));
    }

    @Test
    void aWrongPasswordFailsTheClientAndTheServerNamingTheUserNeverThePassword() {
        Captured captured = new Captured();
        Map<String, String> wrong = new LinkedHashMap<>(security.clientProperties(CLIENT_USER, MARKER));
        wrong.put("autoCreateTopics", "false");
        long t0 = System.nanoTime();
        Throwable client = captured.failure(() -> Rpc.client(uri(), ClientConfig.builder().readyTimeout(READY)
                .transportProperties(wrong).build()));
        long clientMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        Map<String, String> wrongServer = new LinkedHashMap<>(security.clientProperties(SERVER_USER, MARKER));
        wrongServer.put("autoCreateTopics", "false");
        long t1 = System.nanoTime();
        Throwable server = captured.failure(() -> {
            // closed on failure too: a server whose start failed stays open (start may be retried) until closed
            try (RpcServer s = Rpc.server(uri(), ServerConfig.builder().transportProperties(wrongServer).build())) {
                s.expose(SERVICE, new Orders());
                s.start();
                return s;
            }
        });
        long serverMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t1);
        System.out.printf("wrong password: the client failed after %d ms, the server's start after %d ms%n",
                clientMs, serverMs);
        assertThat(client.getMessage()).contains("'" + CLIENT_USER + "'").contains("SCRAM-SHA-512")
                .doesNotContain("not ready to receive replies within");
        assertThat(server.getMessage()).contains("'" + SERVER_USER + "'").contains("SCRAM-SHA-512");
        captured.assertNone(MARKER);
    }

    @Test
    void aBrokerCertificateFromAnUntrustedCaFailsWithATlsError() {
        Captured captured = new Captured();
        Map<String, String> untrusting = new LinkedHashMap<>(security.clientProperties(CLIENT_USER, MARKER));
        // the JVM's own trust anchors, which do not hold the fixture's CA
        untrusting.remove("ssl.truststore.location");
        untrusting.remove("ssl.truststore.type");
        untrusting.remove("ssl.truststore.password");
        untrusting.put("autoCreateTopics", "false");
        Throwable e = captured.failure(() -> Rpc.client(uri(), ClientConfig.builder().readyTimeout(READY)
                .transportProperties(untrusting).build()));
        assertThat(e.getMessage()).contains("TLS").contains("certificate")
                .doesNotContain("not ready to receive replies within");
        captured.assertNone(MARKER);
    }

    @Test
    void hostNameVerificationRefusesANameTheCertificateDoesNotHold() throws Exception {
        // this host's own name resolves to loopback here, yet the certificate names only 127.0.0.1 and localhost
        String host = java.net.InetAddress.getLocalHost().getHostName();
        org.junit.jupiter.api.Assumptions.assumeTrue(!host.equals("localhost")
                && java.net.InetAddress.getByName(host).isLoopbackAddress(), "the host name is not on loopback");
        Captured captured = new Captured();
        Map<String, String> props = new LinkedHashMap<>(security.clientProperties(CLIENT_USER, MARKER));
        props.put("autoCreateTopics", "false");
        String port = broker.bootstrapServers().substring(broker.bootstrapServers().lastIndexOf(':') + 1);
        Throwable e = captured.failure(() -> Rpc.client("kafka://" + host + ":" + port, ClientConfig.builder()
                .readyTimeout(READY).transportProperties(props).build()));
        assertThat(e.getMessage()).contains("TLS").contains("does not name the host");
        captured.assertNone(MARKER);
    }

    @Test
    void aUserNoAclNamesIsToldItIsDenied() {
        Captured captured = new Captured();
        Map<String, String> props = new LinkedHashMap<>(security.clientProperties(STRANGER));
        props.put("autoCreateTopics", "false");
        Throwable e = captured.failure(() -> Rpc.client(uri(), ClientConfig.builder().readyTimeout(READY)
                .transportProperties(props).build()));
        assertThat(e.getMessage()).contains("denied user '" + STRANGER + "'").contains("rpc-replies");
    }

    @Test
    void aPlaintextClientOnTheSaslSslListenerFailsClearly() {
        Captured captured = new Captured();
        Throwable e = captured.failure(() -> Rpc.client(uri() + "?autoCreateTopics=false&operationTimeoutMs=5000",
                ClientConfig.builder().readyTimeout(READY).build()));
        assertThat(e.getMessage()).contains("PLAINTEXT").contains("security.protocol");
        captured.assertNone(MARKER);
    }

    // ---------------------------------------------------------------- helpers

    /** The principals' names for helpers. */
    private static final class Security {
        static final String ADMIN = KafkaBroker.Security.ADMIN_USER;
    }

    /** The service: sums, and counts notifications. */
    public static final class Orders {
        final AtomicInteger notes = new AtomicInteger();

        public int add(int a, int b) {
            return a + b;
        }

        public void note(String text) {
            notes.incrementAndGet();
        }
    }

    private static String uri() {
        return "kafka://" + broker.bootstrapServers();
    }

    /** A principal's client properties, and the transport's topics created by the operator beforehand. */
    private static Map<String, String> rpcProperties(String user) {
        Map<String, String> p = new LinkedHashMap<>(security.clientProperties(user));
        p.put("autoCreateTopics", "false");
        return p;
    }

    /** A principal's client properties with {@code autoCreateTopics=true}, and a reply topic of its own if given. */
    private static Map<String, String> creatingProperties(String user, String replyTopic) {
        Map<String, String> p = new LinkedHashMap<>(security.clientProperties(user));
        p.put("autoCreateTopics", "true");
        if (replyTopic != null) {
            p.put("replyTopic", replyTopic);
        }
        return p;
    }

    /** An ACL file of the guide for another service: {@code orders} replaced by {@code service}. */
    private static String forService(String acls, String service) {
        return acls.replace("orders", service);
    }

    private static Admin admin() {
        Map<String, Object> p = new HashMap<>(security.adminProperties());
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        return Admin.create(p);
    }

    private static KafkaProducer<byte[], byte[]> producer(String user) {
        Map<String, Object> p = new HashMap<>(security.clientProperties(user));
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "20000");
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static KafkaConsumer<byte[], byte[]> consumer(String user) {
        Map<String, Object> p = new HashMap<>(security.clientProperties(user));
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private static ProducerRecord<byte[], byte[]> forged(String replyTo) {
        RecordHeaders h = new RecordHeaders();
        h.add(WireHeaders.RPC_ID, "forged-1".getBytes(StandardCharsets.UTF_8));
        h.add(WireHeaders.REPLY_TO, replyTo.getBytes(StandardCharsets.UTF_8));
        h.add(WireHeaders.CLIENT, "forger".getBytes(StandardCharsets.UTF_8));
        byte[] body = "{\"jsonrpc\":\"2.0\",\"id\":\"forged-1\",\"method\":\"add\",\"params\":[1,2]}"
                .getBytes(StandardCharsets.UTF_8);
        return new ProducerRecord<>("rpc.orders", null, (byte[]) null, body, h);
    }

    private interface Send {
        void run() throws Exception;
    }

    private static void assertDenied(Send send) {
        assertThatThrownBy(send::run).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(TopicAuthorizationException.class);
    }

    static String resource(String name) throws IOException {
        try (InputStream in = KafkaSecurityTest.class.getResourceAsStream(name)) {
            assertThat(in).as(name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        }
    }

    /**
     * The ACLs of a file of {@code kafka-acls.sh --add} argument lines: {@code --allow-principal},
     * {@code --operation}, {@code --topic}, {@code --group} (each may repeat: every combination is one ACL) and
     * {@code --resource-pattern-type literal|prefixed}; from any host. Anything else fails.
     */
    static List<AclBinding> aclBindings(String text) {
        List<AclBinding> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            String[] t = line.trim().split("\\s+");
            List<String> principals = new ArrayList<>();
            List<AclOperation> operations = new ArrayList<>();
            List<String[]> resources = new ArrayList<>();
            PatternType pattern = PatternType.LITERAL;
            for (int i = 0; i < t.length; i += 2) {
                assertThat(i + 1).as("a value after " + t[i] + " in: " + line).isLessThan(t.length);
                String v = t[i + 1];
                switch (t[i]) {
                    case "--allow-principal" -> principals.add(v);
                    case "--operation" -> operations.add(AclOperation.valueOf(
                            v.replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT)));
                    case "--topic" -> resources.add(new String[] {"TOPIC", v});
                    case "--group" -> resources.add(new String[] {"GROUP", v});
                    case "--resource-pattern-type" -> pattern = PatternType.valueOf(v.toUpperCase(Locale.ROOT));
                    default -> throw new AssertionError("unknown kafka-acls option " + t[i] + " in: " + line);
                }
            }
            assertThat(pattern).isIn(PatternType.LITERAL, PatternType.PREFIXED);
            for (String[] r : resources) {
                for (String principal : principals) {
                    for (AclOperation op : operations) {
                        out.add(new AclBinding(new ResourcePattern(ResourceType.fromString(r[0]), r[1], pattern),
                                new AccessControlEntry(principal, "*", op, AclPermissionType.ALLOW)));
                    }
                }
            }
        }
        return out;
    }

    /** Everything a failure shows: its messages and cause chain, and standard output and error meanwhile. */
    private static final class Captured {
        final List<String> texts = new ArrayList<>();

        Throwable failure(Supplier<? extends AutoCloseable> open) {
            PrintStream out = System.out;
            PrintStream err = System.err;
            ByteArrayOutputStream both = new ByteArrayOutputStream();
            PrintStream capture = new PrintStream(both, true, StandardCharsets.UTF_8);
            System.setOut(capture);
            System.setErr(capture);
            Throwable failure = null;
            try (AutoCloseable opened = open.get()) {
                texts.add("opened: " + opened);
            } catch (Exception e) {
                failure = e;
                for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
                    texts.add(t.toString());
                    for (StackTraceElement s : t.getStackTrace()) {
                        texts.add(s.toString());
                    }
                    for (Throwable s : t.getSuppressed()) {
                        texts.add(s.toString());
                    }
                }
            } finally {
                System.setOut(out);
                System.setErr(err);
            }
            String logged = both.toString(StandardCharsets.UTF_8);
            texts.add(logged);
            System.out.print(logged);
            assertThat(failure).as("a failure").isNotNull();
            System.out.println("failure: " + failure);
            return failure;
        }

        void assertNone(String secret) {
            assertThat(texts).isNotEmpty().allSatisfy(t -> assertThat(t).doesNotContain(secret));
        }
    }
}
