package dev.pipeline.rpc.spi;

import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** Telling "nothing listens there" from "something does", on real loopback sockets. */
class ReachabilityTest {
    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void aListeningAddressIsReachable() throws Exception {
        try (ServerSocket listening = new ServerSocket(0)) {
            int port = listening.getLocalPort();
            assertThat(Reachability.check("Kafka", "127.0.0.1:" + port,
                    Reachability.parseHostPorts("127.0.0.1:" + port, 9092), Duration.ofSeconds(2))).isEmpty();
        }
    }

    @Test
    void oneListeningAddressAmongDeadOnesIsEnough() throws Exception {
        try (ServerSocket listening = new ServerSocket(0)) {
            String list = "127.0.0.1:" + freePort() + ", 127.0.0.1:" + listening.getLocalPort();
            assertThat(Reachability.check("Kafka", list, Reachability.parseHostPorts(list, 9092),
                    Duration.ofSeconds(2))).isEmpty();
        }
    }

    @Test
    void aPortWhereNothingListensIsReportedWithTheAddressAndTheReason() throws Exception {
        int port = freePort();
        long start = System.nanoTime();
        Optional<String> why = Reachability.check("Redis", "redis://127.0.0.1:" + port,
                List.of(InetSocketAddress.createUnresolved("127.0.0.1", port)), Duration.ofMillis(500));
        System.out.printf("refused for the whole window: reported after %d ms (window 500 ms)%n",
                (System.nanoTime() - start) / 1_000_000);
        assertThat(why).hasValue("cannot reach Redis at redis://127.0.0.1:" + port
                + ": connection refused (is the broker running, and is this its address?)");
    }

    @Test
    void anUnknownHostIsReported() {
        Optional<String> why = Reachability.check("Kafka", "no-such-host.invalid:9092",
                Reachability.parseHostPorts("no-such-host.invalid:9092", 9092), Duration.ofMillis(200));
        assertThat(why).get().asString().startsWith("cannot reach Kafka at no-such-host.invalid:9092: "
                + "unknown host 'no-such-host.invalid'");
    }

    @Test
    void aBrokerThatStartsWithinTheWindowIsFound() throws Exception {
        int port = freePort();
        Thread late = new Thread(() -> {
            try {
                Thread.sleep(300);
                try (ServerSocket s = new ServerSocket(port, 50, java.net.InetAddress.getLoopbackAddress())) {
                    s.setSoTimeout(5000);
                    s.accept().close();
                }
            } catch (Exception e) {
                // the assertion below reports it
            }
        });
        late.start();
        assertThat(Reachability.check("Kafka", "127.0.0.1:" + port,
                Reachability.parseHostPorts("127.0.0.1:" + port, 9092), Duration.ofSeconds(5))).isEmpty();
        late.join();
    }

    @Test
    void bootstrapListsAreRead() {
        assertThat(Reachability.parseHostPorts("a:1, PLAINTEXT://b:2,[::1]:3,c", 9092))
                .extracting(a -> a.getHostString() + "/" + a.getPort())
                .containsExactly("a/1", "b/2", "::1/3", "c/9092");
        assertThat(Reachability.parseHostPorts("a:notaport", 9092)).isEmpty();
        assertThat(Reachability.parseHostPorts("a:70000", 9092)).isEmpty();
        assertThat(Reachability.parseHostPorts("[::1", 9092)).isEmpty();
        assertThat(Reachability.parseHostPorts(null, 9092)).isEmpty();
        assertThat(Reachability.check("Kafka", "", List.of(), Duration.ofSeconds(1))).isEmpty();
    }
}
