package io.rsplicefs.fs.stats;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** The live counters of the write side; {@link #snapshot()} is what the schema reports ({@link MountStats.WriteStats}). */
public final class WriteCounters {
    private final LongAdder requests = new LongAdder();
    private final LongAdder bytes = new LongAdder();
    private final LongAdder spliced = new LongAdder();
    private final LongAdder copied = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final LongAdder zeroCopied = new LongAdder();
    private final ConcurrentHashMap<String, LongAdder> copyReasons = new ConcurrentHashMap<>();

    /** A write whose payload was spliced from libfuse's pipe into the backing file. */
    public void spliced(long n) {
        requests.increment();
        bytes.add(n);
        spliced.increment();
    }

    /** A write whose payload passed through memory, and why. */
    public void copied(long n, String reason) {
        requests.increment();
        bytes.add(n);
        copied.increment();
        copyReasons.computeIfAbsent(reason, k -> new LongAdder()).increment();
    }

    /** A write whose payload stayed in the writer's pages, drained into the backing file by write-fixed. */
    public void zeroCopied(long n) {
        requests.increment();
        bytes.add(n);
        zeroCopied.increment();
    }

    /** A write answered with an error. */
    public void error() {
        requests.increment();
        errors.increment();
    }

    public MountStats.WriteStats snapshot() {
        Map<String, Long> reasons = new TreeMap<>();
        copyReasons.forEach((k, v) -> reasons.put(k, v.sum()));
        return new MountStats.WriteStats(requests.sum(), bytes.sum(), spliced.sum(), copied.sum(), reasons, errors.sum(),
                zeroCopied.sum());
    }
}
