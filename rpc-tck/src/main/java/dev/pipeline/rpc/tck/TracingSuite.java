package dev.pipeline.rpc.tck;

import dev.pipeline.rpc.OpenTelemetryTracing;
import dev.pipeline.rpc.RpcClient;
import dev.pipeline.rpc.RpcContext;
import dev.pipeline.rpc.RpcException;
import dev.pipeline.rpc.RpcServer;
import dev.pipeline.rpc.RpcTracing;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tracing with OpenTelemetry on the transport under test ({@link OpenTelemetryTracing}, docs/tracing.md): one trace
 * from a caller's span through the client, the broker, a handler, a call the handler makes, and back; the spans'
 * kinds, names, parents and attributes after the semantic conventions for JSON-RPC and messaging; W3C
 * {@code traceparent} and {@code tracestate} carried by the transport; the attributes of failed calls; and no trace
 * context at all without tracing. Spans go to an in-memory exporter of the OpenTelemetry SDK.
 *
 * <p>A transport module runs it with one class:
 * <pre>{@code
 * class KafkaTracingTest extends TracingSuite {
 *     @Override protected TransportFixture fixture() { return new KafkaTckFixture(); }
 * }
 * }</pre>
 */
public abstract class TracingSuite extends TckBase {
    static final AttributeKey<String> RPC_SYSTEM_NAME = AttributeKey.stringKey("rpc.system.name");
    static final AttributeKey<String> RPC_METHOD = AttributeKey.stringKey("rpc.method");
    static final AttributeKey<String> RPC_METHOD_ORIGINAL = AttributeKey.stringKey("rpc.method_original");
    static final AttributeKey<String> STATUS_CODE = AttributeKey.stringKey("rpc.response.status_code");
    static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
    static final AttributeKey<String> JSONRPC_VERSION = AttributeKey.stringKey("jsonrpc.protocol.version");
    static final AttributeKey<String> JSONRPC_ID = AttributeKey.stringKey("jsonrpc.request.id");
    static final AttributeKey<String> MESSAGING_SYSTEM = AttributeKey.stringKey("messaging.system");
    static final AttributeKey<String> MESSAGING_DESTINATION = AttributeKey.stringKey("messaging.destination.name");

    private InMemorySpanExporter exporter;
    private OpenTelemetrySdk sdk;
    private RpcTracing tracing;

    /** Starts the in-memory span exporter and tracing of the test's clients and servers. */
    @BeforeEach
    public final void openTelemetry() {
        exporter = InMemorySpanExporter.create();
        sdk = OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter))
                        .build())
                .build();
        tracing = OpenTelemetryTracing.of(sdk);
    }

    /** Stops the in-memory span exporter of the test. */
    @AfterEach
    public final void closeTelemetry() {
        sdk.close();
    }

    /** Checks: one trace: caller's span, client, broker, handler, nested call, its handler, and back. */
    @Test
    @DisplayName("one trace: caller's span -> client -> broker -> handler -> nested call -> its handler, and back")
    @SuppressWarnings("try")
    public void oneTraceThroughTheBrokerAHandlerAndANestedCall() {
        String outerSvc = uniqueService("trace");
        String innerSvc = uniqueService("tracein");
        AtomicReference<String> seenByHandler = new AtomicReference<>();
        RpcClient fromHandler = client(b -> b.tracing(tracing));
        RpcServer server = server(b -> b.tracing(tracing));
        server.handle(innerSvc, "add", params -> params.<Integer>get(0, int.class) + params.<Integer>get(1, int.class));
        server.handle(outerSvc, "sum3", params -> {
            seenByHandler.set(RpcContext.current().orElseThrow().traceparent());
            int ab = fromHandler.call(innerSvc, "add", int.class, params.<Integer>get(0, int.class), params.<Integer>get(1, int.class));
            return ab + params.<Integer>get(2, int.class);
        });
        server.start();
        RpcClient client = client(b -> b.tracing(tracing));

        Span root = sdk.getTracer("tck").spanBuilder("caller").startSpan();
        int sum;
        try (Scope ignored = root.makeCurrent()) {
            sum = client.call(outerSvc, "sum3", int.class, 1, 2, 3);
        } finally {
            root.end();
        }
        assertThat(sum).isEqualTo(6);

        SpanData outerClient = awaitSpan(s -> s.getKind() == SpanKind.CLIENT && s.getName().equals(outerSvc + "/sum3"));
        SpanData outerServer = awaitSpan(s -> s.getKind() == SpanKind.SERVER && s.getName().equals(outerSvc + "/sum3"));
        SpanData innerClient = awaitSpan(s -> s.getKind() == SpanKind.CLIENT && s.getName().equals(innerSvc + "/add"));
        SpanData innerServer = awaitSpan(s -> s.getKind() == SpanKind.SERVER && s.getName().equals(innerSvc + "/add"));
        SpanData caller = awaitSpan(s -> s.getName().equals("caller"));

        String trace = caller.getTraceId();
        for (SpanData s : List.of(outerClient, outerServer, innerClient, innerServer)) {
            assertThat(s.getTraceId()).as("%s %s is in the caller's trace", s.getKind(), s.getName()).isEqualTo(trace);
            assertThat(s.getStatus().getStatusCode()).as("%s status", s.getName()).isNotEqualTo(StatusCode.ERROR);
        }
        assertThat(outerClient.getParentSpanId()).as("client span's parent: the caller's span")
                .isEqualTo(caller.getSpanId());
        assertThat(outerServer.getParentSpanId()).as("server span's parent: the client span, through the broker")
                .isEqualTo(outerClient.getSpanId());
        assertThat(innerClient.getParentSpanId()).as("the handler's call continues the trace: parent is the server span")
                .isEqualTo(outerServer.getSpanId());
        assertThat(innerServer.getParentSpanId()).isEqualTo(innerClient.getSpanId());
        assertThat(seenByHandler.get()).as("RpcContext.traceparent(): the client span's W3C traceparent")
                .matches("00-" + trace + "-" + outerClient.getSpanId() + "-[0-9a-f][13579bdf]"); // flags: sampled

        assertConventions(outerClient, outerSvc, "sum3");
        assertConventions(outerServer, outerSvc, "sum3");
        assertConventions(innerClient, innerSvc, "add");
        assertConventions(innerServer, innerSvc, "add");
        assertThat(outerServer.getAttributes().get(JSONRPC_ID)).as("the server sees the client's JSON-RPC id")
                .isEqualTo(outerClient.getAttributes().get(JSONRPC_ID));
        assertThat(outerServer.getAttributes().get(MESSAGING_DESTINATION))
                .isEqualTo(outerClient.getAttributes().get(MESSAGING_DESTINATION));
        LOG.info("trace {}: client {} -> server {} -> client {} -> server {}", trace, outerClient.getSpanId(),
                outerServer.getSpanId(), innerClient.getSpanId(), innerServer.getSpanId());
    }

    /** Checks: tracestate crosses the transport beside traceparent. */
    @Test
    @DisplayName("tracestate crosses the transport beside traceparent")
    @SuppressWarnings("try")
    public void traceStateCrossesTheTransport() {
        String svc = uniqueService("tstate");
        RpcServer server = server(b -> b.tracing(tracing));
        server.handle(svc, "ping", params -> "pong");
        server.start();
        RpcClient client = client(b -> b.tracing(tracing));
        SpanContext remote = SpanContext.createFromRemoteParent("4bf92f3577b34da6a3ce929d0e0e4736",
                "00f067aa0ba902b7", TraceFlags.getSampled(), TraceState.builder().put("tck", "v1").build());
        try (Scope ignored = Context.root().with(Span.wrap(remote)).makeCurrent()) {
            assertThat(client.call(svc, "ping", String.class)).isEqualTo("pong");
        }
        SpanData serverSpan = awaitSpan(s -> s.getKind() == SpanKind.SERVER && s.getName().equals(svc + "/ping"));
        assertThat(serverSpan.getTraceId()).isEqualTo(remote.getTraceId());
        assertThat(serverSpan.getSpanContext().getTraceState().get("tck")).as("tracestate on the server side")
                .isEqualTo("v1");
    }

    /**
     * Checks: failed calls: error.type and rpc.response.status_code on both spans; a client-side timeout.
     *
     * @throws Exception when the test cannot run
     */
    @Test
    @DisplayName("failed calls: error.type and rpc.response.status_code on both spans; a client-side timeout")
    public void failedCallsCarryTheErrorAttributes() throws Exception {
        String svc = uniqueService("tfail");
        CountDownLatch release = new CountDownLatch(1);
        RpcServer server = server(b -> b.tracing(tracing));
        server.handle(svc, "refuse", params -> {
            throw new RpcException(4001, "refused");
        });
        server.handle(svc, "slow", params -> release.await(30, TimeUnit.SECONDS));
        server.start();
        RpcClient client = client(b -> b.tracing(tracing));
        try {
            RpcException refused = failure(client.callAsync(svc, "refuse", int.class), fixture.callTimeout());
            assertThat(refused.code()).isEqualTo(4001);
            for (SpanKind kind : List.of(SpanKind.CLIENT, SpanKind.SERVER)) {
                SpanData s = awaitSpan(d -> d.getKind() == kind && d.getName().equals(svc + "/refuse"));
                assertThat(s.getStatus().getStatusCode()).as("%s status", kind).isEqualTo(StatusCode.ERROR);
                assertThat(s.getAttributes().get(STATUS_CODE)).as("%s rpc.response.status_code", kind).isEqualTo("4001");
                assertThat(s.getAttributes().get(ERROR_TYPE)).as("%s error.type", kind).isEqualTo("4001");
            }

            RpcException unknown = failure(client.callAsync(svc, "nosuch", int.class), fixture.callTimeout());
            assertThat(unknown.code()).isEqualTo(-32601);
            SpanData unknownClient = awaitSpan(d -> d.getKind() == SpanKind.CLIENT
                    && d.getName().equals(svc + "/nosuch"));
            assertThat(unknownClient.getAttributes().get(ERROR_TYPE)).isEqualTo("-32601");
            SpanData unknownServer = awaitSpan(d -> d.getKind() == SpanKind.SERVER
                    && d.getParentSpanId().equals(unknownClient.getSpanId()));
            assertThat(unknownServer.getName()).as("an unknown method does not name the span").isEqualTo("jsonrpc");
            assertThat(unknownServer.getAttributes().get(RPC_METHOD)).isEqualTo("_OTHER");
            assertThat(unknownServer.getAttributes().get(RPC_METHOD_ORIGINAL)).isEqualTo(svc + "/nosuch");
            assertThat(unknownServer.getAttributes().get(STATUS_CODE)).isEqualTo("-32601");

            CompletableFuture<Object> slow = client.withTimeout(Duration.ofMillis(500)).callAsync(svc, "slow",
                    Object.class);
            RpcException timeout = failure(slow, fixture.callTimeout());
            assertThat(timeout.code()).isEqualTo(-32001);
            SpanData timedOut = awaitSpan(d -> d.getKind() == SpanKind.CLIENT && d.getName().equals(svc + "/slow"));
            assertThat(timedOut.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
            assertThat(timedOut.getAttributes().get(ERROR_TYPE)).as("a client-side failure's code").isEqualTo("-32001");
            assertThat(timedOut.getAttributes().get(STATUS_CODE)).as("no response, no status code").isNull();
        } finally {
            release.countDown();
        }
    }

    /** Checks: a batch and a notification carry the caller's trace context: their server spans join its trace. */
    @Test
    @DisplayName("a batch and a notification carry the caller's trace context: their server spans join its trace")
    @SuppressWarnings("try")
    public void batchesAndNotificationsCarryTheCallersContext() {
        String svc = uniqueService("tbatch");
        RpcServer server = server(b -> b.tracing(tracing));
        CountDownLatch notified = new CountDownLatch(1);
        server.handle(svc, "add", params -> params.<Integer>get(0, int.class) + params.<Integer>get(1, int.class));
        server.handle(svc, "note", params -> {
            notified.countDown();
            return null;
        });
        server.start();
        RpcClient client = client(b -> b.tracing(tracing));
        Span root = sdk.getTracer("tck").spanBuilder("caller").startSpan();
        try (Scope ignored = root.makeCurrent()) {
            var batch = client.batch(svc);
            CompletableFuture<Integer> a = batch.call("add", int.class, 1, 2);
            CompletableFuture<Integer> b = batch.call("add", int.class, 3, 4);
            get(batch.send());
            assertThat(get(a)).isEqualTo(3);
            assertThat(get(b)).isEqualTo(7);
            client.notify(svc, "note");
        } finally {
            root.end();
        }
        await().until(() -> exporter.getFinishedSpanItems().stream().filter(s -> s.getKind() == SpanKind.SERVER
                && s.getName().equals(svc + "/add")).count() == 2);
        SpanData note = awaitSpan(s -> s.getKind() == SpanKind.SERVER && s.getName().equals(svc + "/note"));
        for (SpanData s : exporter.getFinishedSpanItems()) {
            if (s.getKind() == SpanKind.SERVER) {
                assertThat(s.getTraceId()).as("%s", s.getName()).isEqualTo(root.getSpanContext().getTraceId());
                assertThat(s.getParentSpanId()).isEqualTo(root.getSpanContext().getSpanId());
            }
        }
        assertThat(note.getAttributes().get(JSONRPC_ID)).as("a notification has no id").isNull();
    }

    /** Checks: without tracing, requests carry no trace context, even inside the caller's span. */
    @Test
    @DisplayName("without tracing, requests carry no trace context, even inside the caller's span")
    @SuppressWarnings("try")
    public void withoutTracingNothingIsSent() {
        String svc = uniqueService("tnone");
        AtomicReference<String> seen = new AtomicReference<>("unset");
        RpcServer server = server();
        server.handle(svc, "ctx", params -> {
            seen.set(RpcContext.current().orElseThrow().traceparent());
            return 1;
        });
        server.start();
        RpcClient client = client();
        Span root = sdk.getTracer("tck").spanBuilder("caller").startSpan();
        try (Scope ignored = root.makeCurrent()) {
            assertThat(client.call(svc, "ctx", int.class)).isEqualTo(1);
        } finally {
            root.end();
        }
        assertThat(seen.get()).as("traceparent").isNull();
        assertThat(exporter.getFinishedSpanItems()).extracting(SpanData::getName).containsExactly("caller");
    }

    private void assertConventions(SpanData s, String service, String method) {
        Map<AttributeKey<?>, Object> a = s.getAttributes().asMap();
        String what = s.getKind() + " " + s.getName();
        assertThat(a.get(RPC_SYSTEM_NAME)).as("%s rpc.system.name", what).isEqualTo("jsonrpc");
        assertThat(a.get(RPC_METHOD)).as("%s rpc.method", what).isEqualTo(service + "/" + method);
        assertThat(a.get(JSONRPC_VERSION)).as("%s jsonrpc.protocol.version", what).isEqualTo("2.0");
        assertThat(a.get(JSONRPC_ID)).as("%s jsonrpc.request.id", what).isNotNull();
        assertThat(a.get(ERROR_TYPE)).as("%s error.type", what).isNull();
        String system = messagingSystem();
        assertThat(a.get(MESSAGING_SYSTEM)).as("%s messaging.system", what).isEqualTo(system);
        if (system == null) {
            assertThat(a.get(MESSAGING_DESTINATION)).as("%s messaging.destination.name", what).isNull();
        } else {
            assertThat((String) a.get(MESSAGING_DESTINATION)).as("%s messaging.destination.name", what)
                    .contains(service);
        }
    }

    /** {@code messaging.system} of the transport under test: none in process. */
    private String messagingSystem() {
        String scheme = URI.create(fixture.uri()).getScheme();
        if (scheme.equals("inproc")) {
            return null;
        }
        return scheme.startsWith("redis") ? "redis" : scheme.startsWith("kafka") ? "kafka" : scheme;
    }

    private SpanData awaitSpan(Predicate<SpanData> which) {
        AtomicReference<SpanData> found = new AtomicReference<>();
        await().until(() -> {
            for (SpanData s : exporter.getFinishedSpanItems()) {
                if (which.test(s)) {
                    found.set(s);
                    return true;
                }
            }
            return false;
        });
        return found.get();
    }
}
