package dev.pipeline.examples;

import dev.pipeline.examples.klass.ClassExample;
import dev.pipeline.examples.messenger.MessengerExample;
import dev.pipeline.examples.simple.SimpleExample;
import dev.pipeline.rpc.tck.broker.KafkaBroker;
import dev.pipeline.rpc.tck.broker.RedisBroker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs each example's {@code main} as a user would, against real local brokers, and checks what it printed: the
 * simple and messenger examples on Kafka (the shared local broker, passed as a URI) and on Redis; the class example
 * with no argument, so it starts (and removes) a local Redis itself.
 */
class ExamplesTest {
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
    void simpleOnKafka() {
        String uri = KafkaBroker.shared().uri();
        SimpleExample.main(new String[] {uri});
        assertThat(output())
                .contains("broker: " + uri)
                .contains("sender -> echo(\"hello\")", "receiver <- echo(\"hello\")", "sender <- \"hello\"")
                .contains("sender <- \"안녕하세요\"")
                .contains("simple example done: 3 echoes");
    }

    @Test
    void simpleOnRedis() {
        SimpleExample.main(new String[] {RedisBroker.shared().uri().toString()});
        assertThat(output()).contains("simple example done: 3 echoes");
    }

    @Test
    void classStartsItsOwnRedisWhenGivenNoBroker() {
        ClassExample.main(new String[0]);
        assertThat(output())
                .contains("starting a local redis broker")
                .contains("sync:  add(apple, 5)      -> Item[sku=apple, name=Apple, quantity=5]")
                .contains("async: add(plum, 9)       -> Item[sku=plum, name=Plum, quantity=9]")
                .contains("sync:  take(apple, 100)   -> error 1001: only 4 apple in stock, 100 wanted")
                .contains("async: take(kiwi, 1)      -> error 1002: no item 'kiwi'")
                .contains("class example done: 3 items in stock");
    }

    @Test
    void messengerOnKafka() throws InterruptedException {
        MessengerExample.main(new String[] {KafkaBroker.shared().uri()});
        assertMessengerOutput();
    }

    @Test
    void messengerOnRedis() throws InterruptedException {
        MessengerExample.main(new String[] {RedisBroker.shared().uri().toString()});
        assertMessengerOutput();
    }

    private void assertMessengerOutput() {
        assertThat(output())
                .containsPattern("\\[bob's inbox\\] \\d\\d:\\d\\d:\\d\\d alice -> bob: Hi Bob! Lunch at noon\\?")
                .containsPattern("\\[alice's inbox\\] \\d\\d:\\d\\d:\\d\\d bob -> alice: Sure, see you at noon\\.")
                .containsPattern("\\[bob's inbox\\] \\d\\d:\\d\\d:\\d\\d alice -> bob: Great!")
                .contains("bob's history:")
                .contains("messenger example done: 3 messages delivered");
        String history = output().substring(output().indexOf("bob's history:"));
        assertThat(history.lines().filter(l -> l.startsWith("  ")).count()).isEqualTo(3);
    }
}
