package dev.pipeline.rpc.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * One tiny real run (a fraction of a second per point) on Redis, which starts in milliseconds: checks the runner,
 * the raw floor and the files end to end. Asserts behaviour only, never timing.
 */
class RedisSmokeTest {
    @Test
    void tinyRealRunWritesTheReport(@TempDir Path dir) {
        BenchOptions o = BenchOptions.builder().transports(List.of("redis")).duration(Duration.ofMillis(150))
                .warmup(Duration.ofMillis(50)).settle(Duration.ofMillis(1)).inFlight(List.of(1, 8))
                .payloads(List.of(100)).outputDir(dir).transportOnly(true).build();
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        ComparisonResult r = BrokerComparison.run(o, new PrintStream(progress, true, StandardCharsets.UTF_8));

        assertThat(r.failures()).isEmpty();
        assertThat(r.measurements()).hasSize(8); // pipeline, its direct-executor variant, transport only, floor
        assertThat(r.measurements()).allSatisfy(m -> {
            assertThat(m.result().calls()).isPositive();
            assertThat(m.result().errors()).isZero();
        });
        assertThat(r.measurements()).extracting(ComparisonResult.Measurement::role)
                .containsOnly(Role.PIPELINE, Role.VARIANT, Role.DIAGNOSTIC, Role.FLOOR)
                .contains(Role.PIPELINE, Role.VARIANT, Role.DIAGNOSTIC, Role.FLOOR);
        assertThat(r.targets()).hasSize(2).allSatisfy(t -> assertThat(t.met()).isPresent());
        assertThat(r.files()).extracting(p -> p.getFileName().toString())
                .contains("results.md", "results.json").anyMatch(n -> n.startsWith("chart."));
        assertThat(progress.toString(StandardCharsets.UTF_8)).contains("[  8/8", "redis", "raw floor", "direct executor",
                "transport only", "JIT "); // one settling pass ran (the JIT is quiet or still busy: either is said)
        // CPU figures where the implementations take turns; interleaved sequential calls cannot be told apart
        assertThat(r.measurements()).filteredOn(m -> m.result().inFlight() > 1)
                .allSatisfy(m -> assertThat(m.cpu().jitShare()).isNotNegative());
        assertThat(r.measurements()).filteredOn(m -> m.result().inFlight() == 1)
                .allSatisfy(m -> assertThat(m.cpu()).isNull());
    }

    @Test
    void onlyRunsTheNamedImplementations(@TempDir Path dir) {
        BenchOptions.Builder b = BenchOptions.builder().transports(List.of("redis")).duration(Duration.ofMillis(150))
                .warmup(Duration.ZERO).settle(Duration.ZERO).inFlight(List.of(8)).payloads(List.of(100))
                .outputDir(dir).chart(false);
        ComparisonResult r = BrokerComparison.run(b.only("RAW FLOOR").only("pipeline, direct executor").build(),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        assertThat(r.failures()).isEmpty();
        assertThat(r.measurements()).extracting(ComparisonResult.Measurement::implementation)
                .containsExactlyInAnyOrder("raw floor", "pipeline, direct executor");

        BenchOptions typo = BenchOptions.builder().transports(List.of("redis")).only("raw flor").outputDir(dir).build();
        assertThatThrownBy(() -> BrokerComparison.run(typo, new PrintStream(new ByteArrayOutputStream())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("--only 'raw flor' names no implementation of this run; there are: pipeline;");
    }

    @Test
    void freshInstancesEachRoundAndInterleavedSequentialPoints(@TempDir Path dir) {
        BenchOptions o = BenchOptions.builder().transports(List.of("redis")).duration(Duration.ofMillis(150))
                .warmup(Duration.ZERO).settle(Duration.ZERO).inFlight(List.of(1, 8)).payloads(List.of(100))
                .rounds(2).outputDir(dir).chart(false).variants(false).fresh(true).splitCore(true).build();
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        ComparisonResult r = BrokerComparison.run(o, new PrintStream(progress, true, StandardCharsets.UTF_8));

        assertThat(r.failures()).isEmpty();
        assertThat(r.measurements()).extracting(ComparisonResult.Measurement::implementation)
                .containsExactlyInAnyOrder("pipeline", "pipeline", "raw floor", "raw floor",
                        "pipeline client, bare server", "pipeline client, bare server",
                        "bare client, pipeline server", "bare client, pipeline server");
        assertThat(r.measurements()).allSatisfy(m -> {
            assertThat(m.rounds()).hasSize(2).doesNotContainNull();
            assertThat(m.rounds()).allSatisfy(x -> assertThat(x.calls()).isPositive());
        });
        String out = progress.toString(StandardCharsets.UTF_8);
        // each round started its own instances
        for (String name : List.of("raw floor", "pipeline", "pipeline client, bare server",
                "bare client, pipeline server")) {
            assertThat(out.lines().filter(l -> l.strip().equals("starting redis " + name))).as(name).hasSize(2);
        }
        assertThat(r.measurements()).filteredOn(m -> m.result().inFlight() == 1)
                .allSatisfy(m -> assertThat(m.result().name()).contains("interleaved"));
        assertThat(r.markdown()).contains("at sequential points the implementations of a broker are interleaved",
                "every round measures new instances of them");
    }
}
