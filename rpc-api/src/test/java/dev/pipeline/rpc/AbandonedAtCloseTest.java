package dev.pipeline.rpc;

import dev.pipeline.rpc.spi.Capability;
import dev.pipeline.rpc.spi.HandlerOutcome;
import dev.pipeline.rpc.spi.IncomingRequest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A message still being handled when {@code close()} has spent its grace: on a transport that redelivers after a
 * crash it is neither answered nor acknowledged (another instance runs it; an error reply would complete the call
 * first); on one that does not, it is answered with an error.
 */
class AbandonedAtCloseTest {
    private static final byte[] CALL = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"block\",\"params\":[]}"
            .getBytes(StandardCharsets.UTF_8);

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void workLeftAfterTheGraceIsAbandonedOnlyWhereTheBrokerRedelivers(boolean redelivers) throws Exception {
        CapturingTransport transport = new CapturingTransport(
                redelivers ? Set.of(Capability.REDELIVERY_AFTER_CRASH) : Set.of());
        DefaultRpcServer server = new DefaultRpcServer(transport, ServerConfig.builder().shutdownGrace(Duration.ZERO)
                .build());
        CountDownLatch entered = new CountDownLatch(1);
        server.handle("svc", "block", p -> {
            entered.countDown();
            new CountDownLatch(1).await(); // until the close interrupts it
            return "never";
        });
        server.start();
        CompletableFuture<HandlerOutcome> blocked = transport.handler.handle(new IncomingRequest(CALL, "corr-1",
                "reply", 0, "client", null)).toCompletableFuture();
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
        server.close();
        if (redelivers) {
            Thread.sleep(500); // the interrupted handler's error, had it been let through, would be there by now
            assertThat(blocked).as("neither answered nor acknowledged").isNotDone();
        } else {
            HandlerOutcome outcome = blocked.get(10, TimeUnit.SECONDS);
            assertThat(new String(outcome.reply(), StandardCharsets.UTF_8)).contains("\"error\"");
        }
    }
}
