package dev.pipeline.rpc.bench;

import dev.pipeline.rpc.bench.ComparisonResult.Measurement;
import dev.pipeline.rpc.bench.ComparisonResult.Role;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Tiny real runs (a fraction of a second per point) on Redis, which starts in milliseconds: the runner, the raw
 * floor, the progress lines and the files end to end. Asserts behaviour only, never timing.
 */
class RedisSmokeTest {
    private static BenchOptions.Builder tiny(Path dir) {
        return BenchOptions.builder().transports(List.of("redis")).duration(Duration.ofMillis(150))
                .warmup(Duration.ofMillis(50)).settle(Duration.ofMillis(1)).inFlight(List.of(1, 8))
                .payloads(List.of(100)).outputDir(dir);
    }

    @Test
    void aTinyRunMeasuresPipelineAndTheFloorAndWritesTheReport(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        ComparisonResult r = BrokerComparison.run(tiny(dir).build(), new PrintStream(progress, true,
                StandardCharsets.UTF_8));

        assertThat(r.failures()).isEmpty();
        assertThat(r.measurements()).extracting(Measurement::implementation)
                .containsExactlyInAnyOrder("pipeline", "pipeline", "raw floor", "raw floor");
        assertThat(r.measurements()).allSatisfy(m -> {
            assertThat(m.result().calls()).isPositive();
            assertThat(m.result().errors()).isZero();
        });
        assertThat(r.measurements()).extracting(Measurement::role).containsOnly(Role.PIPELINE, Role.FLOOR);
        // sequential points are interleaved, so they carry no JIT figure; the others do, in the JSON
        assertThat(r.measurements()).filteredOn(m -> m.result().inFlight() == 1)
                .allSatisfy(m -> assertThat(m.result().name()).contains("interleaved"))
                .allSatisfy(m -> assertThat(m.jitShare()).isNaN());
        assertThat(r.measurements()).filteredOn(m -> m.result().inFlight() > 1)
                .allSatisfy(m -> assertThat(m.jitShare()).isNotNegative());
        assertThat(r.files()).extracting(p -> p.getFileName().toString())
                .containsExactly("results.md", "results.json", "chart.png");
        assertThat(Files.readString(dir.resolve("results.md"))).startsWith("# Pipeline broker comparison\n\n## Verdict");
        List<String> lines = progress.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).anyMatch(l -> l.matches("\\[[#.]{20}] +\\d+% ~\\d+m\\d\\ds left  redis raw floor 100 B x8: .*"))
                .anyMatch(l -> l.contains("JIT ")).anyMatch(l -> l.startsWith("done in "));
    }

    @Test
    void onlyRunsTheNamedImplementationsAndAnUnknownNameListsTheOthers(@TempDir Path dir) {
        ComparisonResult r = BrokerComparison.run(tiny(dir).settle(Duration.ZERO).inFlight(List.of(8)).chart(false)
                .only("RAW FLOOR").only("pipeline, direct executor").build(), new PrintStream(
                new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        assertThat(r.failures()).isEmpty();
        assertThat(r.measurements()).extracting(Measurement::implementation)
                .containsExactlyInAnyOrder("raw floor", "pipeline, direct executor");
        assertThat(r.measurements()).extracting(Measurement::role).containsExactlyInAnyOrder(Role.FLOOR, Role.VARIANT);

        BenchOptions typo = tiny(dir).only("raw flor").build();
        assertThatThrownBy(() -> BrokerComparison.run(typo, new PrintStream(new ByteArrayOutputStream())))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("--only 'raw flor' names no implementation"
                        + " of this run; there are: pipeline; pipeline, direct executor; raw floor");
    }

    @Test
    void freshInstancesEachRoundKeepEveryRound(@TempDir Path dir) {
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        ComparisonResult r = BrokerComparison.run(tiny(dir).settle(Duration.ZERO).rounds(2).fresh(true).chart(false)
                .build(), new PrintStream(progress, true, StandardCharsets.UTF_8));
        assertThat(r.failures()).isEmpty();
        assertThat(r.measurements()).hasSize(4).allSatisfy(m -> assertThat(m.rounds()).hasSize(2).doesNotContainNull());
        assertThat(progress.toString(StandardCharsets.UTF_8).lines().filter(l -> l.endsWith("starting redis raw floor")))
                .as("each round started its own instances").hasSize(2);
        assertThat(r.json()).contains("\"rounds\"");
    }
}
