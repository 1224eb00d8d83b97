package dev.pipeline.rpc;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The core's spans where the TCK does not look: cancelled calls, handler exceptions, direct dispatch, config. */
class OpenTelemetryTracingTest {
    private static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
    private static final AttributeKey<String> STATUS_CODE = AttributeKey.stringKey("rpc.response.status_code");
    private static final AttributeKey<String> MESSAGING_SYSTEM = AttributeKey.stringKey("messaging.system");
    private static final AttributeKey<String> JSONRPC_ID = AttributeKey.stringKey("jsonrpc.request.id");

    private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
    private final OpenTelemetrySdk sdk = OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider.builder()
            .addSpanProcessor(SimpleSpanProcessor.create(exporter)).build()).build();
    private final RpcTracing tracing = OpenTelemetryTracing.of(sdk);

    @AfterEach
    void close() {
        sdk.close();
    }

    private SpanData span(Predicate<SpanData> which) {
        await().atMost(Duration.ofSeconds(10)).until(() -> exporter.getFinishedSpanItems().stream().anyMatch(which));
        return exporter.getFinishedSpanItems().stream().filter(which).findFirst().orElseThrow();
    }

    @Test
    void configDefaultsToDisabledAndRefusesNull() {
        assertThat(ClientConfig.defaults().tracing().enabled()).isFalse();
        assertThat(ServerConfig.defaults().tracing().enabled()).isFalse();
        assertThat(ClientConfig.builder().tracing(tracing).build().tracing()).isSameAs(tracing);
        assertThat(tracing.enabled()).isTrue();
        org.assertj.core.api.Assertions.assertThatNullPointerException()
                .isThrownBy(() -> ClientConfig.builder().tracing(null));
        org.assertj.core.api.Assertions.assertThatNullPointerException()
                .isThrownBy(() -> ServerConfig.builder().tracing(null));
    }

    @Test
    void aCancelledCallEndsItsSpanAndAHandlerExceptionIsAServerError() throws Exception {
        String uri = "inproc:otel-" + UUID.randomUUID();
        CountDownLatch release = new CountDownLatch(1);
        try (RpcServer server = Rpc.server(uri, ServerConfig.builder().tracing(tracing).build());
             RpcClient client = Rpc.client(uri, ClientConfig.builder().tracing(tracing).build())) {
            server.handle("svc", "slow", p -> release.await(10, TimeUnit.SECONDS));
            server.handle("svc", "boom", p -> {
                throw new IllegalStateException("a bug");
            });
            server.start();
            CompletableFuture<Object> slow = client.callAsync("svc", "slow", Object.class);
            slow.cancel(false);
            SpanData cancelled = span(s -> s.getKind() == SpanKind.CLIENT && s.getName().equals("svc/slow"));
            assertThat(cancelled.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
            assertThat(cancelled.getAttributes().get(ERROR_TYPE))
                    .isEqualTo("java.util.concurrent.CancellationException");
            assertThat(cancelled.getAttributes().get(MESSAGING_SYSTEM)).as("in process: no messaging").isNull();
            release.countDown();

            CompletableFuture<Object> boom = client.callAsync("svc", "boom", Object.class);
            await().atMost(Duration.ofSeconds(10)).until(boom::isDone);
            SpanData server500 = span(s -> s.getKind() == SpanKind.SERVER && s.getName().equals("svc/boom"));
            assertThat(server500.getAttributes().get(STATUS_CODE)).isEqualTo("-32000");
            assertThat(server500.getAttributes().get(ERROR_TYPE)).isEqualTo("-32000");
            SpanData client500 = span(s -> s.getKind() == SpanKind.CLIENT && s.getName().equals("svc/boom"));
            assertThat(client500.getAttributes().get(STATUS_CODE)).isEqualTo("-32000");
            assertThat(server500.getParentSpanId()).isEqualTo(client500.getSpanId());
        }
    }

    @Test
    void aHedgeCarriesItsCallsTraceContext() throws Exception {
        String uri = "inproc:otel-" + UUID.randomUUID();
        CountDownLatch release = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger executions = new java.util.concurrent.atomic.AtomicInteger();
        HedgePolicy policy = HedgePolicy.builder().maxHedges(1).minDelay(Duration.ofMillis(50))
                .maxDelay(Duration.ofMillis(100)).build();
        try (RpcServer server = Rpc.server(uri, ServerConfig.builder().tracing(tracing).build());
             RpcClient client = Rpc.client(uri, ClientConfig.builder().tracing(tracing).hedging(policy).build())) {
            server.handle("svc", "work", p -> {
                if (executions.incrementAndGet() == 1) {
                    release.await(10, TimeUnit.SECONDS); // the first attempt hangs; the hedge answers
                }
                return "done";
            });
            server.start();
            try {
                assertThat(client.idempotent().callAsync("svc", "work", String.class).get(10, TimeUnit.SECONDS))
                        .isEqualTo("done");
            } finally {
                release.countDown();
            }
            SpanData call = span(s -> s.getKind() == SpanKind.CLIENT && s.getName().equals("svc/work"));
            await().atMost(Duration.ofSeconds(10)).until(() -> exporter.getFinishedSpanItems().stream()
                    .filter(s -> s.getKind() == SpanKind.SERVER).count() == 2);
            assertThat(exporter.getFinishedSpanItems().stream().filter(s -> s.getKind() == SpanKind.SERVER))
                    .as("the first attempt's and the hedge's server spans").hasSize(2)
                    .allSatisfy(s -> assertThat(s.getParentSpanId()).isEqualTo(call.getSpanId()));
        }
    }

    @Test
    void directDispatchHasAServerSpanWithTheStringIdAsItIs() throws Exception {
        try (RpcServer server = Rpc.server("inproc:otel-" + UUID.randomUUID(),
                ServerConfig.builder().tracing(tracing).build())) {
            server.handle("svc", "echo", p -> p.get(0, String.class));
            byte[] reply = server.dispatch("svc", "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":[\"x\"],\"id\":\"r-7\"}"
                    .getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS).orElseThrow();
            assertThat(new String(reply, StandardCharsets.UTF_8)).contains("\"x\"");
            SpanData s = span(d -> d.getKind() == SpanKind.SERVER && d.getName().equals("svc/echo"));
            assertThat(s.getAttributes().get(JSONRPC_ID)).isEqualTo("r-7");
            assertThat(s.getAttributes().get(MESSAGING_SYSTEM)).isNull();
            assertThat(s.getParentSpanId()).as("no trace context: a root span")
                    .isEqualTo(io.opentelemetry.api.trace.SpanId.getInvalid());
        }
    }
}
