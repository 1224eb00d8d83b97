package dev.pipeline.rpc.tck.broker;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RedisBrokerTest {

    @Test
    void sharedBrokerAnswersAndIsNotTheMachineWideOne() throws IOException {
        RedisBroker broker = RedisBroker.shared();
        assertThat(RedisBroker.shared()).isSameAs(broker);
        URI uri = broker.uri();
        assertThat(uri.getScheme()).isEqualTo("redis");
        if (System.getProperty(RedisBroker.URI_PROPERTY) == null && System.getenv(RedisBroker.URI_ENV) == null) {
            assertThat(uri.getPort()).isNotEqualTo(6379);
        }
        assertThat(command(uri, "PING")).isEqualTo("+PONG");
        broker.close(); // no-op for the shared broker
        assertThat(command(uri, "PING")).isEqualTo("+PONG");
    }

    @Test
    void restartKeepsDataWithAppendOnlyFile() throws IOException {
        try (RedisBroker broker = RedisBroker.startLocal(true)) {
            assertThat(broker.restartable()).isTrue();
            assertThat(command(broker.uri(), "SET k v1")).isEqualTo("+OK");
            broker.restart();
            assertThat(command(broker.uri(), "GET k")).isEqualTo("$2\r\nv1");
        }
    }

    @Test
    void killLeavesTheAppendOnlyFileAndRestartBringsItBack() throws IOException {
        try (RedisBroker broker = RedisBroker.startLocalAppendOnly("always")) {
            assertThat(command(broker.uri(), "SET k v1")).isEqualTo("+OK");
            broker.kill();
            assertThat(broker.localProcess()).isEmpty();
            assertThat(RedisBroker.ping(broker.uri().getPort())).isFalse();
            broker.restart();
            assertThat(command(broker.uri(), "GET k")).isEqualTo("$2\r\nv1");
        }
    }

    @Test
    void tlsBrokerAnswersOverTlsVerifiedAgainstItsOwnCa() throws Exception {
        try (RedisBroker broker = RedisBroker.startLocalTls(false)) {
            RedisBroker.Tls tls = broker.tls();
            assertThat(tls.uri().getScheme()).isEqualTo("rediss");
            assertThat(tls.serverOptions()).contains("tls-auth-clients no", "tls-port " + tls.uri().getPort());
            java.security.KeyStore trust = java.security.KeyStore.getInstance(tls.certificates().trustStore().toFile(),
                    tls.certificates().trustStorePassword().toCharArray());
            javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(
                    javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            try (javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) ctx.getSocketFactory()
                    .createSocket("127.0.0.1", tls.uri().getPort())) {
                javax.net.ssl.SSLParameters params = s.getSSLParameters();
                params.setEndpointIdentificationAlgorithm("HTTPS"); // the certificate must name 127.0.0.1
                s.setSSLParameters(params);
                s.setSoTimeout(5000);
                s.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
                byte[] buf = new byte[7];
                assertThat(new String(buf, 0, s.getInputStream().read(buf), StandardCharsets.US_ASCII))
                        .startsWith("+PONG");
            }
            assertThat(command(broker.uri(), "PING")).isEqualTo("+PONG"); // the plain port, for set-up
        }
    }

    @Test
    void embeddedBinaryFromMavenCentralRuns() throws IOException {
        URI uri;
        try (RedisBroker broker = RedisBroker.startLocal(false, true)) {
            uri = broker.uri();
            assertThat(broker.description()).contains("embedded");
            assertThat(command(uri, "INFO server")).contains("redis_version:6.2");
        }
        assertThat(RedisBroker.ping(uri.getPort())).isFalse();
    }

    @Test
    void theLocalProcessIsRedisServerItselfNotTheShellThatGuardsIt() throws IOException {
        RedisBroker broker = RedisBroker.startLocal(false);
        try {
            ProcessHandle server = broker.localProcess().orElseThrow();
            assertThat(server.isAlive()).isTrue();
            assertThat(server.info().command()).hasValueSatisfying(c -> assertThat(c).contains("redis"));
            assertThat(command(broker.uri(), "PING")).isEqualTo("+PONG");
        } finally {
            broker.close();
        }
        assertThat(broker.localProcess()).isEmpty();
    }

    @Test
    void givenAddressIsNotRestartable() {
        RedisBroker broker = RedisBroker.shared();
        if (!broker.restartable()) {
            assertThatThrownBy(broker::restart).isInstanceOf(UnsupportedOperationException.class);
        }
    }

    /** Sends one inline command and returns the reply without its trailing CRLF (enough for these checks). */
    private static String command(URI uri, String inline) throws IOException {
        try (Socket s = new Socket(uri.getHost(), uri.getPort())) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write((inline + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            byte[] chunk = new byte[8192];
            do {
                int n = in.read(chunk);
                if (n < 0) {
                    break;
                }
                buf.write(chunk, 0, n);
            } while (!complete(buf.toString(StandardCharsets.UTF_8)));
            String reply = buf.toString(StandardCharsets.UTF_8);
            return reply.endsWith("\r\n") ? reply.substring(0, reply.length() - 2) : reply;
        }
    }

    private static boolean complete(String reply) {
        if (reply.startsWith("$")) {
            int header = reply.indexOf("\r\n");
            if (header < 0) {
                return false;
            }
            int len = Integer.parseInt(reply.substring(1, header));
            return len < 0 || reply.getBytes(StandardCharsets.UTF_8).length >= header + 2 + len + 2;
        }
        return reply.endsWith("\r\n");
    }
}
