package dev.pipeline.rpc.cli;

import dev.pipeline.rpc.tck.broker.RedisBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code pipeline bench} delegates to the broker comparison of rpc-bench, flags and all. */
class BenchCommandTest {
    @Test
    void helpListsTheComparisonsFlags() {
        Cli.Result r = Cli.run("bench", "--help");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).startsWith("Usage: pipeline bench").contains("--duration", "--transports", "--quick");
    }

    @Test
    void aBadFlagIsOneLineWithExitCodeTwo() {
        Cli.Result r = Cli.run("bench", "--no-such-flag");
        assertThat(r.exitCode()).isEqualTo(PipelineCli.EXIT_USAGE);
        assertThat(r.errLines()).hasSize(1);
        assertThat(r.errLines().get(0)).startsWith("error: ").contains("--no-such-flag");
    }

    @Test
    void aTinyRealRunOnTheGivenRedisWritesTheReport(@TempDir Path dir) {
        String redis = RedisBroker.shared().uri().toString();
        Cli.Result r = Cli.run("-b", redis, "bench", "--duration", "150ms", "--warmup", "50ms", "--in-flight", "1",
                "--payloads", "100", "--no-chart", "--output", dir.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("redis", "raw floor");
        assertThat(Files.exists(dir.resolve("results.md"))).isTrue();
        assertThat(Files.exists(dir.resolve("results.json"))).isTrue();
    }
}
