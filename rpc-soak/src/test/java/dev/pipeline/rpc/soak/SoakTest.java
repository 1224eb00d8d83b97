package dev.pipeline.rpc.soak;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The short soak of CI: 3 server processes, 2000 calls at 32 in flight, 2 servers killed with SIGKILL and replaced,
 * on a local broker of each transport. Asserts that every call completed exactly once (a result or an error with
 * a message), none hung, none lost against the servers' execution logs. No timing assertion: the call timeout
 * (180 s) outlasts the longest stall a Kafka consumer group has shown after a kill with the 45 s session timeout of
 * kafka-clients (about 90 s, when the killed server had just joined the group); with a 90 s timeout that stall made
 * a window of calls time out unexecuted, which this test reports as lost.
 */
class SoakTest {
    /** The servers' logs and output stay here for a look after a failure. */
    private static final Path LOGS = Path.of("target", "soak-test");

    private static SoakResult soak(String transport, Path dir) {
        return soak(transport, dir, false);
    }

    private static SoakResult soak(String transport, Path dir, boolean idempotent) {
        return soak(transport, dir, b -> b.idempotent(idempotent));
    }

    private static SoakResult soak(String transport, Path dir,
                                   java.util.function.UnaryOperator<SoakOptions.Builder> more) {
        SoakOptions o = more.apply(SoakOptions.builder().transports(List.of(transport)).servers(3).calls(2000)
                .inFlight(32).rate(250).killEvery(Duration.ofSeconds(3)).maxKills(2)
                .callTimeout(Duration.ofSeconds(180)).grace(Duration.ofSeconds(20)).seed(7).workDir(dir)).build();
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(progress, true, StandardCharsets.UTF_8);
        List<SoakResult> results = Soak.run(o, ps);
        System.out.print(progress.toString(StandardCharsets.UTF_8));
        assertThat(results).hasSize(1);
        return results.get(0);
    }

    private static void assertSound(SoakResult r) {
        assertThat(r.kills()).isEqualTo(2);
        assertThat(r.hung()).as("hung").isZero();
        assertThat(r.completedTwice()).as("completed twice").isZero();
        assertThat(r.ok() + r.failed()).isEqualTo(r.calls());
        assertThat(r.lost()).as("lost").isZero();
        assertThat(r.okUnlogged()).as("ok but in no execution log").isZero();
        assertThat(r.ok()).isPositive();
        assertThat(r.failuresByReason().keySet()).allSatisfy(reason -> assertThat(reason).isNotBlank());
        assertThat(r.format()).contains("calls   ok " + r.ok(), "lost 0", "kill -> first survivor reply");
    }

    @Test
    void kafkaSurvivesTwoKills() {
        assertSound(soak("kafka", LOGS));
    }

    @Test
    void kafkaWithIdempotentCallsSurvivesTwoKills() {
        SoakResult r = soak("kafka", LOGS, true);
        assertSound(r);
        assertThat(r.idempotent()).isTrue();
        assertThat(r.extraAfterKill() + r.extraOther()).as("every extra execution attributed")
                .isEqualTo(r.extraExecutions());
        assertThat(r.hedgesWon()).as("hedges won").isLessThanOrEqualTo(r.hedgesSent());
        assertThat(r.format()).contains("hedges  " + r.hedgesSent() + " sent");
    }

    @Test
    void kafkaWithStableIdentitiesSurvivesTwoKills() {
        // each replacement takes over the killed server's group.instance.id (static membership)
        assertSound(soak("kafka", LOGS, b -> b.stableIdentities(true)));
    }

    @Test
    void kafkaRollingRestartFailsNoCall() {
        // three servers stopped in turn with SIGTERM, each replaced at once: they hand their work over. A stop waits
        // until two servers are ready (a replacement JVM takes seconds to start on a loaded machine), so the calls
        // last 24 s for the three stops, 3 s apart, to happen while they are sent
        SoakResult r = soak("kafka", LOGS, b -> b.graceful(true).maxKills(3).calls(6000));
        assertThat(r.kills()).isEqualTo(3);
        assertThat(r.hung()).as("hung").isZero();
        assertThat(r.completedTwice()).as("completed twice").isZero();
        assertThat(r.lost()).as("lost").isZero();
        assertThat(r.failed()).as("failed calls: %s", r.failuresByReason()).isZero();
        assertThat(r.ok()).isEqualTo(6000);
    }

    @Test
    void redisSurvivesTwoKills() {
        assertSound(soak("redis", LOGS));
    }

    @Test
    void optionsAreValidated() {
        assertThatThrownBy(() -> SoakOptions.builder().servers(1).build()).hasMessageContaining("--servers");
        assertThatThrownBy(() -> SoakOptions.builder().transports(List.of("nats")).build())
                .hasMessageContaining("--transport");
        assertThatThrownBy(() -> SoakOptions.builder().broker("redis://127.0.0.1:1").build())
                .hasMessageContaining("--transport redis");
        assertThat(SoakOptions.builder().transports(List.of("redis")).broker("redis://127.0.0.1:1").build().broker())
                .contains("redis://127.0.0.1:1");
    }
}
