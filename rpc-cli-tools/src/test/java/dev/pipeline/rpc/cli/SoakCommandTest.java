package dev.pipeline.rpc.cli;

import dev.pipeline.rpc.tck.broker.RedisBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code pipeline soak} runs the failover soak of rpc-soak with its options. */
class SoakCommandTest {
    @Test
    void helpListsTheOptions() {
        Cli.Result r = Cli.run("soak", "--help");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).startsWith("Usage: pipeline soak").contains("--servers", "--kill-every", "--in-flight",
                "--call-timeout", "--transport");
    }

    @Test
    void aBadValueIsOneLineWithExitCodeTwo() {
        Cli.Result r = Cli.run("soak", "--servers", "1");
        assertThat(r.exitCode()).isEqualTo(PipelineCli.EXIT_USAGE);
        assertThat(r.errLines()).hasSize(1);
        assertThat(r.errLines().get(0)).startsWith("error: ").contains("--servers");
    }

    @Test
    void aTinyRealRunOnTheGivenRedisPrintsTheFigures(@TempDir Path dir) {
        Cli.Result r = Cli.run("-b", RedisBroker.shared().uri().toString(), "soak", "--servers", "2", "--calls", "300",
                "--in-flight", "8", "--rate", "100", "--kill-every", "1s", "--kills", "1", "--logs", dir.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("soak redis at", "calls   ok ", "hung 0, lost 0", "1 kills", "latency p50");
    }
}
