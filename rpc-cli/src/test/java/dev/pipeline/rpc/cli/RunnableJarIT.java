package dev.pipeline.rpc.cli;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The everyday runnable jar, {@code target/pipeline.jar}, as the package phase built it: small, without test
 * frameworks or Spring, and it runs.
 */
class RunnableJarIT {
    /** The most the everyday jar may weigh, in bytes. */
    static final long MAX_BYTES = 20_000_000;

    /** What only the tools jar (or no jar) may carry. */
    static final List<String> FORBIDDEN = List.of("org/junit/", "org/assertj/", "org/awaitility/",
            "org/testcontainers/", "com/github/dockerjava/", "org/springframework/", "scala/", "kafka/server/",
            "dev/pipeline/rpc/tck/", "dev/pipeline/rpc/bench/");

    static final Path JAR = Path.of("target", "pipeline.jar");

    @Test
    void isUnderTwentyMegabytes() throws IOException {
        assertThat(Files.size(JAR)).as("size of %s", JAR).isLessThan(MAX_BYTES);
    }

    @Test
    void carriesNoTestFrameworkNorSpringNorLocalBrokers() throws IOException {
        try (JarFile jar = new JarFile(JAR.toFile())) {
            List<String> found = jar.stream().map(ZipEntry::getName)
                    .filter(name -> FORBIDDEN.stream().anyMatch(name::startsWith)).limit(20).toList();
            assertThat(found).as("entries of %s", JAR).isEmpty();
            assertThat(jar.getManifest().getMainAttributes().getValue("Main-Class"))
                    .isEqualTo(PipelineCli.class.getName());
            assertThat(jar.getEntry("dev/pipeline/rpc/cli/ServeCommand.class")).isNotNull();
            ZipEntry services = jar.getEntry("META-INF/services/dev.pipeline.rpc.spi.TransportProvider");
            assertThat(services).isNotNull();
            assertThat(new String(jar.getInputStream(services).readAllBytes(), StandardCharsets.UTF_8))
                    .as("the transports' service files, merged")
                    .contains("dev.pipeline.rpc.kafka.", "dev.pipeline.rpc.redis.", "dev.pipeline.rpc.inproc.");
        }
    }

    @Test
    void runsAndPrintsTheUsageWhenGivenNoCommand() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-jar", JAR.toString()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isEqualTo(PipelineCli.EXIT_USAGE);
        assertThat(output).startsWith("Usage: pipeline ").doesNotContain("Exception")
                .contains("serve", "call", "notify", "example", "brokers", "bench", "soak");
    }
}
