package dev.pipeline.rpc.redis;

import dev.pipeline.rpc.ClientConfig;
import dev.pipeline.rpc.Rpc;
import dev.pipeline.rpc.RpcClient;
import dev.pipeline.rpc.RpcServer;
import dev.pipeline.rpc.spi.ClientChannel;
import dev.pipeline.rpc.spi.Transport;
import dev.pipeline.rpc.tck.broker.RedisBroker;
import dev.pipeline.rpc.tck.broker.TestCertificates;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * {@code rediss://} with full peer verification against a CA the fixture generated, and the shipped least-privilege
 * ACL users ({@code acl/server.acl}, {@code acl/client.acl}) on a TLS {@code redis-server}: calls work through the
 * SPI and through {@code Rpc.client}/{@code Rpc.server}; an untrusted CA, a certificate for another name and a
 * wrong password each fail at once with a one-line error that names the cause (and the user), never the password.
 */
class RedisTlsTest extends RedisTestSupport {
    private static final String SERVER_PW = "tls-server-pw";
    private static final String CLIENT_PW = "tls-client-pw";
    private static final String MARKER = "Wq7TlsMarkerPw";
    /** Bounds every wait for a failure: a hang fails the test instead of stalling it. */
    private static final long FAIL_WITHIN_S = 20;

    private static RedisBroker broker;
    private static RedisBroker.Tls tls;

    @BeforeAll
    static void startTlsRedis() throws IOException {
        broker = RedisBroker.startLocalTls(false);
        tls = broker.tls();
        try (var admin = new Admin(broker.uri())) {
            RedisAclTest.setUser(admin.sync, "rpc-server", SERVER_PW, RedisAclTest.resource(RedisAclTest.SERVER_ACL));
            RedisAclTest.setUser(admin.sync, "rpc-client", CLIENT_PW, RedisAclTest.resource(RedisAclTest.CLIENT_ACL));
        }
    }

    @AfterAll
    static void stopTlsRedis() {
        if (broker != null) {
            broker.close();
        }
    }

    private static String tlsHostPort(String host) {
        return host + ":" + tls.uri().getPort();
    }

    @Test
    void callsOverVerifiedTlsWithTheAclUsers() throws Exception {
        TestCertificates ca = tls.certificates();
        // the server: the CA as a PEM file in the URI; the client: a PKCS#12 trust store in code, host "localhost"
        URI serverUri = URI.create("rediss://rpc-server:" + SERVER_PW + "@" + tlsHostPort("127.0.0.1")
                + "?verifyPeer=FULL&trustStore=" + ca.caCertificate());
        URI clientUri = URI.create("rediss://rpc-client:" + CLIENT_PW + "@" + tlsHostPort("localhost"));
        RedisTransportConfig clientConfig = FAST.toBuilder().trustStore(ca.trustStore())
                .trustStorePassword(ca.trustStorePassword()).build();
        try (var admin = new Admin(broker.uri())) {
            admin.sync.aclLogReset();
            String service = uniqueService();
            server(transport(serverUri, FAST), service, 16, echo("tls:"));
            Map<String, String> replies = replies();
            ClientChannel client = client(transport(clientUri, clientConfig), replies);
            client.ready().get(FAIL_WITHIN_S, TimeUnit.SECONDS);
            List<CompletableFuture<Void>> sent = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                sent.add(client.send(service, request("t" + i, "x" + i)));
            }
            CompletableFuture.allOf(sent.toArray(new CompletableFuture<?>[0])).get(FAIL_WITHIN_S, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(FAIL_WITHIN_S)).until(() -> replies.size() == 50);
            assertThat(replies).containsEntry("t0", "tls:x0").containsEntry("t49", "tls:x49");
            assertThat(admin.sync.aclLog()).as("commands refused by the ACLs").isEmpty();
            List<String> transportConnections = admin.sync.clientList().lines()
                    .filter(l -> l.contains(" user=rpc-server ") || l.contains(" user=rpc-client ")).toList();
            assertThat(transportConnections).as("the transport's connections, all on the TLS port").isNotEmpty()
                    .allSatisfy(l -> assertThat(l).contains(" laddr=127.0.0.1:" + tls.uri().getPort() + " "));
        }
    }

    @Test
    void thePublicApiOverVerifiedTls() {
        TestCertificates ca = tls.certificates();
        String server = "rediss://rpc-server:" + SERVER_PW + "@" + tlsHostPort("127.0.0.1") + "?trustStore="
                + ca.caCertificate();
        String client = "rediss://rpc-client:" + CLIENT_PW + "@" + tlsHostPort("127.0.0.1");
        String inUri = client + "?trustStore=" + ca.trustStore() + "&trustStorePassword=" + ca.trustStorePassword();
        ClientConfig asProperties = ClientConfig.builder()
                .transportProperty("trustStore", ca.trustStore().toString())
                .transportProperty("trustStorePassword", ca.trustStorePassword())
                .build();
        assertThat(asProperties.toString()).doesNotContain(ca.trustStorePassword());
        String service = uniqueService();
        try (RpcServer s = Rpc.server(server)) {
            s.handle(service, "hello", params -> "hello " + params.<String>get(0, String.class));
            s.start();
            try (RpcClient c = Rpc.client(client, asProperties); RpcClient d = Rpc.client(inUri)) {
                assertThat(c.call(service, "hello", String.class, "tls")).isEqualTo("hello tls");
                assertThat(d.call(service, "hello", String.class, "uri")).isEqualTo("hello uri");
            }
        }
    }

    @Test
    void aServerCertificateFromAnUntrustedCaFailsAtOnce(@TempDir Path other) throws Exception {
        TestCertificates otherCa = TestCertificates.generate(other, "ip:127.0.0.1");
        URI uri = URI.create("rediss://rpc-client:" + CLIENT_PW + "@" + tlsHostPort("127.0.0.1"));
        // the JVM's default trust store, then another CA
        for (RedisTransportConfig config : List.of(FAST,
                FAST.toBuilder().trustStore(otherCa.caCertificate()).build())) {
            Transport t = transport(uri, config);
            ClientChannel client = client(t, replies());
            long start = System.nanoTime();
            assertThatThrownBy(() -> client.ready().get(FAIL_WITHIN_S, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasMessageContaining("cannot connect to Redis at rediss://127.0.0.1:" + tls.uri().getPort()
                            + " as user 'rpc-client': TLS handshake failed")
                    .hasMessageContaining("not signed by a trusted CA: set trustStore")
                    .hasMessageNotContaining(CLIENT_PW);
            System.out.printf("untrusted CA (%s): ready() failed after %d ms%n",
                    config.trustStore() == null ? "JVM trust store" : "another CA",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
            assertThatThrownBy(() -> server(t, uniqueService(), 1, echo("")))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("TLS handshake failed");
        }
    }

    @Test
    void aCertificateForAnotherNameFailsUnlessOnlyTheCaIsChecked() throws Exception {
        try (RedisBroker elsewhere = RedisBroker.startLocalTls(false, "dns:elsewhere.test")) {
            RedisBroker.Tls other = elsewhere.tls();
            String hostPort = "127.0.0.1:" + other.uri().getPort();
            RedisTransportConfig trusting = FAST.toBuilder().trustStore(other.certificates().caCertificate()).build();

            ClientChannel full = client(transport(URI.create("rediss://" + hostPort), trusting), replies());
            assertThatThrownBy(() -> full.ready().get(FAIL_WITHIN_S, TimeUnit.SECONDS))
                    .hasMessageContaining("cannot connect to Redis at rediss://" + hostPort + ": TLS handshake failed")
                    .hasMessageContaining("127.0.0.1");

            // the same CA, the name check off: connects, so it was the name that failed above
            Map<String, String> replies = replies();
            ClientChannel caOnly = client(transport(URI.create("rediss://" + hostPort + "?verifyPeer=CA"), trusting),
                    replies);
            caOnly.ready().get(FAIL_WITHIN_S, TimeUnit.SECONDS);
            closeOpened();
        }
    }

    @Test
    void aWrongPasswordOverTlsNamesTheUserNotThePassword() {
        URI uri = URI.create("rediss://rpc-client:" + MARKER + "@" + tlsHostPort("127.0.0.1"));
        Transport t = transport(uri, FAST.toBuilder().trustStore(tls.certificates().caCertificate()).build());
        ClientChannel client = client(t, replies());
        Throwable failure = org.assertj.core.api.Assertions.catchThrowable(
                () -> client.ready().get(FAIL_WITHIN_S, TimeUnit.SECONDS));
        assertThat(failure).isInstanceOf(ExecutionException.class)
                .hasMessageContaining("cannot connect to Redis at rediss://127.0.0.1:" + tls.uri().getPort()
                        + " as user 'rpc-client': WRONGPASS");
        for (Throwable c = failure; c != null; c = c.getCause()) {
            assertThat(c.toString()).doesNotContain(MARKER);
        }
        assertThatThrownBy(() -> server(t, uniqueService(), 1, echo("")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("as user 'rpc-client': WRONGPASS")
                .hasMessageNotContaining(MARKER);
        assertThat(t.toString()).doesNotContain(MARKER);
    }

    @Test
    void operationsGuideShowsTheServerOptionsAsTested() throws IOException {
        String guide = Files.readString(Path.of("..", "docs", "operations.md"));
        assertThat(tls.serverOptions()).isNotEmpty().allSatisfy(line -> {
            String option = line.substring(0, line.indexOf(' '));
            String value = line.substring(line.indexOf(' ') + 1);
            // the same option, the value (a path of the fixture's temporary directory) by its file name
            String shown = option + " " + (value.contains("/") ? "/etc/redis/tls/" + Path.of(value).getFileName()
                    : option.equals("tls-port") ? "6380" : value);
            assertThat(guide).contains("\n" + shown + "\n");
        });
    }

    @Test
    void trustStoreOptionsAreValidated(@TempDir Path dir) throws IOException {
        TestCertificates ca = tls.certificates();
        assertThatThrownBy(() -> RedisTransportConfig.builder().trustStore(dir.resolve("absent.pem")).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("trustStore " + dir.resolve("absent.pem") + " is not a readable file");
        assertThatThrownBy(() -> RedisTransportConfig.builder().trustStorePassword(MARKER).build())
                .hasMessage("trustStorePassword is set but trustStore is not");
        assertThatThrownBy(() -> RedisTransportConfig.builder().trustStore(ca.trustStore()).build())
                .hasMessageContaining("holds no trusted certificate (a PKCS#12 trust store needs trustStorePassword)");
        assertThatThrownBy(() -> RedisTransportConfig.builder().trustStore(ca.trustStore())
                .trustStorePassword(MARKER).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot read trustStore " + ca.trustStore())
                .hasMessageNotContaining(MARKER);
        Path garbage = Files.writeString(dir.resolve("garbage.pem"), "-----BEGIN CERTIFICATE-----\nnope\n");
        assertThatThrownBy(() -> RedisTransportConfig.builder().trustStore(garbage).build())
                .hasMessageContaining("cannot read trustStore " + garbage);

        RedisTransportConfig ok = RedisTransportConfig.builder().trustStore(ca.trustStore())
                .trustStorePassword(ca.trustStorePassword()).build();
        assertThat(ok.toString()).contains("trustStore=" + ca.trustStore(), "trustStorePassword=***")
                .doesNotContain(ca.trustStorePassword());
        assertThat(ok.hasTrustStorePassword()).isTrue();

        // only for TLS; and an option with a bad password in the URI does not show it
        assertThatThrownBy(() -> new RedisTransportProvider().open(URI.create("redis://127.0.0.1:1?trustStore="
                + ca.caCertificate()), Map.of()))
                .hasMessageContaining("trustStore applies to TLS only: use rediss://");
        assertThatThrownBy(() -> new RedisTransportProvider().open(URI.create("rediss://127.0.0.1:1?trustStore="
                + ca.trustStore() + "&trustStorePassword=" + MARKER), Map.of()))
                .hasMessageContaining("cannot read trustStore")
                .hasMessageNotContaining(MARKER);
    }

    @Test
    void mutualTlsWorksWithAClientCertificateAndFailsAtOnceWithout(@TempDir Path other) throws Exception {
        try (RedisBroker mutual = RedisBroker.startLocalMutualTls(false)) {
            RedisBroker.Tls mtls = mutual.tls();
            assertThat(mtls.serverOptions()).contains("tls-auth-clients yes");
            TestCertificates ca = mtls.certificates();
            Path clientKeys = ca.generateClient("pipeline-client");
            try (var admin = new Admin(mutual.uri())) {
                RedisAclTest.setUser(admin.sync, "rpc-server", SERVER_PW, RedisAclTest.resource(RedisAclTest.SERVER_ACL));
                RedisAclTest.setUser(admin.sync, "rpc-client", CLIENT_PW, RedisAclTest.resource(RedisAclTest.CLIENT_ACL));
            }
            String at = "@127.0.0.1:" + mtls.uri().getPort();
            Map<String, String> tlsProperties = Map.of("trustStore", ca.caCertificate().toString(),
                    "keyStore", clientKeys.toString(), "keyStorePassword", ca.keyStorePassword());
            ClientConfig withCertificate = ClientConfig.builder().transportProperties(tlsProperties).build();
            assertThat(withCertificate.toString()).doesNotContain(ca.keyStorePassword());
            String service = uniqueService();
            try (RpcServer s = Rpc.server("rediss://rpc-server:" + SERVER_PW + at,
                    dev.pipeline.rpc.ServerConfig.builder().transportProperties(tlsProperties).build())) {
                s.handle(service, "hello", params -> "hello " + params.<String>get(0, String.class));
                s.start();
                try (RpcClient c = Rpc.client("rediss://rpc-client:" + CLIENT_PW + at, withCertificate)) {
                    assertThat(c.call(service, "hello", String.class, "mtls")).isEqualTo("hello mtls");
                }
            }
            // the same client without a certificate, and with one from another CA: the server ends the handshake
            Path otherDir = Files.createDirectories(other.resolve("other-ca"));
            TestCertificates otherCa = TestCertificates.generate(otherDir, "ip:127.0.0.1");
            Path foreignKeys = otherCa.generateClient("stranger");
            Map<String, RedisTransportConfig> configs = new java.util.LinkedHashMap<>();
            configs.put("no client certificate", FAST.toBuilder().trustStore(ca.caCertificate()).build());
            configs.put("a client certificate from another CA", FAST.toBuilder().trustStore(ca.caCertificate())
                    .keyStore(foreignKeys).keyStorePassword(otherCa.keyStorePassword()).build());
            for (Map.Entry<String, RedisTransportConfig> c : configs.entrySet()) {
                Transport t = transport(URI.create("rediss://rpc-client:" + CLIENT_PW + at), c.getValue());
                ClientChannel client = client(t, replies());
                long start = System.nanoTime();
                assertThatThrownBy(() -> client.ready().get(FAIL_WITHIN_S, TimeUnit.SECONDS)).as(c.getKey())
                        .isInstanceOf(ExecutionException.class)
                        .hasMessageContaining("cannot connect to Redis at rediss://127.0.0.1:" + mtls.uri().getPort()
                                + " as user 'rpc-client': TLS handshake failed: ")
                        .hasMessageContaining("(the server asks for a client certificate signed by a CA it trusts:"
                                + " set keyStore and keyStorePassword)")
                        .hasMessageNotContaining(CLIENT_PW);
                System.out.printf("%s: ready() failed after %d ms: %s%n", c.getKey(),
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start),
                        org.assertj.core.api.Assertions.catchThrowable(() -> client.ready().get()).getMessage());
            }
            closeOpened();
        }
    }

    @Test
    void keyStoreOptionsAreValidatedAndMasked(@TempDir Path dir) throws IOException {
        TestCertificates ca = tls.certificates();
        Path clientKeys = ca.generateClient("options-client");
        assertThatThrownBy(() -> RedisTransportConfig.builder().keyStorePassword(MARKER).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("keyStorePassword is set but keyStore is not");
        assertThatThrownBy(() -> RedisTransportConfig.builder().keyStore(clientKeys).build())
                .hasMessage("keyStore " + clientKeys + " needs keyStorePassword");
        assertThatThrownBy(() -> RedisTransportConfig.builder().keyStore(dir.resolve("absent.p12"))
                .keyStorePassword(MARKER).build())
                .hasMessage("keyStore " + dir.resolve("absent.p12") + " is not a readable file");
        assertThatThrownBy(() -> RedisTransportConfig.builder().keyStore(clientKeys).keyStorePassword(MARKER).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot read keyStore " + clientKeys)
                .hasMessageNotContaining(MARKER);
        // a trust store holds certificates only: no key to present
        assertThatThrownBy(() -> RedisTransportConfig.builder().keyStore(ca.trustStore())
                .keyStorePassword(ca.trustStorePassword()).build())
                .hasMessage("keyStore " + ca.trustStore() + " holds no private key with a certificate");
        RedisTransportConfig ok = RedisTransportConfig.builder().keyStore(clientKeys)
                .keyStorePassword(ca.keyStorePassword()).build();
        assertThat(ok.keyStore()).isEqualTo(clientKeys);
        assertThat(ok.toString()).contains("keyStore=" + clientKeys).contains("keyStorePassword=***")
                .doesNotContain(ca.keyStorePassword());
        assertThatThrownBy(() -> new RedisTransportProvider().open(URI.create("redis://127.0.0.1:1?keyStore="
                + clientKeys + "&keyStorePassword=" + ca.keyStorePassword()), Map.of()))
                .hasMessageContaining("keyStore applies to TLS only: use rediss://")
                .hasMessageNotContaining(ca.keyStorePassword());
        assertThatThrownBy(() -> new RedisTransportProvider().open(URI.create("rediss://127.0.0.1:1?keyStore="
                + clientKeys + "&keyStorePassword=" + MARKER), Map.of()))
                .hasMessageContaining("cannot read keyStore")
                .hasMessageNotContaining(MARKER);
    }

    /** A plain-port admin connection to the fixture (set-up and inspection only). */
    private static final class Admin implements AutoCloseable {
        private final io.lettuce.core.RedisClient client;
        private final io.lettuce.core.api.StatefulRedisConnection<String, String> connection;
        final RedisCommands<String, String> sync;

        Admin(URI plain) {
            client = io.lettuce.core.RedisClient.create(plain.toString());
            connection = client.connect();
            sync = connection.sync();
        }

        @Override
        public void close() {
            connection.close();
            client.shutdown();
        }
    }
}
