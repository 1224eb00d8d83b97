package dev.pipeline.rpc.redis;

import dev.pipeline.rpc.spi.ClientChannel;
import dev.pipeline.rpc.spi.Transport;
import dev.pipeline.rpc.tck.broker.RedisBroker;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** ACL user and password, database index and TLS pass through the URI to Lettuce. */
class RedisSecurityTest extends RedisTestSupport {

    @Test
    void aclUserPasswordAndDatabaseIndexFromTheUri() throws Exception {
        try (RedisBroker broker = RedisBroker.startLocal(false)) {
            URI plain = broker.uri();
            redis(plain).aclSetuser("app", io.lettuce.core.AclSetuserArgs.Builder.on().addPassword("s3cret")
                    .keyPattern("rpc:*").addCommand(io.lettuce.core.protocol.CommandType.PING).allCommands());
            URI secured = URI.create("redis://app:s3cret@" + plain.getHost() + ":" + plain.getPort() + "/3");
            String service = uniqueService();
            server(transport(secured, FAST), service, 8, echo("db3:"));
            Map<String, String> replies = replies();
            ClientChannel client = client(transport(secured, FAST), replies);
            client.ready().get(10, TimeUnit.SECONDS);
            client.send(service, request("acl", "x")).get(10, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(20)).until(() -> replies.containsKey("acl"));
            assertThat(replies).containsEntry("acl", "db3:x");
            redis(plain).select(3);
            assertThat(redis(plain).exists("rpc:" + service)).isEqualTo(1);
            redis(plain).select(0);
            assertThat(redis(plain).exists("rpc:" + service)).isZero();

            URI wrong = URI.create("redis://app:nope@" + plain.getHost() + ":" + plain.getPort());
            Transport denied = transport(wrong, FAST);
            ClientChannel refused = client(denied, replies());
            assertThatThrownBy(() -> refused.ready().get(10, TimeUnit.SECONDS))
                    .hasMessageContaining("cannot connect to Redis at redis://127.0.0.1:" + plain.getPort())
                    .hasMessageNotContaining("nope");
            assertThatThrownBy(() -> server(denied, service, 1, echo("")))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("cannot start the server for service '" + service + "'");
            closeOpened();
        }
    }

    @Test
    void rediss() throws Exception {
        Path redisServer = onPath("redis-server");
        Path openssl = onPath("openssl");
        Assumptions.assumeTrue(redisServer != null && openssl != null,
                "needs redis-server (built with TLS) and openssl on the PATH");
        Path dir = Files.createTempDirectory("pipeline-redis-tls-");
        Process redis = null;
        try {
            run(dir, openssl.toString(), "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "key.pem",
                    "-out", "cert.pem", "-days", "1", "-subj", "/CN=127.0.0.1");
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            redis = new ProcessBuilder(redisServer.toString(), "--port", "0", "--tls-port", Integer.toString(port),
                    "--bind", "127.0.0.1", "--tls-cert-file", "cert.pem", "--tls-key-file", "key.pem",
                    "--tls-ca-cert-file", "cert.pem", "--tls-auth-clients", "no", "--save", "", "--dir",
                    dir.toString()).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("redis.log").toFile()).start();
            Assumptions.assumeFalse(waitForExit(redis), () -> "redis-server has no TLS support: " + log(dir));
            URI uri = URI.create("rediss://127.0.0.1:" + port + "?verifyPeer=false");
            Transport serverSide = transport(uri, FAST);
            assertThat(serverSide.scheme()).isEqualTo("rediss");
            String service = uniqueService();
            await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
                    .until(() -> server(serverSide, service, 8, echo("tls:")) != null);
            Map<String, String> replies = replies();
            ClientChannel client = client(transport(uri, FAST), replies);
            client.ready().get(10, TimeUnit.SECONDS);
            client.send(service, request("t", "x")).get(10, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(20)).until(() -> replies.containsKey("t"));
            assertThat(replies).containsEntry("t", "tls:x");
            closeOpened();
        } finally {
            if (redis != null) {
                redis.destroy();
                redis.waitFor(10, TimeUnit.SECONDS);
            }
            try (Stream<Path> walk = Files.walk(dir)) {
                walk.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
            }
        }
    }

    /** @return whether the process exited within a second (a redis-server without TLS refuses the options). */
    private static boolean waitForExit(Process p) throws InterruptedException {
        return p.waitFor(1, TimeUnit.SECONDS);
    }

    private static String log(Path dir) {
        try {
            return String.join(" ", Files.readAllLines(dir.resolve("redis.log")));
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static void run(Path dir, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(List.of(cmd)).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("openssl.log").toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("openssl failed: " + Files.readString(dir.resolve("openssl.log")));
        }
    }

    private static Path onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String d : path.split(File.pathSeparator)) {
            Path p = Path.of(d, name);
            if (!d.isEmpty() && Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }
}
