package dev.pipeline.rpc.kafka;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A client's view of one service's request partitions: which ones answer. A partition whose oldest call awaiting a
 * reply is older than {@link #threshold()} and that gave no reply for as long is <em>stalled</em> (its server died,
 * hangs, or is being replaced); while some partitions are stalled and others are not, new calls go round-robin to
 * the others ({@link #choose()}). A stalled partition is eligible again as soon as a reply comes from it (the group
 * gave it to a live server, which answers the calls waiting there) or its waiting calls time out.
 *
 * <p>A server owns several partitions, and a dead one answers on none of them. When a partition stalls, the channel
 * asks the consumer group which member owns it ({@link #owners}); the partitions of that member count as stalled
 * too, unless one of them answered within the threshold, so new calls stop going to a dead server after its first
 * stalled partition instead of finding each of its partitions stalled in turn. Without the group's description
 * (the client may lack Describe on the group) each partition is judged on its own.
 *
 * <p>A server that closes gracefully names the partitions it gives up on its last replies
 * ({@link KafkaHeaders#LEAVING}, {@link #leaving}): they count as stalled at once, before any call waits there, until
 * the group's description shows them owned by another member (or, without the description, for
 * {@link #LEAVING_NANOS}; at most twice that).
 *
 * <p>Cost on the common path: {@link #choose()} reads one volatile field and returns null (Kafka's partitioner
 * chooses, as without this class). A hedge ({@link #chooseOther}) goes to a partition its earlier attempts did not
 * go to, one that answered recently when there is one. The channel keeps each call awaiting a reply in one map and runs
 * {@link KafkaClientChannel#checkPartitions} at most every {@link #CHECK_NANOS}, which scans the calls.
 */
final class RequestPartitions {
    private static final Logger log = LoggerFactory.getLogger(RequestPartitions.class);
    /** How often the calls awaiting a reply are checked, at most. */
    static final long CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    /**
     * The shortest wait before a partition counts as stalled. Every call sent to a dead server's partition before it
     * counts as stalled waits for the group to move the partition (seconds), so this bounds the calls a kill delays;
     * a false alarm (a pause longer than this) only sends new calls elsewhere until the partition answers.
     */
    static final long MIN_THRESHOLD_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    /** The longest. */
    static final long MAX_THRESHOLD_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** The threshold is this many times the p99 of recent reply latencies, within the bounds above. */
    static final int LATENCY_FACTOR = 4;
    private static final int SAMPLES = 256;
    /** How often the group's owners may be asked for, at most. */
    static final long ASK_NANOS = TimeUnit.SECONDS.toNanos(1);
    /**
     * How long partitions a closing server named stay avoided when the group cannot tell who owns them now: the
     * group moves them within a heartbeat (1.5 s) and a round after the server left.
     */
    static final long LEAVING_NANOS = TimeUnit.SECONDS.toNanos(5);

    final String topic;
    /** The consumer group of the service's servers. */
    final String group;
    final int count;
    private final long createdNanos = System.nanoTime();
    /** Per partition: when the last reply came (0: none yet). */
    private final AtomicLongArray lastReplyNanos;
    /** Recent reply latencies (a ring, overwritten racily: a sample lost or doubled does not matter). */
    private final AtomicLongArray latencies = new AtomicLongArray(SAMPLES);
    private final AtomicInteger nextSample = new AtomicInteger();
    private final AtomicInteger nextPartition = new AtomicInteger();
    /** Partitions new calls go to while some are stalled, else null (the common case). */
    private volatile int[] live;
    /** Per partition, whether it is stalled now (read-only once published). */
    private volatile boolean[] stalled;
    /** Whether a partition stalled at the last check (not only as a sibling of one). */
    private volatile boolean anyStalled;
    /**
     * Per partition, the group member that owned it when the group was described since the partitions began to
     * stall (null: not known). Dropped when a stalled partition answers (the group moved partitions) and when none
     * is stalled any more.
     */
    private volatile String[] owners;
    /** Whether a description of the group is awaited. */
    private final AtomicBoolean asking = new AtomicBoolean();
    private volatile long nextAskNanos;
    /** The group cannot be described (no Describe permission): partitions are judged one by one. */
    private volatile boolean ownersUnavailable;
    /** Per partition, the member of the group that announced it gives it up (null: none). */
    private final java.util.concurrent.atomic.AtomicReferenceArray<String> leavingMember;
    /** Per partition, when its {@link #leavingMember} announced the leave. */
    private final AtomicLongArray leavingSince;
    /** Whether some partition is marked as given up by a closing server. */
    private volatile boolean anyLeaving;

    RequestPartitions(String topic, String group, int count) {
        this.topic = topic;
        this.group = group;
        this.count = count;
        this.lastReplyNanos = new AtomicLongArray(count);
        this.stalled = new boolean[count];
        this.leavingMember = new java.util.concurrent.atomic.AtomicReferenceArray<>(count);
        this.leavingSince = new AtomicLongArray(count);
    }

    /**
     * A reply carried a closing server's {@link KafkaHeaders#LEAVING} announcement: {@code partitions} (comma
     * separated) are given up by group member {@code member}.
     *
     * @return whether a partition was newly marked (so a check should run now)
     */
    boolean leaving(String partitions, String member, long nowNanos) {
        boolean marked = false;
        String who = member == null ? "" : member;
        for (String part : partitions.split(",")) {
            int p;
            try {
                p = Integer.parseInt(part.trim());
            } catch (NumberFormatException e) {
                continue;
            }
            if (p < 0 || p >= count) {
                continue;
            }
            if (!who.equals(leavingMember.get(p))) {
                leavingSince.set(p, nowNanos);
                leavingMember.set(p, who);
                marked = true;
            }
        }
        if (marked) {
            anyLeaving = true;
        }
        return marked;
    }

    /** @return the partition for a new call, or null to let Kafka's partitioner choose */
    Integer choose() {
        int[] l = live;
        if (l == null) {
            return null;
        }
        return l[Math.floorMod(nextPartition.getAndIncrement(), l.length)];
    }

    /**
     * The partition for a hedge: a call sent again because no reply came from the partitions in {@code avoid}.
     * Round-robin over the partitions that are not in {@code avoid}, not stalled, and answered within
     * {@link #threshold()}; failing that, over those neither avoided nor stalled; failing that, over those not
     * avoided; null (Kafka's partitioner chooses) when every partition is avoided.
     */
    Integer chooseOther(int[] avoid, long nowNanos) {
        boolean[] s = stalled;
        long recent = threshold();
        int[] best = new int[count];
        int[] fair = new int[count];
        int[] any = new int[count];
        int nb = 0;
        int nf = 0;
        int na = 0;
        for (int p = 0; p < count; p++) {
            if (contains(avoid, p)) {
                continue;
            }
            any[na++] = p;
            if (s[p]) {
                continue;
            }
            fair[nf++] = p;
            long last = lastReplyNanos.get(p);
            if (last != 0 && nowNanos - last <= recent) {
                best[nb++] = p;
            }
        }
        int turn = nextPartition.getAndIncrement();
        if (nb > 0) {
            return best[Math.floorMod(turn, nb)];
        }
        if (nf > 0) {
            return fair[Math.floorMod(turn, nf)];
        }
        return na > 0 ? any[Math.floorMod(turn, na)] : null;
    }

    private static boolean contains(int[] a, int v) {
        for (int x : a) {
            if (x == v) {
                return true;
            }
        }
        return false;
    }

    /**
     * A reply to a call sent to {@code partition} (-1 if not known yet) after {@code latencyNanos}.
     *
     * @return whether the partition was stalled (so a check should run now)
     */
    boolean replied(int partition, long nowNanos, long latencyNanos) {
        if (partition < 0 || partition >= count) {
            latencies.lazySet(Math.floorMod(nextSample.getAndIncrement(), SAMPLES), Math.max(1, latencyNanos));
            return false;
        }
        lastReplyNanos.lazySet(partition, nowNanos);
        if (!stalled[partition]) {
            latencies.lazySet(Math.floorMod(nextSample.getAndIncrement(), SAMPLES), Math.max(1, latencyNanos));
            return false;
        }
        // not a sample: the wait of a call that a failover delayed would lift the threshold for the next one
        owners = null; // the group moved partitions: who owns which is to be asked again
        return true;
    }

    /**
     * Whether the channel should describe the group now: a partition stalled, its owners are not known, and no
     * description is awaited or was refused. Claims the description when it returns true.
     */
    boolean wantsOwners(long nowNanos) {
        boolean leave = anyLeaving;
        if (!anyStalled && !leave || owners != null && !leave || ownersUnavailable || nowNanos - nextAskNanos < 0) {
            return false;
        }
        if (!asking.compareAndSet(false, true)) {
            return false;
        }
        nextAskNanos = nowNanos + ASK_NANOS;
        return true;
    }

    /** The group's description arrived: {@code byPartition[p]} is the member owning partition p, or null. */
    void owners(String[] byPartition) {
        if (anyStalled || anyLeaving) {
            owners = byPartition.clone();
        }
        asking.set(false);
    }

    /** The group could not be described; {@code forGood} when it never will be (not authorized). */
    void ownersUnknown(boolean forGood, String why) {
        if (forGood && !ownersUnavailable) {
            ownersUnavailable = true;
            log.info("requests to {}: cannot describe group {} ({}); stalled partitions are found one by one",
                    topic, group, why);
        }
        asking.set(false);
    }

    /** How old a partition's oldest call awaiting a reply may be before the partition counts as stalled. */
    long threshold() {
        long[] s = new long[SAMPLES];
        int n = 0;
        for (int i = 0; i < SAMPLES; i++) {
            long v = latencies.get(i);
            if (v > 0) {
                s[n++] = v;
            }
        }
        if (n == 0) {
            return MIN_THRESHOLD_NANOS;
        }
        Arrays.sort(s, 0, n);
        long p99 = s[Math.min(n - 1, (int) Math.ceil(n * 0.99) - 1)];
        long t = p99 > MAX_THRESHOLD_NANOS / LATENCY_FACTOR ? MAX_THRESHOLD_NANOS : p99 * LATENCY_FACTOR;
        return Math.max(MIN_THRESHOLD_NANOS, Math.min(MAX_THRESHOLD_NANOS, t));
    }

    /**
     * Decides which partitions are stalled from the oldest call awaiting a reply on each ({@code oldestSentNanos},
     * {@link Long#MAX_VALUE} for none).
     */
    void update(long[] oldestSentNanos, long nowNanos) {
        long threshold = threshold();
        boolean[] next = new boolean[count];
        int stalledCount = 0;
        for (int p = 0; p < count; p++) {
            long oldest = oldestSentNanos[p];
            if (oldest == Long.MAX_VALUE || nowNanos - oldest <= threshold) {
                continue;
            }
            long last = lastReplyNanos.get(p);
            long since = last == 0 ? createdNanos : last;
            if (nowNanos - since > threshold) {
                next[p] = true;
                stalledCount++;
            }
        }
        String[] own = owners;
        stalledCount += leavingNow(next, own, nowNanos);
        anyStalled = stalledCount > 0;
        if (stalledCount == 0) {
            owners = null;
        } else if (own != null) {
            stalledCount += siblings(next, own, nowNanos, threshold);
        }
        boolean[] before = stalled;
        if (Arrays.equals(before, next)) {
            return;
        }
        stalled = next;
        if (stalledCount == 0 || stalledCount == count) {
            live = null; // nothing to avoid, or nowhere better to go
        } else {
            int[] l = new int[count - stalledCount];
            for (int p = 0, i = 0; p < count; p++) {
                if (!next[p]) {
                    l[i++] = p;
                }
            }
            live = l;
        }
        boolean wasStalled = false;
        for (boolean b : before) {
            wasStalled |= b;
        }
        if (stalledCount == 0) {
            log.info("requests to {}: every partition answers again; new calls go to any partition", topic);
        } else if (log.isInfoEnabled() && !wasStalled || log.isDebugEnabled()) { // changes within a stall: debug
            String msg = "requests to {}: partitions {} stalled (no reply within {} ms, or owned by the group member "
                    + "of one with none); new calls go to {}";
            Object[] args = {topic, stalledList(next), TimeUnit.NANOSECONDS.toMillis(threshold),
                    live == null ? "any partition (none answers)" : Arrays.toString(live)};
            if (wasStalled) {
                log.debug(msg, args);
            } else {
                log.info(msg, args);
            }
        }
    }

    /**
     * Marks the partitions a closing server gave up, and drops the marks of those the group shows owned by another
     * member now (or, when the group cannot be described, marked {@link #LEAVING_NANOS} ago).
     *
     * @return how many were marked that were not stalled already
     */
    private int leavingNow(boolean[] next, String[] own, long nowNanos) {
        int marked = 0;
        boolean left = false;
        for (int p = 0; p < count; p++) {
            String member = leavingMember.get(p);
            if (member == null) {
                continue;
            }
            boolean moved = own != null && own[p] != null && !own[p].equals(member);
            if (moved || nowNanos - leavingSince.get(p) > (ownersUnavailable ? LEAVING_NANOS : 2 * LEAVING_NANOS)) {
                leavingMember.compareAndSet(p, member, null);
                continue;
            }
            left = true;
            if (!next[p]) {
                next[p] = true;
                marked++;
            }
        }
        anyLeaving = left;
        return marked;
    }

    /**
     * Marks the partitions owned by the member that owns a stalled one, unless they answered within
     * {@code threshold}.
     *
     * @return how many were marked
     */
    private int siblings(boolean[] next, String[] own, long nowNanos, long threshold) {
        boolean[] direct = next.clone();
        int marked = 0;
        for (int q = 0; q < count; q++) {
            if (next[q] || own[q] == null) {
                continue;
            }
            long last = lastReplyNanos.get(q);
            if (last != 0 && nowNanos - last <= threshold) {
                continue; // its owner answers there: alive
            }
            for (int p = 0; p < count; p++) {
                if (direct[p] && own[q].equals(own[p])) {
                    next[q] = true;
                    marked++;
                    break;
                }
            }
        }
        return marked;
    }

    private static List<Integer> stalledList(boolean[] s) {
        List<Integer> l = new ArrayList<>();
        for (int p = 0; p < s.length; p++) {
            if (s[p]) {
                l.add(p);
            }
        }
        return l;
    }

    /** The stalled partitions now. For tests. */
    List<Integer> stalledPartitions() {
        return stalledList(stalled);
    }

    /** The partitions new calls go to, or null for Kafka's partitioner. For tests. */
    int[] livePartitions() {
        int[] l = live;
        return l == null ? null : l.clone();
    }
}
