package dev.pipeline.rpc.cli;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code pipeline brokers} starts a real local Redis, prints its URI, and removes it when stopped. */
class BrokersCommandTest {
    @Test
    void startsPrintsAndStopsALocalRedis() throws Exception {
        URI uri;
        try (Cli.Background brokers = new Cli.Background("brokers", "--no-kafka")) {
            await().atMost(Duration.ofSeconds(60)).until(() -> brokers.out().contains("Ctrl-C") || !brokers.alive());
            Matcher m = Pattern.compile("Redis  (redis://\\S+)").matcher(brokers.out());
            assertThat(m.find()).as(brokers.out() + brokers.err()).isTrue();
            uri = URI.create(m.group(1));
            assertThat(brokers.out()).contains("export PIPELINE_BROKER=" + uri);

            // the printed URI works with the other commands
            try (Cli.Background serve = new Cli.Background("-b", uri.toString(), "serve")) {
                await().atMost(Duration.ofSeconds(60)).until(() -> serve.out().contains("serving") || !serve.alive());
                Cli.Result r = Cli.run("-b", uri.toString(), "call", "demo", "echo", "hi");
                assertThat(r.exitCode()).as(r.err()).isZero();
                assertThat(r.out().strip()).isEqualTo("\"hi\"");
            }

            assertThat(brokers.stop()).isZero();
            assertThat(brokers.out()).contains("stopped; their data is deleted");
        }
        assertThat(accepts(uri)).as("redis still answering at " + uri).isFalse();
    }

    @Test
    void nothingToStartIsAUsageError() {
        Cli.Result r = Cli.run("brokers", "--no-kafka", "--no-redis");
        assertThat(r.exitCode()).isEqualTo(PipelineCli.EXIT_USAGE);
        assertThat(r.errLines()).hasSize(1);
    }

    private static boolean accepts(URI uri) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
