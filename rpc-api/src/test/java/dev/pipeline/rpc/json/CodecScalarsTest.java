package dev.pipeline.rpc.json;

import com.google.gson.JsonElement;
import com.google.gson.JsonPrimitive;
import com.google.gson.reflect.TypeToken;
import dev.pipeline.rpc.Limits;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link Codec#fromJson}'s shortcut for ints, longs and booleans converts exactly as the Gson path does. */
class CodecScalarsTest {
    private static final Type[] TYPES = {int.class, Integer.class, long.class, Long.class, boolean.class,
        Boolean.class};
    private static final String[] INPUTS = {"0", "-0", "1", "-1", "42", "2147483647", "2147483648", "-2147483648",
        "-2147483649", "9223372036854775807", "-9223372036854775808", "9223372036854775808", "123456789012345678",
        "1234567890123456789", "1.5", "2.0", "2e3", "1e-2", "-", "true", "false", "null", "\"7\"", "\"x\"",
        "\"true\"", "\"\"", "[1]", "{}"};

    @Test
    void everyShortcutResultIsWhatGsonGives() {
        List<String> checked = new ArrayList<>();
        for (String input : INPUTS) {
            JsonElement json = input.equals("-") ? new JsonPrimitive("-") : parse(input);
            for (Type type : TYPES) {
                Object viaGson;
                try {
                    viaGson = Codec.GSON.fromJson(json, TypeToken.get(type));
                } catch (RuntimeException e) {
                    viaGson = e;
                }
                if (viaGson instanceof RuntimeException || viaGson == null && ((Class<?>) type).isPrimitive()) {
                    assertThatThrownBy(() -> Codec.fromJson(json, type)).as(input + " as " + type)
                            .isInstanceOf(IllegalArgumentException.class);
                } else {
                    assertThat((Object) Codec.fromJson(json, type)).as(input + " as " + type).isEqualTo(viaGson);
                }
                checked.add(input);
            }
        }
        assertThat(checked).hasSize(INPUTS.length * TYPES.length);
    }

    @Test
    void theShortcutsKeepTheStrictRules() {
        assertThat((int) Codec.fromJson(parse("2147483647"), int.class)).isEqualTo(Integer.MAX_VALUE);
        assertThat((long) Codec.fromJson(parse("-9223372036854775808"), long.class)).isEqualTo(Long.MIN_VALUE);
        assertThatThrownBy(() -> Codec.fromJson(parse("2147483648"), int.class))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("from -2147483648 to 2147483647");
        assertThatThrownBy(() -> Codec.fromJson(parse("1.5"), long.class))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat((boolean) Codec.fromJson(parse("true"), boolean.class)).isTrue();
        assertThatThrownBy(() -> Codec.fromJson(parse("1"), boolean.class))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static JsonElement parse(String s) {
        try {
            return JsonInput.parse(s.getBytes(StandardCharsets.UTF_8), Limits.DEFAULT);
        } catch (JsonInputException e) {
            throw new AssertionError(e);
        }
    }
}
