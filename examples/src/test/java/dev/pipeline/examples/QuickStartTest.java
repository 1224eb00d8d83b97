package dev.pipeline.examples;

import dev.pipeline.examples.quickstart.QuickStart;
import dev.pipeline.rpc.tck.broker.KafkaBroker;
import dev.pipeline.rpc.tck.broker.RedisBroker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs the README's quick start ({@link QuickStart}, shown verbatim there: {@link ReadmeTest}) on real brokers. */
class QuickStartTest {
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
    private PrintStream original;

    @BeforeEach
    void captureStdout() {
        original = System.out;
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restoreStdout() {
        System.setOut(original);
        original.print(output()); // kept in the surefire report
    }

    private String output() {
        return captured.toString(StandardCharsets.UTF_8);
    }

    @Test
    void runsOnKafka() {
        String uri = KafkaBroker.shared().uri();
        captured.reset(); // only what the quick start prints
        QuickStart.main(new String[] {uri});
        assertThat(output().lines()).containsExactly("1 + 2 = 3", "3 + 4 = 7", "5 + 6 = 11");
    }

    @Test
    void runsOnRedis() {
        String uri = RedisBroker.shared().uri().toString();
        captured.reset();
        QuickStart.main(new String[] {uri});
        assertThat(output().lines()).containsExactly("1 + 2 = 3", "3 + 4 = 7", "5 + 6 = 11");
    }
}
