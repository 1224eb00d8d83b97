package dev.pipeline.rpc.soak;

import java.util.List;
import java.util.Map;

/**
 * The figures of one soak run on one transport.
 *
 * @param transport        {@code kafka} or {@code redis}
 * @param broker           the broker URI
 * @param calls            calls made
 * @param ok               calls that returned their key
 * @param failed           calls that completed with an error
 * @param failuresByReason failed calls by error code and message
 * @param hung             calls still open at the end (past their timeout plus the grace)
 * @param completedTwice   calls whose future completed more than once (never, if the library keeps its contract)
 * @param lost             calls with no result whose key is in no execution log
 * @param okUnlogged       calls that returned their key but are in no execution log (a broken log: never)
 * @param duplicateKeys    keys executed more than once
 * @param extraExecutions  executions beyond the first of those keys
 * @param duplicatesWithKilled duplicate keys with an execution on a process that was killed
 * @param extraAfterKill   extra executions redelivered after a kill: per key, in time order, an execution preceded
 *                         by one on a process killed before it started (work the killed process did but never
 *                         acknowledged); each such killed execution explains one
 * @param extraOther       the other extra executions: from hedges when the calls were idempotent, else redeliveries
 *                         without a kill (a partition moved in a rebalance before its offsets were committed)
 * @param idempotent       whether the calls were declared idempotent (so the client could hedge them)
 * @param hedgesSent       hedges the client sent
 * @param hedgesWon        hedged calls completed by a hedge's reply
 * @param hedgesDenied     hedges the client's hedge budget refused
 * @param lateReplies      replies the client dropped because their call was already complete (or timed out)
 * @param slowest          the slowest calls: key, latency, who replied, and each execution of the key (server, ms
 *                         after the send, and for a killed server when it was killed)
 * @param p50Ms            latency p50 of the completed calls, milliseconds
 * @param p99Ms            latency p99
 * @param maxMs            latency max
 * @param kills            servers killed
 * @param killToReplyMs    per kill: from the kill to the first reply by a survivor to a call sent after the kill,
 *                         milliseconds (-1 when none came)
 * @param longestGapMs     the longest time without any reply while calls were open
 * @param seconds          the load's wall time
 * @param workDir          where the logs are
 */
public record SoakResult(String transport, String broker, int calls, int ok, int failed,
                         Map<String, Integer> failuresByReason, int hung, int completedTwice, int lost, int okUnlogged,
                         int duplicateKeys, int extraExecutions, int duplicatesWithKilled, int extraAfterKill,
                         int extraOther, boolean idempotent, long hedgesSent, long hedgesWon, long hedgesDenied, long lateReplies,
                         List<String> slowest,
                         double p50Ms, double p99Ms,
                         double maxMs, int kills, List<Long> killToReplyMs, long longestGapMs, double seconds,
                         String workDir) {
    public SoakResult {
        failuresByReason = Map.copyOf(failuresByReason);
        killToReplyMs = List.copyOf(killToReplyMs);
        slowest = List.copyOf(slowest);
    }

    /** @return the figures as printed lines */
    public String format() {
        StringBuilder s = new StringBuilder();
        s.append(String.format("soak %s at %s: %d %scalls in %.1f s, %d kills%n", transport, broker, calls,
                idempotent ? "idempotent " : "", seconds, kills));
        s.append(String.format("  calls   ok %d, failed %d, hung %d, lost %d%n", ok, failed, hung, lost));
        failuresByReason.forEach((reason, n) -> s.append(String.format("          failed %d: %s%n", n, reason)));
        if (completedTwice > 0 || okUnlogged > 0) {
            s.append(String.format("  BROKEN  completed twice %d, ok but in no log %d%n", completedTwice, okUnlogged));
        }
        s.append(String.format("  dups    %d keys executed more than once (%d extra executions), %d of them on a"
                + " killed server%n", duplicateKeys, extraExecutions, duplicatesWithKilled));
        s.append(String.format("          extra executions: %d redelivered after a kill, %d %s%n", extraAfterKill,
                extraOther, idempotent ? "from hedges" : "redelivered without a kill"));
        if (idempotent) {
            s.append(String.format("  hedges  %d sent, %d won (a hedge's reply completed the call), %d refused by the"
                    + " budget, %d late replies dropped%n", hedgesSent, hedgesWon, hedgesDenied, lateReplies));
        }
        s.append(String.format("  latency p50 %.1f ms, p99 %.1f ms, max %.1f ms%n", p50Ms, p99Ms, maxMs));
        List<Long> answered = killToReplyMs.stream().filter(v -> v >= 0).sorted().toList();
        if (!killToReplyMs.isEmpty()) {
            s.append(String.format("  kill -> first survivor reply: median %s ms, max %s ms over %d kills%s%n",
                    answered.isEmpty() ? "-" : answered.get(answered.size() / 2),
                    answered.isEmpty() ? "-" : answered.get(answered.size() - 1), killToReplyMs.size(),
                    answered.size() < killToReplyMs.size()
                            ? " (" + (killToReplyMs.size() - answered.size()) + " without one)" : ""));
        }
        s.append(String.format("  longest time without a reply: %d ms%n", longestGapMs));
        for (String call : slowest) {
            s.append("  slowest ").append(call).append(System.lineSeparator());
        }
        s.append("  logs    ").append(workDir).append(System.lineSeparator());
        return s.toString();
    }
}
