package io.rsplicefs.cli.bench;

import io.rsplicefs.fs.stats.MountStats;
import java.util.Map;
import java.util.TreeMap;

/**
 * A rsplicefs mount's own counters, summed over its read paths: bytes served,
 * replies spliced or copied (and why copied), the donation samples, and the
 * READ sizes the kernel asked for (direct engine only; empty for jnr-fuse),
 * and the opens handed to the kernel by FUSE passthrough (it then reads alone).
 */
record FsCounters(long served, long spliceReplies, long copyReplies, long sampledPages, long movedPages,
                  Map<String, Long> copyReasons, Map<String, Long> readSizes, long passedThrough) {

    /** Sums the read paths of a mount's counters. */
    static FsCounters of(MountStats stats) {
        long served = 0;
        long spliced = 0;
        long copied = 0;
        long sampled = 0;
        long moved = 0;
        Map<String, Long> reasons = new TreeMap<>();
        for (MountStats.ReadPathStats p : stats.readPaths().values()) {
            served += p.bytes();
            spliced += p.spliceReplies();
            copied += p.copyReplies();
            sampled += p.donation().sampledPages();
            moved += p.donation().movedPages();
            p.copyReasons().forEach((k, n) -> reasons.merge(k, n, Long::sum));
        }
        Map<String, Long> sizes = stats.engine() == null || stats.engine().readSizes() == null ? Map.of()
                : stats.engine().readSizes();
        long passed = stats.passthrough() == null ? 0 : stats.passthrough().opens();
        return new FsCounters(served, spliced, copied, sampled, moved, reasons, sizes, passed);
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
                reasons, ReadSizes.minus(readSizes, before.readSizes), passedThrough - before.passedThrough);
    }

    /** Fraction of the replies that were spliced; null without replies. */
    Double splicedFraction() {
        long all = spliceReplies + copyReplies;
        return all == 0 ? null : spliceReplies / (double) all;
    }
}
