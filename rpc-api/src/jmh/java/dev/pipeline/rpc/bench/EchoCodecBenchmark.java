package dev.pipeline.rpc.bench;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonPrimitive;
import dev.pipeline.rpc.Limits;
import dev.pipeline.rpc.Rpc;
import dev.pipeline.rpc.RpcServer;
import dev.pipeline.rpc.ServerConfig;
import dev.pipeline.rpc.json.Codec;
import dev.pipeline.rpc.json.JsonInput;
import dev.pipeline.rpc.json.JsonOutput;
import dev.pipeline.rpc.json.Messages;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.Arrays;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The JSON-RPC work of one call of the broker comparison ({@code echo} of a string), split by side, with a copy of
 * the message as the yardstick:
 * <ul>
 *   <li>{@code clientEncode}: the client writes the request;</li>
 *   <li>{@code serverDispatch}: the server parses the request, calls the handler and writes the response (direct
 *       executor, no transport);</li>
 *   <li>{@code clientDecode}: the client parses the response and converts its result;</li>
 *   <li>{@code copy}: one allocation and copy of the response's bytes, what a broker client does to a record.</li>
 * </ul>
 * Run: {@code ./mvnw -q -pl rpc-api -Pjmh clean test-compile exec:exec -Djmh.args="EchoCodecBenchmark"}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+UseG1GC"})
public class EchoCodecBenchmark {
    /** Characters of the echoed string. */
    @Param({"100", "10240"})
    public int payloadChars;
    private RpcServer server;
    private String payload;
    private byte[] request;
    private byte[] response;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        server = Rpc.server("inproc:echo-" + UUID.randomUUID(), ServerConfig.builder().directExecutor().build());
        server.handle("bench", "echo", params -> params.get(0, String.class));
        server.start();
        payload = "x".repeat(payloadChars);
        request = clientEncode();
        response = serverDispatch().orElseThrow();
        if (!clientDecode().equals(payload)) {
            throw new IllegalStateException("echo is broken");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        server.close();
    }

    @Benchmark
    public byte[] clientEncode() {
        JsonArray params = new JsonArray(1);
        params.add(Codec.toJson(payload));
        return JsonOutput.request(new JsonPrimitive(42L), "echo", params);
    }

    @Benchmark
    public Optional<byte[]> serverDispatch() {
        return server.dispatch("bench", request).join();
    }

    @Benchmark
    public String clientDecode() throws Exception {
        JsonElement in = JsonInput.parse(response, Limits.DEFAULT);
        Messages.Response r = Messages.parseResponse(in);
        return Codec.fromJson(r.result(), String.class);
    }

    @Benchmark
    public byte[] copy() {
        return Arrays.copyOf(response, response.length);
    }
}
