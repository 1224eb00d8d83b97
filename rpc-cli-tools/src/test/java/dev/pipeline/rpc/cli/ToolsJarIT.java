package dev.pipeline.rpc.cli;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The tools' runnable jar, {@code target/pipeline-tools.jar}: it runs the tools' commands, and carries none of the
 * TCK's test libraries (JUnit 5, AssertJ, Awaitility), which the fixtures and the benchmark do not use.
 */
class ToolsJarIT {
    static final Path JAR = Path.of("target", "pipeline-tools.jar");

    @Test
    void carriesNoJUnit5NorAssertJNorAwaitility() throws IOException {
        try (JarFile jar = new JarFile(JAR.toFile())) {
            List<String> found = jar.stream().map(ZipEntry::getName)
                    .filter(n -> n.startsWith("org/junit/jupiter/") || n.startsWith("org/junit/platform/")
                            || n.startsWith("org/assertj/") || n.startsWith("org/awaitility/"))
                    .limit(20).toList();
            assertThat(found).isEmpty();
            assertThat(jar.getEntry("dev/pipeline/rpc/cli/ToolCommands.class")).isNotNull();
            assertThat(jar.getEntry("dev/pipeline/rpc/tck/broker/KafkaBroker.class")).isNotNull();
        }
    }

    @Test
    void runsTheBenchCommand() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-jar", JAR.toString(), "bench", "--help")
                .redirectErrorStream(true).start();
        p.getOutputStream().close();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
        assertThat(output).startsWith("Usage: pipeline bench").contains("--duration", "--transports");
    }
}
