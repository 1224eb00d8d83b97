package dev.pipeline.rpc;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What a caller reads when a call fails, through the public API over {@code inproc:}: durations in human units, type
 * errors in JSON's words (never a Java class name such as {@code java.math.BigDecimal}).
 */
class ErrorMessagesTest {
    /** The exposed service. */
    public static final class Calc {
        public BigDecimal add(BigDecimal a, BigDecimal b) {
            return a.add(b);
        }

        public String label() {
            return "not a number";
        }

        public List<String> words() {
            return List.of("a", "b");
        }
    }

    /** A result type. */
    public record Point(int x, int y) {
    }

    private String uri;
    private RpcServer server;
    private RpcClient client;
    /** A client that sends calls to a service no server serves (and so waits for their timeout). */
    private RpcClient unchecked;

    @BeforeEach
    void setUp() {
        uri = "inproc:errors-" + UUID.randomUUID();
        server = Rpc.server(uri);
        server.expose("calc", new Calc()).start();
        client = Rpc.client(uri);
        unchecked = Rpc.client(uri, ClientConfig.builder().failWithoutServer(false).build());
    }

    @AfterEach
    void tearDown() {
        client.close();
        unchecked.close();
        server.close();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "PT30S      | 30 s",
            "PT1.5S     | 1.5 s",
            "PT0.05S    | 50 ms",
            "PT0.0125S  | 12.5 ms",
            "PT0.0008S  | 800 µs",
            "PT2M       | 2 min",
            "PT90S      | 90 s",
            "PT1H       | 1 h",
            "PT25H      | 25 h",
            "PT1M0.5S   | 60.5 s",
    })
    void durationsReadAsAPersonWritesThem(String iso, String human) {
        assertThat(Durations.human(Duration.parse(iso))).isEqualTo(human);
    }

    @Test
    void aCallNobodyServesTimesOutNamingTheMethodAndTheTimeoutInHumanUnits() {
        RpcClient quick = unchecked.withTimeout(Duration.ofMillis(300));
        assertThatThrownBy(() -> quick.call("nobody", "home", int.class))
                .isInstanceOf(RpcTimeoutException.class)
                .hasMessage("no reply from nobody.home within 300 ms");
        assertThatThrownBy(() -> unchecked.withTimeout(Duration.ofMillis(1500)).callNamedAsync("nobody", "add",
                int.class, Map.of("a", 1)).join())
                .hasCauseInstanceOf(RpcTimeoutException.class)
                .hasMessageEndingWith("no reply from nobody.add within 1.5 s");
        assertThat(quick.toString()).contains("timeout 300 ms").doesNotContain("PT");
    }

    @Test
    void aParamOfTheWrongJsonTypeIsNamedInJsonsWords() {
        assertThat(client.call("calc", "add", BigDecimal.class, 1.5, 2)).isEqualByComparingTo("3.5");
        assertThatThrownBy(() -> client.callNamed("calc", "add", BigDecimal.class, Map.of("a", "x", "b", 2)))
                .isInstanceOfSatisfying(RpcException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCodes.INVALID_PARAMS);
                    assertThat(e.getMessage())
                            .isEqualTo("Invalid params: param 'a' of method 'add': expected a number, got a string");
                });
        assertThatThrownBy(() -> client.call("calc", "add", BigDecimal.class, List.of(1), 2))
                .hasMessage("Invalid params: param 'a' of method 'add': expected a number, got an array");
        assertThatThrownBy(() -> client.call("calc", "add", BigDecimal.class, 1, true))
                .hasMessage("Invalid params: param 'b' of method 'add': expected a number, got a boolean");
    }

    @Test
    void aResultOfTheWrongJsonTypeIsNamedInJsonsWords() {
        assertThatThrownBy(() -> client.call("calc", "label", BigDecimal.class))
                .isInstanceOfSatisfying(RpcException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCodes.INTERNAL_ERROR);
                    assertThat(e.getMessage()).isEqualTo("the result of calc.label: expected a number, got a string"
                            + " (the call asked for BigDecimal)");
                });
        assertThatThrownBy(() -> client.call("calc", "words", new com.google.gson.reflect.TypeToken<
                List<Integer>>() { }.getType()))
                .hasMessage("the result of calc.words: at $[0]: expected an integer, got a string"
                        + " (the call asked for List<Integer>)");
        assertThatThrownBy(() -> client.call("calc", "words", Point.class))
                .hasMessage("the result of calc.words: expected an object, got an array"
                        + " (the call asked for ErrorMessagesTest.Point)");
    }
}
