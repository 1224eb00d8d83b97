package dev.pipeline.rpc.bench;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonPrimitive;
import dev.pipeline.rpc.Limits;
import dev.pipeline.rpc.Rpc;
import dev.pipeline.rpc.RpcClient;
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
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Encode + dispatch + decode of a small call ({@code calc.add(1, 2)}):
 * <ul>
 *   <li>{@code codec}: the client's work alone: build and encode the request, parse the response, convert the
 *       result;</li>
 *   <li>{@code dispatch}: the server's raw entry point (parse, bind, invoke, encode), no transport;</li>
 *   <li>{@code call}: one synchronous call client → {@code inproc:} → real server → client;</li>
 *   <li>{@code pipelined}: {@value #WINDOW} asynchronous calls in flight, time per call.</li>
 * </ul>
 * Run: {@code ./mvnw -q -pl rpc-api -Pjmh clean test-compile exec:exec}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m", "-XX:+UseParallelGC"})
public class InprocCallBenchmark {
    static final int WINDOW = 64;

    /** The service called. */
    public static final class Calc {
        public int add(int a, int b) {
            return a + b;
        }
    }

    private RpcServer server;
    private RpcClient client;
    private RpcServer echoServer;
    private RpcClient echoClient;
    /** Characters of the echoed string. */
    @org.openjdk.jmh.annotations.Param({"100", "10240"})
    public int payloadChars;
    private String payload;
    private byte[] request;
    private byte[] response;

    @Setup(Level.Trial)
    public void setUp() {
        String uri = "inproc:bench-" + UUID.randomUUID();
        server = Rpc.server(uri);
        server.expose("calc", new Calc());
        server.start();
        client = Rpc.client(uri);
        request = "{\"jsonrpc\":\"2.0\",\"method\":\"add\",\"params\":[1,2],\"id\":1}".getBytes(StandardCharsets.UTF_8);
        response = "{\"jsonrpc\":\"2.0\",\"result\":3,\"id\":1}".getBytes(StandardCharsets.UTF_8);
        if (client.call("calc", "add", int.class, 1, 2) != 3) {
            throw new IllegalStateException("calc.add is broken");
        }
        String echoUri = "inproc:echo-" + UUID.randomUUID();
        echoServer = Rpc.server(echoUri, ServerConfig.builder().directExecutor().build());
        echoServer.handle("bench", "echo", params -> params.get(0, String.class));
        echoServer.start();
        echoClient = Rpc.client(echoUri);
        payload = "x".repeat(payloadChars);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        client.close();
        server.close();
        echoClient.close();
        echoServer.close();
    }

    @Benchmark
    public int codec() throws Exception {
        JsonArray params = new JsonArray(2);
        params.add(Codec.toJson(1));
        params.add(Codec.toJson(2));
        byte[] out = JsonOutput.toBytes(Messages.request(new JsonPrimitive(1L), "add", params));
        JsonElement in = JsonInput.parse(response, Limits.DEFAULT);
        Messages.Response r = Messages.parseResponse(in);
        int result = Codec.fromJson(r.result(), int.class);
        return result + out.length;
    }

    @Benchmark
    public Optional<byte[]> dispatch() {
        return server.dispatch("calc", request).join();
    }

    @Benchmark
    public int call() {
        return client.call("calc", "add", int.class, 1, 2);
    }

    @Benchmark
    @OperationsPerInvocation(WINDOW)
    public int pipelined() {
        @SuppressWarnings("unchecked")
        CompletableFuture<Integer>[] calls = new CompletableFuture[WINDOW];
        for (int i = 0; i < WINDOW; i++) {
            calls[i] = client.callAsync("calc", "add", int.class, i, 1);
        }
        int sum = 0;
        for (CompletableFuture<Integer> f : calls) {
            sum += f.join();
        }
        return sum;
    }

    /**
     * The broker comparison's workload without a broker: {@code echo} of a 100-character string, {@value #WINDOW}
     * calls in flight, handlers on a direct executor (no hand-off), time per call: the core's own cost per call.
     */
    @Benchmark
    @OperationsPerInvocation(WINDOW)
    public int echoPipelinedDirect() {
        @SuppressWarnings("unchecked")
        CompletableFuture<String>[] calls = new CompletableFuture[WINDOW];
        for (int i = 0; i < WINDOW; i++) {
            calls[i] = echoClient.callAsync("bench", "echo", String.class, payload);
        }
        int sum = 0;
        for (CompletableFuture<String> f : calls) {
            sum += f.join().length();
        }
        return sum;
    }
}
