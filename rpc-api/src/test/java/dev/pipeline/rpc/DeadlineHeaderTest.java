package dev.pipeline.rpc;

import com.google.gson.JsonObject;
import dev.pipeline.rpc.spi.HandlerOutcome;
import dev.pipeline.rpc.spi.IncomingRequest;
import dev.pipeline.rpc.spi.RequestHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.pipeline.rpc.ServerTestSupport.tree;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A request whose {@code rpc-deadline} is present but invalid (not digits, 0, negative, more than a day ahead) is
 * refused with -32600 "invalid rpc-deadline" and dead-lettered; the handler never runs.
 */
class DeadlineHeaderTest {
    private static final byte[] CALL = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"m\"}".getBytes(StandardCharsets.UTF_8);

    private final AtomicInteger ran = new AtomicInteger();
    private RequestHandler handler;
    private DefaultRpcServer server;

    @BeforeEach
    void setUp() {
        CapturingTransport transport = new CapturingTransport(Set.of());
        server = new DefaultRpcServer(transport, ServerConfig.defaults());
        server.handle("svc", "m", p -> ran.incrementAndGet());
        server.start();
        handler = transport.handler;
    }

    @AfterEach
    void tearDown() {
        server.close();
    }

    private HandlerOutcome send(long deadline) throws Exception {
        return handler.handle(new IncomingRequest(CALL, "id-1", "reply", deadline, "client", null))
                .toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "abc", "-5", "+5", " 5", "5 ", "1.5", "1e12", "0", "00", "0x10", "9999999999999999999",
            "１２３"})
    void malformedHeadersParseAsInvalid(String header) {
        assertThat(IncomingRequest.parseDeadline(header.getBytes(StandardCharsets.UTF_8)))
                .isEqualTo(IncomingRequest.INVALID_DEADLINE);
    }

    @Test
    void wellFormedHeadersParse() {
        assertThat(IncomingRequest.parseDeadline((byte[]) null)).isZero();
        assertThat(IncomingRequest.parseDeadline("1765000000000")).isEqualTo(1765000000000L);
        assertThat(IncomingRequest.parseDeadline("007")).isEqualTo(7);
    }

    @Test
    void invalidOrFarDeadlinesAreRefusedAndDeadLettered() throws Exception {
        long now = System.currentTimeMillis();
        for (long deadline : new long[] {IncomingRequest.INVALID_DEADLINE, -42, Long.MIN_VALUE,
                now + IncomingRequest.MAX_DEADLINE_AHEAD_MILLIS + 60_000, Long.MAX_VALUE}) {
            HandlerOutcome outcome = send(deadline);
            assertThat(outcome.deadLetterReason()).as("deadline %d", deadline).isEqualTo("invalid rpc-deadline");
            JsonObject reply = tree(new String(outcome.reply(), StandardCharsets.UTF_8)).getAsJsonObject();
            assertThat(reply.getAsJsonObject("error").get("code").getAsInt()).isEqualTo(-32600);
            assertThat(reply.getAsJsonObject("error").get("message").getAsString())
                    .isEqualTo("Invalid Request: invalid rpc-deadline");
            assertThat(reply.get("id").isJsonNull()).isTrue();
        }
        assertThat(ran.get()).as("the handler never ran").isZero();
    }

    @Test
    void noDeadlineAndNearDeadlinesAreServed() throws Exception {
        assertThat(send(0).reply()).isNotNull();
        assertThat(send(System.currentTimeMillis() + 60_000).deadLetterReason()).isNull();
        assertThat(send(System.currentTimeMillis() + IncomingRequest.MAX_DEADLINE_AHEAD_MILLIS - 60_000)
                .deadLetterReason()).isNull();
        assertThat(ran.get()).isEqualTo(3);
    }
}
