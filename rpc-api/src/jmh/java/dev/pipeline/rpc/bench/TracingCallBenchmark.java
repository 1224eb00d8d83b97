package dev.pipeline.rpc.bench;

import dev.pipeline.rpc.ClientConfig;
import dev.pipeline.rpc.OpenTelemetryTracing;
import dev.pipeline.rpc.Rpc;
import dev.pipeline.rpc.RpcClient;
import dev.pipeline.rpc.RpcServer;
import dev.pipeline.rpc.RpcTracing;
import dev.pipeline.rpc.ServerConfig;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
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

import java.util.Collection;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * What tracing costs a synchronous {@code inproc:} call ({@code calc.add(1, 2)}): {@code off} (the default), and
 * {@code sdk}: OpenTelemetry's SDK sampling every span, two spans per call, exported to an exporter that drops them.
 * Run: {@code ./mvnw -q -pl rpc-api -Pjmh clean test-compile exec:exec -Djmh.args="TracingCallBenchmark"}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m", "-XX:+UseParallelGC"})
public class TracingCallBenchmark {
    /** The service called. */
    public static final class Calc {
        public int add(int a, int b) {
            return a + b;
        }
    }

    @Param({"off", "sdk"})
    public String tracing;
    private OpenTelemetrySdk sdk;
    private RpcServer server;
    private RpcClient client;

    @Setup(Level.Trial)
    public void setUp() {
        RpcTracing t = RpcTracing.disabled();
        if (tracing.equals("sdk")) {
            SpanExporter drop = new SpanExporter() {
                @Override
                public CompletableResultCode export(Collection<SpanData> spans) {
                    return CompletableResultCode.ofSuccess();
                }

                @Override
                public CompletableResultCode flush() {
                    return CompletableResultCode.ofSuccess();
                }

                @Override
                public CompletableResultCode shutdown() {
                    return CompletableResultCode.ofSuccess();
                }
            };
            sdk = OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider.builder()
                    .addSpanProcessor(SimpleSpanProcessor.create(drop)).build()).build();
            t = OpenTelemetryTracing.of(sdk);
        }
        String uri = "inproc:trace-bench-" + UUID.randomUUID();
        server = Rpc.server(uri, ServerConfig.builder().tracing(t).build());
        server.expose("calc", new Calc());
        server.start();
        client = Rpc.client(uri, ClientConfig.builder().tracing(t).build());
        if (client.call("calc", "add", int.class, 1, 2) != 3) {
            throw new IllegalStateException("calc.add is broken");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        client.close();
        server.close();
        if (sdk != null) {
            sdk.close();
        }
    }

    @Benchmark
    public int call() {
        return client.call("calc", "add", int.class, 1, 2);
    }
}
