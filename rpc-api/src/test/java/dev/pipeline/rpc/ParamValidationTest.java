package dev.pipeline.rpc;

import com.google.gson.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.pipeline.rpc.ServerTestSupport.dispatch;
import static dev.pipeline.rpc.ServerTestSupport.tree;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Params a remote caller sends are refused with -32602 and a message in JSON's words (the param, the JSON type
 * expected and given), never Java class names or JDK internals; no infinity reaches a double; a record's own
 * validation runs and its message reaches the caller.
 */
class ParamValidationTest {
    static final AtomicInteger RAN = new AtomicInteger();

    public record Amount(double value, String currency) {
        public Amount {
            if (value < 0) {
                throw new IllegalArgumentException("amount must not be negative");
            }
        }
    }

    public static class Money {
        public double pay(double amount) {
            RAN.incrementAndGet();
            return amount;
        }

        public float payFloat(float amount) {
            RAN.incrementAndGet();
            return amount;
        }

        public Double payBoxed(Double amount) {
            RAN.incrementAndGet();
            return amount;
        }

        public int count(int n) {
            RAN.incrementAndGet();
            return n;
        }

        public String name(String label) {
            RAN.incrementAndGet();
            return label;
        }

        public double transfer(Amount amount) {
            RAN.incrementAndGet();
            return amount.value();
        }

        public java.math.BigInteger big(java.math.BigInteger n) {
            RAN.incrementAndGet();
            return n;
        }

        public java.math.BigDecimal exact(java.math.BigDecimal amount) {
            RAN.incrementAndGet();
            return amount;
        }

        public int many(List<Double> amounts) {
            RAN.incrementAndGet();
            return amounts.size();
        }
    }

    private final RpcServer server = DefaultRpcServer.dispatchOnly(ServerConfig.defaults());

    @AfterEach
    void tearDown() {
        server.close();
    }

    private boolean exposed;

    private JsonObject call(String method, String params) {
        if (!exposed) {
            server.expose("money", new Money());
            exposed = true;
        }
        return tree(dispatch(server, "money", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"" + method
                + "\",\"params\":" + params + "}")).getAsJsonObject();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "pay      | [1e400]                             | param 'amount' | expected a finite number",
            "pay      | [-1e400]                            | param 'amount' | expected a finite number",
            "pay      | {\"amount\":1e999999}               | param 'amount' | expected a finite number",
            "payFloat | [1e39]                              | param 'amount' | expected a finite number",
            "payBoxed | [1E400]                             | param 'amount' | expected a finite number",
            "pay      | [\"Infinity\"]                      | param 'amount' | expected a number, got a string",
            "pay      | [\"NaN\"]                           | param 'amount' | expected a number, got a string",
            "pay      | [\"abc\"]                           | param 'amount' | expected a number, got a string",
            "pay      | [true]                              | param 'amount' | expected a number, got a boolean",
            "many     | [[1, 1e400]]                        | param 'amounts' | at $[1]: expected a finite number",
            "transfer | [{\"value\":1e400,\"currency\":\"x\"}] | param 'amount' | at $.value: expected a finite",
            "transfer | [{\"value\":\"x\",\"currency\":\"x\"}] | param 'amount' | at $.value: expected a number, got a string",
            "transfer | [{\"value\":1,\"currency\":{}}]     | param 'amount' | at $.currency: expected a string, got an object",
            "transfer | [[1]]                               | param 'amount' | expected an object, got an array",
            "transfer | [\"x\"]                             | param 'amount' | expected an object, got a string",
            "transfer | [{\"value\":-1,\"currency\":\"x\"}] | param 'amount' | amount must not be negative",
            "count    | [\"x\"]                             | param 'n'      | expected an integer, got a string",
            "count    | [{}]                                | param 'n'      | expected an integer, got an object",
            "count    | [[]]                                | param 'n'      | expected an integer, got an array",
            "count    | [null]                              | param 'n'      | expected a number, got null",
            "count    | [3000000000]                        | param 'n'      | expected an integer from -2147483648 to 2147483647, got 3000000000",
            "count    | [1.5]                               | param 'n'      | expected an integer, got 1.5",
            "count    | [1e1000000]                         | param 'n'      | expected an integer",
            "name     | [{}]                                | param 'label'  | expected a string, got an object",
            "big      | [\"x\"]                             | param 'n'      | expected an integer, got a string",
            "big      | [1.5]                               | param 'n'      | expected an integer, got 1.5",
            "big      | [[1]]                               | param 'n'      | expected an integer, got an array",
            "exact    | [\"abc\"]                           | param 'amount' | expected a number, got a string",
            "exact    | [{}]                                | param 'amount' | expected a number, got an object",
            "exact    | [false]                             | param 'amount' | expected a number, got a boolean",
            "name     | [[1]]                               | param 'label'  | expected a string, got an array",
    })
    void invalidParamsAreRefusedInJsonsWords(String method, String params, String param, String detail) {
        RAN.set(0);
        JsonObject error = call(method, params).getAsJsonObject("error");
        assertThat(error).as("%s %s", method, params).isNotNull();
        assertThat(error.get("code").getAsInt()).as("%s %s: %s", method, params, error).isEqualTo(-32602);
        String message = error.get("message").getAsString();
        assertThat(message).as("%s %s", method, params).startsWith("Invalid params: ").contains(param)
                .contains(detail);
        for (String internal : List.of("java.", "class", "Class", "BigDecimal", "NumberFormat", "Exception",
                "\tat ", "Infinity", "dev.pipeline", "LazilyParsedNumber", "BEGIN_", "line 1")) {
            assertThat(message).as("%s %s", method, params).doesNotContain(internal);
        }
        assertThat(RAN.get()).as("the method did not run").isZero();
    }

    @Test
    void finiteValuesStillBind() {
        assertThat(call("pay", "[1.7976931348623157e308]").get("result").getAsDouble())
                .isEqualTo(Double.MAX_VALUE);
        assertThat(call("pay", "[\"2.5\"]").get("result").getAsDouble()).isEqualTo(2.5);
        assertThat(call("payFloat", "[1.5]").get("result").getAsFloat()).isEqualTo(1.5f);
        assertThat(call("payBoxed", "[null]").get("result").isJsonNull()).isTrue();
        assertThat(call("transfer", "[{\"value\":3,\"currency\":\"EUR\"}]").get("result").getAsDouble())
                .isEqualTo(3.0);
        assertThat(call("count", "[2e3]").get("result").getAsInt()).isEqualTo(2000);
        assertThat(call("big", "[123456789012345678901234567890]").get("result").getAsString())
                .isEqualTo("123456789012345678901234567890");
        assertThat(call("exact", "[\"2.50\"]").get("result").getAsString()).isEqualTo("2.50");
        assertThat(call("many", "[[1, 2.5]]").get("result").getAsInt()).isEqualTo(2);
    }
}
