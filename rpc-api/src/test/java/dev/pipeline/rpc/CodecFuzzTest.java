package dev.pipeline.rpc;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.pipeline.rpc.json.JsonInput;
import dev.pipeline.rpc.json.JsonInputException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Coverage-guided fuzzing of the codec and dispatcher with Jazzer. Without {@code JAZZER_FUZZ} it runs as a
 * regression test on its seed inputs (src/test/resources/dev/pipeline/rpc/CodecFuzzTestInputs); with
 * {@code JAZZER_FUZZ=1} it fuzzes for {@code maxDuration}. For every input: no exception escapes, a reply is strict
 * JSON, an unparseable or over-limit message gets one error with id null, and no handler runs for it.
 */
class CodecFuzzTest {
    private static final Limits LIMITS = new Limits(4096, 12, 20);
    private static final Limits READ_BACK = new Limits(1 << 24, 1000, 100_000);
    private static final AtomicLong RUNS = new AtomicLong();
    private static DefaultRpcServer server;

    public static class Target {
        public int add(int a, int b) {
            RUNS.incrementAndGet();
            return a + b;
        }

        public Object echo(Object value) {
            RUNS.incrementAndGet();
            return value;
        }
    }

    @BeforeAll
    static void start() {
        server = DefaultRpcServer.dispatchOnly(ServerConfig.builder().limits(LIMITS).directExecutor().build());
        server.expose("fz", new Target());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @FuzzTest(maxDuration = "30s")
    void dispatch(byte[] message) throws Exception {
        long runs = RUNS.get();
        Optional<byte[]> reply = server.dispatch("fz", message).get(30, TimeUnit.SECONDS);
        JsonElement answer = null;
        if (reply.isPresent()) {
            answer = JsonInput.parse(reply.get(), READ_BACK); // strict UTF-8 and strict JSON, or it throws
        }
        boolean refused;
        try {
            JsonInput.parse(message, LIMITS);
            refused = false;
        } catch (JsonInputException e) {
            refused = true;
        }
        if (refused) {
            assertThat(answer).isInstanceOf(JsonObject.class);
            JsonObject o = answer.getAsJsonObject();
            assertThat(o.get("id").isJsonNull()).isTrue();
            assertThat(o.getAsJsonObject("error").get("code").getAsInt())
                    .isIn(ErrorCodes.PARSE_ERROR, ErrorCodes.INVALID_REQUEST);
            assertThat(RUNS.get()).as("handler runs for a refused message").isEqualTo(runs);
        }
    }
}
