package dev.pipeline.rpc.bench;

import dev.pipeline.rpc.bench.ComparisonResult.Measurement;
import dev.pipeline.rpc.bench.ComparisonResult.Role;
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
 * One tiny real run on a local Kafka broker: Pipeline, a URI variant of it, the raw floor and Spring's
 * ReplyingKafkaTemplate all answer every call. Asserts behaviour only, never timing.
 */
class KafkaSmokeTest {
    @Test
    void tinyRealRunOfEveryKafkaImplementation(@TempDir Path dir) {
        BenchOptions o = BenchOptions.builder().transports(List.of("kafka")).duration(Duration.ofMillis(300))
                .warmup(Duration.ofMillis(100)).settle(Duration.ZERO).inFlight(List.of(1, 8)).payloads(List.of(100))
                .outputDir(dir).kafkaVariant("max.in.flight.requests.per.connection=1").chart(false).build();
        ComparisonResult r = BrokerComparison.run(o, new PrintStream(new ByteArrayOutputStream(), true,
                StandardCharsets.UTF_8));

        assertThat(r.failures()).isEmpty();
        assertThat(r.measurements()).hasSize(8).allSatisfy(m -> {
            assertThat(m.result().calls()).isPositive();
            assertThat(m.result().errors()).isZero();
        });
        assertThat(r.measurements()).extracting(Measurement::implementation).containsOnly("pipeline",
                "pipeline ?max.in.flight.requests.per.connection=1", "raw floor", "spring ReplyingKafkaTemplate");
        assertThat(r.measurements()).filteredOn(m -> m.implementation().startsWith("pipeline ?"))
                .extracting(Measurement::role).containsOnly(Role.VARIANT);
        assertThat(r.setups().get("kafka / pipeline ?max.in.flight.requests.per.connection=1"))
                .contains("except max.in.flight.requests.per.connection=1");
        assertThat(Reports.verdicts(r)).hasSize(2).allSatisfy(v -> assertThat(v.floor()).containsKey("kafka"));
        assertThat(r.markdown()).contains("| kafka | 100 B | spring ReplyingKafkaTemplate |");
    }
}
