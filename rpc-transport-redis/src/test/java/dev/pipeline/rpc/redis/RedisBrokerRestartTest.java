package dev.pipeline.rpc.redis;

import dev.pipeline.rpc.spi.ClientChannel;
import dev.pipeline.rpc.spi.Transport;
import dev.pipeline.rpc.tck.broker.RedisBroker;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A broker restarted mid-run: clients and servers carry on without being restarted themselves. */
class RedisBrokerRestartTest extends RedisTestSupport {

    @ParameterizedTest(name = "append-only file: {0}")
    @ValueSource(booleans = {true, false})
    void callsResumeAfterTheBrokerRestarts(boolean appendOnly) throws Exception {
        try (RedisBroker broker = RedisBroker.startLocal(appendOnly)) {
            String service = uniqueService();
            Transport serverSide = transport(broker.uri(), FAST);
            server(serverSide, service, 16, echo(""));
            Map<String, String> replies = replies();
            ClientChannel client = client(transport(broker.uri(), FAST), replies);
            client.ready().get(10, TimeUnit.SECONDS);
            client.send(service, request("before", "b")).get(10, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(20)).until(() -> replies.containsKey("before"));

            broker.restart();

            // without the append-only file the group and streams are gone; the server creates its group again
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
                String id = "after-" + System.nanoTime();
                try {
                    client.send(service, request(id, "a")).get(5, TimeUnit.SECONDS);
                } catch (Exception e) {
                    return false;
                }
                return replies.keySet().stream().anyMatch(k -> k.startsWith("after-"));
            });
            assertThat(replies).containsKey("before");
            closeOpened(); // before the broker goes away
        }
    }

    @org.junit.jupiter.api.Test
    @SuppressWarnings("try") // the broker is closed inside its try block on purpose
    void sendsFailInBoundedTimeWhileTheBrokerIsDown() throws Exception {
        RedisTransportConfig quick = FAST.toBuilder().commandTimeout(Duration.ofMillis(500)).build();
        try (RedisBroker broker = RedisBroker.startLocal(false)) {
            ClientChannel client = client(transport(broker.uri(), quick), replies());
            client.ready().get(10, TimeUnit.SECONDS);
            client.send("svc", request("ok", "{}")).get(10, TimeUnit.SECONDS);
            broker.close();
            org.assertj.core.api.Assertions.assertThatThrownBy(
                            () -> client.send("svc", request("lost", "{}")).get(20, TimeUnit.SECONDS))
                    .isInstanceOf(java.util.concurrent.ExecutionException.class)
                    .hasMessageContaining("did not accept the message for rpc:svc within 500 ms");
            closeOpened();
        }
    }
}
