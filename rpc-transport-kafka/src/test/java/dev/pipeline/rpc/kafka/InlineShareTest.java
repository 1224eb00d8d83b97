package dev.pipeline.rpc.kafka;

import org.junit.jupiter.api.Test;

import static dev.pipeline.rpc.kafka.KafkaServerChannel.ROUND_CUT_SHARE;
import static dev.pipeline.rpc.kafka.KafkaServerChannel.SHARE_ONE;
import static dev.pipeline.rpc.kafka.KafkaServerChannel.SLOW_SHARE_LIMIT;
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
    void aLoneSlowRunDoesNotEndTheRoundButASecondOneSoonAfterDoes() {
        int afterOne = shareAfter(quickRuns(SHARE_ONE, 100), true);
        assertThat(afterOne).as("a preempted run among quick ones").isLessThanOrEqualTo(ROUND_CUT_SHARE);
        assertThat(shareAfter(afterOne, true)).as("two in a row").isGreaterThan(ROUND_CUT_SHARE);
        assertThat(shareAfter(quickRuns(afterOne, 3), true)).as("two within a few runs").isGreaterThan(ROUND_CUT_SHARE);
        assertThat(shareAfter(quickRuns(afterOne, 20), true)).as("two far apart").isLessThanOrEqualTo(ROUND_CUT_SHARE);
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
        // about 0.3% of quick runs were preempted past the threshold on our 2-core machines: one in ~300
        int share = 0;
        int cuts = 0;
        for (int i = 1; i <= 100_000; i++) {
            boolean slow = i % 297 == 0;
            share = shareAfter(share, slow);
            if (slow && share > ROUND_CUT_SHARE) {
                cuts++;
            }
            assertThat(share).isLessThanOrEqualTo(SLOW_SHARE_LIMIT);
        }
        assertThat(cuts).isZero();
    }
}
