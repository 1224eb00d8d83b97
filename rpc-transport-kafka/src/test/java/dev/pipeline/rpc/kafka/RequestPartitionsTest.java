package dev.pipeline.rpc.kafka;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Which request partitions count as stalled, from the calls awaiting a reply and the group's owners. */
class RequestPartitionsTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long NONE = Long.MAX_VALUE;

    /** Six partitions: member A owns 0-2, member B owns 3-5; every partition answered once at {@code t0}. */
    private static RequestPartitions answeredAt(long t0) {
        RequestPartitions rp = new RequestPartitions("rpc.s", "rpc.s", 6);
        for (int p = 0; p < 6; p++) {
            rp.replied(p, t0, MS);
        }
        return rp;
    }

    private static long[] oldest(long... perPartition) {
        return perPartition;
    }

    @Test
    void aStalledPartitionTakesTheOtherPartitionsOfItsMemberWithItOnceTheOwnersAreKnown() {
        long t0 = System.nanoTime();
        RequestPartitions rp = answeredAt(t0);
        long now = t0 + 1000 * MS;
        long[] waiting = oldest(t0 + 100 * MS, NONE, NONE, NONE, NONE, NONE); // only partition 0 has a call waiting

        rp.update(waiting, now);
        assertThat(rp.stalledPartitions()).containsExactly(0);
        assertThat(rp.wantsOwners(now)).isTrue();
        assertThat(rp.wantsOwners(now)).as("one description at a time").isFalse();

        rp.owners(new String[] {"A", "A", "A", "B", "B", "B"});
        rp.update(waiting, now + MS);
        assertThat(rp.stalledPartitions()).containsExactly(0, 1, 2);
        assertThat(rp.livePartitions()).containsExactly(3, 4, 5);
        assertThat(rp.chooseOther(new int[] {0}, now)).isIn(3, 4, 5);
    }

    @Test
    void thePartitionsAClosingServerNamesAreAvoidedUntilTheGroupShowsThemMoved() {
        long t0 = System.nanoTime();
        RequestPartitions rp = answeredAt(t0);
        long now = t0 + 10 * MS;
        long[] waiting = oldest(NONE, NONE, NONE, NONE, NONE, NONE); // no call waits anywhere

        assertThat(rp.leaving("0,1,2", "A", now)).isTrue();
        assertThat(rp.leaving("0,1,2", "A", now)).as("already marked").isFalse();
        rp.update(waiting, now);
        assertThat(rp.stalledPartitions()).containsExactly(0, 1, 2);
        assertThat(rp.livePartitions()).containsExactly(3, 4, 5);

        // its own replies during the hand-over do not bring them back
        rp.replied(1, now + MS, MS);
        rp.update(waiting, now + 2 * MS);
        assertThat(rp.stalledPartitions()).containsExactly(0, 1, 2);

        // the group still shows the closing member, then nobody, then the survivor owning them
        assertThat(rp.wantsOwners(now + 3 * MS)).isTrue();
        rp.owners(new String[] {"A", "A", "A", "B", "B", "B"});
        rp.update(waiting, now + 4 * MS);
        assertThat(rp.stalledPartitions()).containsExactly(0, 1, 2);
        long later = now + RequestPartitions.ASK_NANOS + 5 * MS;
        assertThat(rp.wantsOwners(later)).as("asked again while marked").isTrue();
        rp.owners(new String[] {null, null, null, "B", "B", "B"});
        rp.update(waiting, later);
        assertThat(rp.stalledPartitions()).containsExactly(0, 1, 2);
        later += RequestPartitions.ASK_NANOS + MS;
        assertThat(rp.wantsOwners(later)).isTrue();
        rp.owners(new String[] {"B", "B", "B", "B", "B", "B"});
        rp.update(waiting, later);
        assertThat(rp.stalledPartitions()).isEmpty();
        assertThat(rp.livePartitions()).isNull();
        assertThat(rp.wantsOwners(later + RequestPartitions.ASK_NANOS + MS)).isFalse();
    }

    @Test
    void aSiblingThatAnsweredWithinTheThresholdStaysLive() {
        long t0 = System.nanoTime();
        RequestPartitions rp = answeredAt(t0);
        long now = t0 + 1000 * MS;
        rp.replied(1, now - MS, MS); // member A still answers on partition 1
        long[] waiting = oldest(t0 + 100 * MS, NONE, NONE, NONE, NONE, NONE);
        rp.update(waiting, now);
        assertThat(rp.wantsOwners(now)).isTrue();
        rp.owners(new String[] {"A", "A", "A", "B", "B", "B"});
        rp.update(waiting, now + MS);
        assertThat(rp.stalledPartitions()).containsExactly(0, 2);
    }

    @Test
    void aReplyFromAStalledPartitionDropsTheOwnersAndIsNotALatencySample() {
        long t0 = System.nanoTime();
        RequestPartitions rp = answeredAt(t0);
        long thresholdBefore = rp.threshold();
        long now = t0 + 1000 * MS;
        long[] waiting = oldest(t0 + 100 * MS, NONE, NONE, NONE, NONE, NONE);
        rp.update(waiting, now);
        assertThat(rp.wantsOwners(now)).isTrue();
        rp.owners(new String[] {"A", "A", "A", "B", "B", "B"});
        rp.update(waiting, now + MS);
        assertThat(rp.stalledPartitions()).containsExactly(0, 1, 2);

        // the group gave partition 0 to a live server, which answers the call that waited 6 s there
        assertThat(rp.replied(0, now + 6000 * MS, 6000 * MS)).isTrue();
        assertThat(rp.threshold()).as("a failover's wait does not lift the threshold").isEqualTo(thresholdBefore);
        long[] none = new long[6];
        Arrays.fill(none, NONE);
        rp.update(none, now + 6001 * MS);
        assertThat(rp.stalledPartitions()).isEmpty();
        assertThat(rp.livePartitions()).isNull();
        assertThat(rp.wantsOwners(now + 6001 * MS)).as("nothing stalled: nothing to ask").isFalse();
    }

    @Test
    void ownersThatCannotBeDescribedLeaveEachPartitionJudgedAlone() {
        long t0 = System.nanoTime();
        RequestPartitions rp = answeredAt(t0);
        long now = t0 + 1000 * MS;
        long[] waiting = oldest(t0 + 100 * MS, NONE, NONE, NONE, NONE, NONE);
        rp.update(waiting, now);
        assertThat(rp.wantsOwners(now)).isTrue();
        rp.ownersUnknown(true, "GroupAuthorizationException");
        rp.update(waiting, now + 2000 * MS);
        assertThat(rp.stalledPartitions()).containsExactly(0);
        assertThat(rp.wantsOwners(now + 5000 * MS)).as("refused for good: never asked again").isFalse();
    }
}
