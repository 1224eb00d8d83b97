package dev.pipeline.rpc.cli;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** In the tools jar the tools' commands replace the everyday jar's notes, and take the broker as the others do. */
class ToolCommandsTest {
    @Test
    void theToolsAreRealCommandsHere() {
        Cli.Result top = Cli.run("--help");
        assertThat(top.exitCode()).isZero();
        assertThat(top.out()).contains("serve", "call", "notify", "example", "brokers", "bench", "soak")
                .doesNotContain("pipeline-tools.jar");
        for (String command : PipelineCli.TOOL_COMMANDS) {
            Cli.Result r = Cli.run(command, "--help");
            assertThat(r.exitCode()).as(command).isZero();
            assertThat(r.out()).as(command).startsWith("Usage: pipeline " + command).doesNotContain("tools jar");
        }
    }

    @Test
    void benchAndSoakTakeTheBrokerFromTheEnvironment() {
        Map<String, String> env = Map.of(PipelineCli.BROKER_ENV, "foo://127.0.0.1:1");
        Cli.Result bench = Cli.runWith(env, "bench", "--quick");
        assertThat(bench.exitCode()).as(bench.err()).isEqualTo(PipelineCli.EXIT_FAILURE);
        assertThat(bench.errLines()).containsExactly(
                "error: bench compares kafka:// and redis:// brokers; $PIPELINE_BROKER was foo://127.0.0.1:1");

        Cli.Result soak = Cli.runWith(env, "soak", "--calls", "10");
        assertThat(soak.exitCode()).as(soak.err()).isNotZero();
        assertThat(soak.errLines()).hasSize(1);
        assertThat(soak.errLines().get(0)).contains("foo");

        // --broker wins over the environment
        Cli.Result flag = Cli.runWith(env, "-b", "bar://127.0.0.1:1", "bench", "--quick");
        assertThat(flag.errLines()).containsExactly(
                "error: bench compares kafka:// and redis:// brokers; --broker was bar://127.0.0.1:1");
    }
}
