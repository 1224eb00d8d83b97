package dev.pipeline.rpc.kafka;

import org.junit.jupiter.api.Test;

import static dev.pipeline.rpc.kafka.KafkaServerChannel.SHARE_ONE;
import static dev.pipeline.rpc.kafka.KafkaServerChannel.SLOW_SHARE_LIMIT;
import static dev.pipeline.rpc.kafka.KafkaServerChannel.endsRound;
import static dev.pipeline.rpc.kafka.KafkaServerChannel.shareAfter;
import static org.assertj.core.api.Assertions.assertThat;

/** The rule that decides, run by run, whether a Kafka server's poll loop keeps running a poll's records inline. */
class InlineShareTest {

    private static int quickRuns(int share, int n) {
        for (int i = 0; i < n; i++) {
            share = shareAfter(share, false);
        }
        return share;
    }

    @Test
    void quickRunsBringTheShareBackToZero() {
        assertThat(quickRuns(SHARE_ONE, 100)).isZero();
        assertThat(quickRuns(shareAfter(0, true), 40)).as("no remainder left behind by rounding").isZero();
    }

    @Test
    void onlyTwoSlowRunsInARowEndARound() {
        assertThat(endsRound(false, true)).as("a preempted run among quick ones").isFalse();
        assertThat(endsRound(true, true)).as("two in a row: a handler that blocks").isTrue();
        assertThat(endsRound(true, false)).as("a quick run after a slow one").isFalse();
        assertThat(endsRound(false, false)).isFalse();
    }

    @Test
    void threeSlowRunsInARowMakeHandlersCountAsSlow() {
        int share = 0;
        for (int i = 0; i < 2; i++) {
            share = shareAfter(share, true);
        }
        assertThat(share).isLessThanOrEqualTo(SLOW_SHARE_LIMIT);
        assertThat(shareAfter(share, true)).isGreaterThan(SLOW_SHARE_LIMIT);
        assertThat(shareAfter(SHARE_ONE, true)).isEqualTo(SHARE_ONE);
    }

    @Test
    void preemptionsAtTheRateMeasuredOnTwoSaturatedCoresNeitherCutRoundsNorSlowTheLoopDown() {
        // measured at 256 calls in flight on our 2-core machines, a third of the time stolen by the host: 0.4% of
        // quick runs took over the threshold (preempted), and 78 of 3,000 of them came within five runs of another
        // (19 right after one). Here one run in ~250 is slow, and every tenth of them comes three or five runs
        // after the one before
        int share = 0;
        int cuts = 0;
        boolean previousSlow = false;
        int sinceSlow = 0;
        int slowRuns = 0;
        for (int i = 1; i <= 100_000; i++) {
            sinceSlow++;
            boolean slow = i % 251 == 0 || (slowRuns % 10 == 9 && sinceSlow == 2 + slowRuns % 4);
            if (slow) {
                slowRuns++;
                sinceSlow = 0;
            }
            share = shareAfter(share, slow);
            if (endsRound(previousSlow, slow)) {
                cuts++;
            }
            previousSlow = slow;
            assertThat(share).isLessThanOrEqualTo(SLOW_SHARE_LIMIT);
        }
        assertThat(slowRuns).isGreaterThan(400);
        assertThat(cuts).isZero();
    }
}
