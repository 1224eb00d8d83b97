package dev.pipeline.rpc.cli;

import dev.pipeline.rpc.ClientConfig;
import dev.pipeline.rpc.Rpc;
import dev.pipeline.rpc.RpcServer;
import dev.pipeline.rpc.ServerConfig;
import dev.pipeline.rpc.tck.broker.KafkaBroker;
import dev.pipeline.rpc.tck.broker.RedisBroker;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A credential never shows: each failure path a user can hit with a password in a broker URI (a malformed URI, an
 * unknown scheme, an unknown host, a wrong password, a TLS handshake that fails, SASL against a plain listener) is
 * driven with a marker password, through the library and through the CLI, and the marker is searched for in
 * everything captured: exception messages and their whole cause chains, standard output and error (where the logs
 * go), and the CLI's output.
 */
class SecretsLeakTest {
    private static final String MARKER = "Zq9MarkerPw";
    private static final String USER = "leaktest";
    private static String redisHostPort;
    private static String kafkaBootstrap;

    private final List<String> captured = new ArrayList<>();

    @BeforeAll
    static void brokers() {
        URI redis = RedisBroker.shared().uri();
        redisHostPort = redis.getHost() + ":" + redis.getPort();
        try (RedisClient client = RedisClient.create(redis.toString());
             StatefulRedisConnection<String, String> c = client.connect()) {
            // a real user whose password is not the marker: the marker is a wrong password
            c.sync().aclSetuser(USER, io.lettuce.core.AclSetuserArgs.Builder.on().addPassword("right-one")
                    .allKeys().allCommands());
        }
        kafkaBootstrap = KafkaBroker.shared().bootstrapServers();
    }

    @AfterAll
    static void dropUser() {
        try (RedisClient client = RedisClient.create(RedisBroker.shared().uri().toString());
             StatefulRedisConnection<String, String> c = client.connect()) {
            c.sync().aclDeluser(USER);
        }
    }

    @Test
    void malformedUris() {
        library(() -> Rpc.client("redis://" + USER + ":" + MARKER + "@" + redisHostPort + "/ bad"));
        library(() -> Rpc.client("//" + USER + ":" + MARKER + "@" + redisHostPort));
        library(() -> Rpc.client("nosuch://" + USER + ":" + MARKER + "@" + redisHostPort));
        library(() -> Rpc.client("redis://" + USER + ":" + MARKER + "@" + redisHostPort + "/notadb"));
        library(() -> Rpc.client("redis://" + MARKER + "@/0"));
        library(() -> Rpc.client("kafka://" + kafkaBootstrap + "/path?sasl.jaas.config=" + jaas()));
        library(() -> Rpc.client("kafka://" + kafkaBootstrap + "/path?ssl.key.password=" + MARKER));
        library(() -> Rpc.client("kafka://" + kafkaBootstrap + "?ssl.key.password=" + MARKER + "&partitions=x"));
        cli("redis://" + USER + ":" + MARKER + "@" + redisHostPort + "/ bad");
        cli("//" + USER + ":" + MARKER + "@" + redisHostPort);
        cli("nosuch://" + USER + ":" + MARKER + "@" + redisHostPort);
        cli("kafka://" + kafkaBootstrap + "/path?sasl.jaas.config=" + jaas());
        assertNoMarker();
    }

    @Test
    void unreachableAndRefused() {
        ClientConfig quick = ClientConfig.builder().readyTimeout(Duration.ofSeconds(3)).build();
        // unknown host
        library(() -> Rpc.client("redis://" + USER + ":" + MARKER + "@no-such-host.invalid:6379", quick));
        cli("redis://" + USER + ":" + MARKER + "@no-such-host.invalid:6379");
        // wrong password for a real user
        library(() -> Rpc.client("redis://" + USER + ":" + MARKER + "@" + redisHostPort, quick));
        library(() -> {
            RpcServer server = Rpc.server("redis://" + USER + ":" + MARKER + "@" + redisHostPort,
                    ServerConfig.builder().build());
            server.expose("leak", new Leak());
            server.start();
            return server;
        });
        cli("redis://" + USER + ":" + MARKER + "@" + redisHostPort);
        // a lone password (Redis reads user info without a colon as the default user's password)
        library(() -> Rpc.client("redis://" + MARKER + "@" + redisHostPort, quick));
        // TLS to a plain port: the handshake fails
        library(() -> Rpc.client("rediss://" + USER + ":" + MARKER + "@" + redisHostPort, quick));
        cli("rediss://" + USER + ":" + MARKER + "@" + redisHostPort);
        // SASL to a plain Kafka listener, the password in the JAAS config of the URI
        library(() -> Rpc.client("kafka://" + kafkaBootstrap + "?security.protocol=SASL_PLAINTEXT"
                + "&sasl.mechanism=PLAIN&sasl.jaas.config=" + jaas(), quick));
        assertNoMarker();
    }

    @Test
    void configsNeverShowSecrets() {
        ClientConfig config = ClientConfig.builder().transportProperty("sasl.jaas.config", jaasText())
                .transportProperty("ssl.truststore.password", MARKER).build();
        captured.add(config.toString());
        captured.add(ServerConfig.builder().transportProperty("sasl.jaas.config", jaasText()).build().toString());
        captured.add(dev.pipeline.rpc.kafka.KafkaTransportConfig.from(
                URI.create("kafka://" + kafkaBootstrap + "?sasl.jaas.config=" + jaas()), java.util.Map.of(
                        "ssl.key.password", MARKER)).toString());
        assertNoMarker();
    }

    @Test
    void redisTlsFailures() {
        ClientConfig quick = ClientConfig.builder().readyTimeout(Duration.ofSeconds(3)).build();
        try (RedisBroker tlsRedis = RedisBroker.startLocalTls(false);
             RedisClient admin = RedisClient.create(tlsRedis.uri().toString());
             StatefulRedisConnection<String, String> c = admin.connect()) {
            c.sync().aclSetuser(USER, io.lettuce.core.AclSetuserArgs.Builder.on().addPassword("right-one")
                    .allKeys().allCommands());
            RedisBroker.Tls tls = tlsRedis.tls();
            String at = "@127.0.0.1:" + tls.uri().getPort();
            String ca = "?trustStore=" + tls.certificates().caCertificate();
            String untrusted = "rediss://" + USER + ":" + MARKER + at;                 // JVM trust store
            String wrongPassword = "rediss://" + USER + ":" + MARKER + at + ca;       // trusted, wrong password
            String wrongStorePassword = "rediss://" + USER + ":right-one" + at + "?trustStore="
                    + tls.certificates().trustStore() + "&trustStorePassword=" + MARKER;
            for (String uri : List.of(untrusted, wrongPassword, wrongStorePassword)) {
                library(() -> Rpc.client(uri, quick));
                cli(uri);
            }
        }
        assertNoMarker();
    }

    @Test
    void kafkaSaslSslFailures() {
        try (KafkaBroker secured = KafkaBroker.startLocalSecured(USER)) {
            KafkaBroker.Security security = secured.security().orElseThrow();
            String base = "kafka://" + secured.bootstrapServers() + "?autoCreateTopics=false&operationTimeoutMs=5000"
                    + "&security.protocol=SASL_SSL&sasl.mechanism=SCRAM-SHA-512";
            String trusted = "&ssl.truststore.type=PKCS12&ssl.truststore.location="
                    + encode(security.truststore().toString())
                    + "&ssl.truststore.password=" + encode(security.truststorePassword());
            String wrongPassword = base + "&sasl.jaas.config=" + scramJaas() + trusted;
            ClientConfig quick = ClientConfig.builder().readyTimeout(Duration.ofSeconds(20)).build();
            // SCRAM with a wrong password, through the library (client and server) and the CLI
            library(() -> Rpc.client(wrongPassword, quick));
            library(() -> {
                RpcServer server = Rpc.server(wrongPassword, ServerConfig.builder().build());
                server.expose("leak", new Leak());
                server.start();
                return server;
            });
            cli(wrongPassword);
            // TLS failures: a CA the client does not trust, and a truststore whose password is the marker
            library(() -> Rpc.client(base + "&sasl.jaas.config=" + scramJaas(), quick));
            library(() -> Rpc.client(base + "&sasl.jaas.config=" + scramJaas() + "&ssl.truststore.type=PKCS12"
                    + "&ssl.truststore.location=" + encode(security.truststore().toString())
                    + "&ssl.truststore.password=" + MARKER, quick));
            cli(base + "&sasl.jaas.config=" + scramJaas());
            // the same through properties instead of the URI
            library(() -> Rpc.client("kafka://" + secured.bootstrapServers(), ClientConfig.builder()
                    .readyTimeout(Duration.ofSeconds(20))
                    .transportProperties(security.clientProperties(USER, MARKER))
                    .transportProperty("autoCreateTopics", "false").build()));
        }
        // the failures happened, with messages that say what went wrong
        assertThat(captured).anySatisfy(t -> assertThat(t).contains("refused the credentials of user '" + USER + "'"))
                .anySatisfy(t -> assertThat(t).contains("not signed by a CA the client trusts"))
                .noneSatisfy(t -> assertThat(t).startsWith("opened:"));
        assertNoMarker();
    }

    private static String scramJaas() {
        return encode("org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + USER
                + "\" password=\"" + MARKER + "\";");
    }

    private static String encode(String s) {
        return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** A service to serve. */
    public static final class Leak {
        public int one() {
            return 1;
        }
    }

    private static String jaasText() {
        return "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + USER
                + "\" password=\"" + MARKER + "\";";
    }

    private static String jaas() {
        return java.net.URLEncoder.encode(jaasText(), StandardCharsets.UTF_8);
    }

    /** Runs {@code open} with standard output and error captured; closes what it opened; keeps every message. */
    private void library(Supplier<? extends AutoCloseable> open) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream both = new ByteArrayOutputStream();
        PrintStream capture = new PrintStream(both, true, StandardCharsets.UTF_8);
        System.setOut(capture);
        System.setErr(capture);
        try (AutoCloseable opened = open.get()) {
            captured.add("opened: " + opened);
        } catch (Exception e) {
            for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
                captured.add(t.toString());
                for (Throwable s : t.getSuppressed()) {
                    captured.add(s.toString());
                }
            }
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
        captured.add(both.toString(StandardCharsets.UTF_8));
    }

    private void cli(String broker) {
        Cli.Result r = Cli.run("--broker", broker, "call", "--connect-timeout", "2s", "leak", "one");
        assertThat(r.exitCode()).as(r.err()).isNotZero();
        captured.add(r.out());
        captured.add(r.err());
        Cli.Result verbose = Cli.run("--verbose", "--broker", broker, "call", "--connect-timeout", "2s", "leak",
                "one");
        captured.add(verbose.out());
        captured.add(verbose.err());
    }

    private void assertNoMarker() {
        assertThat(captured).isNotEmpty();
        for (String text : captured) {
            assertThat(text).doesNotContain(MARKER);
        }
    }
}
