package dev.pipeline.rpc.bench;

import dev.pipeline.rpc.bench.ComparisonResult.Measurement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One tiny real run on a local Kafka broker: a URI variant of Pipeline, its blocking calls on caller threads, the raw
 * floor and both wire-header shapes of it all answer every call, and every Kafka point carries its request counts. Asserts behaviour only, never timing.
 */
class KafkaSmokeTest {
    @Test
    void tinyRealRunWithAVariantTheWireFloorsAndRequestCounts(@TempDir Path dir) {
        BenchOptions o = BenchOptions.builder().transports(List.of("kafka")).duration(Duration.ofMillis(300))
                .warmup(Duration.ofMillis(100)).settle(Duration.ZERO).inFlight(List.of(1, 8)).payloads(List.of(100)).outputDir(dir)
                .competitors(false).variants(false).wireFloor(true).blockingThreads(true)
                .interleave(false) // request counts at x1 too
                .kafkaVariant("max.in.flight.requests.per.connection=1").chart(false).build();
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        ComparisonResult r = BrokerComparison.run(o, new PrintStream(progress, true, StandardCharsets.UTF_8));

        assertThat(r.failures()).isEmpty();
        assertThat(r.measurements()).extracting(Measurement::implementation).containsOnly("pipeline",
                "pipeline ?max.in.flight.requests.per.connection=1", "pipeline, blocking threads", "raw floor", "raw floor + wire headers",
                "raw floor + wire headers, client id in rpc-id");
        assertThat(r.measurements()).hasSize(12).allSatisfy(m -> {
            assertThat(m.result().calls()).isPositive();
            assertThat(m.result().errors()).isZero();
            assertThat(m.requests()).isNotNull();
            assertThat(m.requests().fetch()).isPositive();
        });
        // one call in flight: the request and the reply each leave in a produce request of their own
        assertThat(r.measurements()).filteredOn(m -> m.result().inFlight() == 1)
                .allSatisfy(m -> assertThat(m.requests().produce()).isGreaterThanOrEqualTo(1.9));
        assertThat(r.measurements()).filteredOn(m -> m.implementation().startsWith("pipeline ?"))
                .extracting(Measurement::role).containsOnly(Role.VARIANT);
        // blocking calls on a caller thread per call in flight: 8 threads at x8
        assertThat(r.measurements()).filteredOn(m -> m.implementation().equals("pipeline, blocking threads"))
                .extracting(m -> m.result().mode()).containsExactlyInAnyOrder("sequential", "threads");
        assertThat(r.measurements()).filteredOn(m -> m.implementation().equals("pipeline"))
                .extracting(m -> m.result().mode()).containsExactlyInAnyOrder("sequential", "pipelined");
        assertThat(r.setups().get("kafka / pipeline ?max.in.flight.requests.per.connection=1"))
                .contains("?max.in.flight.requests.per.connection=1");
        assertThat(r.markdown()).contains("## Kafka requests per call");
    }
}
