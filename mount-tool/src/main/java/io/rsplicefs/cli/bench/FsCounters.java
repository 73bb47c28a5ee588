package io.rsplicefs.cli.bench;

import java.util.Map;
import java.util.TreeMap;

/**
 * A rsplicefs mount's own counters, summed over its read paths: bytes served,
 * replies spliced or copied (and why copied), and the donation samples.
 */
record FsCounters(long served, long spliceReplies, long copyReplies, long sampledPages, long movedPages,
                  Map<String, Long> copyReasons) {

    /** Parses the "readPaths" section of the stats JSON. */
    static FsCounters of(Map<?, ?> readPaths) {
        long served = 0;
        long spliced = 0;
        long copied = 0;
        long sampled = 0;
        long moved = 0;
        Map<String, Long> reasons = new TreeMap<>();
        for (Object v : readPaths.values()) {
            if (!(v instanceof Map<?, ?> p)) {
                continue;
            }
            served += num(p.get("bytes"));
            spliced += num(p.get("spliceReplies"));
            copied += num(p.get("copyReplies"));
            if (p.get("donation") instanceof Map<?, ?> d) {
                sampled += num(d.get("sampledPages"));
                moved += num(d.get("movedPages"));
            }
            if (p.get("copyReasons") instanceof Map<?, ?> r) {
                r.forEach((k, n) -> reasons.merge(String.valueOf(k), num(n), Long::sum));
            }
        }
        return new FsCounters(served, spliced, copied, sampled, moved, reasons);
    }

    /** What happened between {@code before} and this. */
    FsCounters minus(FsCounters before) {
        Map<String, Long> reasons = new TreeMap<>();
        copyReasons.forEach((k, n) -> {
            long d = n - before.copyReasons.getOrDefault(k, 0L);
            if (d != 0) {
                reasons.put(k, d);
            }
        });
        return new FsCounters(served - before.served, spliceReplies - before.spliceReplies,
                copyReplies - before.copyReplies, sampledPages - before.sampledPages, movedPages - before.movedPages,
                reasons);
    }

    /** Fraction of the replies that were spliced; null without replies. */
    Double splicedFraction() {
        long all = spliceReplies + copyReplies;
        return all == 0 ? null : spliceReplies / (double) all;
    }

    private static long num(Object o) {
        return o instanceof Number n ? n.longValue() : 0;
    }
}
