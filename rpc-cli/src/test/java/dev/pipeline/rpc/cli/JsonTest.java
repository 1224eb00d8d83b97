package dev.pipeline.rpc.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonPrimitive;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonTest {
    @Test
    void argumentsParseAsStrictJsonElseStrings() {
        assertThat(Json.arg("42")).isEqualTo(new JsonPrimitive(42));
        assertThat(Json.arg("-1.5e3").getAsDouble()).isEqualTo(-1500.0);
        assertThat(Json.arg("true")).isEqualTo(new JsonPrimitive(true));
        assertThat(Json.arg("null")).isEqualTo(JsonNull.INSTANCE);
        assertThat(Json.arg("\"quoted\"")).isEqualTo(new JsonPrimitive("quoted"));
        assertThat(Json.arg("[1,2]")).isInstanceOf(JsonArray.class);
        assertThat(Json.arg("{\"a\":1}").getAsJsonObject().get("a").getAsInt()).isEqualTo(1);
        // not strict JSON: taken as the string it is
        assertThat(Json.arg("hello")).isEqualTo(new JsonPrimitive("hello"));
        assertThat(Json.arg("hello world")).isEqualTo(new JsonPrimitive("hello world"));
        assertThat(Json.arg("{a:1}")).isEqualTo(new JsonPrimitive("{a:1}"));
        assertThat(Json.arg("[1,")).isEqualTo(new JsonPrimitive("[1,"));
        assertThat(Json.arg("1 2")).isEqualTo(new JsonPrimitive("1 2"));
        assertThat(Json.arg("NaN")).isEqualTo(new JsonPrimitive("NaN"));
        assertThat(Json.arg("")).isEqualTo(new JsonPrimitive(""));
    }

    @Test
    void durations() {
        assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(Durations.parse("10s")).isEqualTo(Duration.ofSeconds(10));
        assertThat(Durations.parse("10")).isEqualTo(Duration.ofSeconds(10));
        assertThat(Durations.parse("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(Durations.parse("PT1.5S")).isEqualTo(Duration.ofMillis(1500));
        assertThatThrownBy(() -> Durations.parse("0s")).hasMessageContaining("positive");
        assertThatThrownBy(() -> Durations.parse("soon")).hasMessageContaining("not a duration");
    }
}
