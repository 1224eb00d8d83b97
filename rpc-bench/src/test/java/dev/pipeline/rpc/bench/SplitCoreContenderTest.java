package dev.pipeline.rpc.bench;

import dev.pipeline.rpc.json.JsonOutput;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SplitCoreContenderTest {
    @Test
    void theBareServerAnswersTheEchoThatPipelinesClientWrites() {
        for (String payload : new String[] {"x".repeat(10_240), "quote \" and ],\"id\": inside", ""}) {
            JsonArray params = new JsonArray();
            params.add(payload);
            byte[] request = JsonOutput.request(new JsonPrimitive(42), "echo", params);

            JsonObject response = JsonParser.parseString(new String(SplitCoreContender.echoResponse(request),
                    StandardCharsets.UTF_8)).getAsJsonObject();

            assertThat(response.get("jsonrpc").getAsString()).isEqualTo("2.0");
            assertThat(response.get("result").getAsString()).isEqualTo(payload);
            assertThat(response.get("id").getAsLong()).isEqualTo(42);
            assertThat(response.keySet()).containsExactlyInAnyOrder("jsonrpc", "result", "id");
        }
    }

    @Test
    void anythingElseIsRefused() {
        byte[] notEcho = "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"id\":1}".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> SplitCoreContender.echoResponse(notEcho))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not an echo request");
    }
}
