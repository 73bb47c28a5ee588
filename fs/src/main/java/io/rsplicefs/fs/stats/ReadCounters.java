package io.rsplicefs.fs.stats;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** The live counters of one read path; {@link #snapshot()} is what the schema reports ({@link MountStats.ReadPathStats}). */
public final class ReadCounters {
    private final LongAdder requests = new LongAdder();
    private final LongAdder bytes = new LongAdder();
    private final LongAdder spliceReplies = new LongAdder();
    private final LongAdder copyReplies = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final LongAdder sampledPages = new LongAdder();
    private final LongAdder movedPages = new LongAdder();
    private final ConcurrentHashMap<String, LongAdder> copyReasons = new ConcurrentHashMap<>();

    public void request() {
        requests.increment();
    }

    public void spliced(long n) {
        bytes.add(n);
        spliceReplies.increment();
    }

    public void copied(long n, String reason) {
        bytes.add(n);
        copyReplies.increment();
        copyReasons.computeIfAbsent(reason, k -> new LongAdder()).increment();
    }

    public void error() {
        errors.increment();
    }

    public void donationSample(long pages, long moved) {
        sampledPages.add(pages);
        movedPages.add(moved);
    }

    public long requests() {
        return requests.sum();
    }

    public long bytes() {
        return bytes.sum();
    }

    public long spliceReplies() {
        return spliceReplies.sum();
    }

    public long copyReplies() {
        return copyReplies.sum();
    }

    public long errors() {
        return errors.sum();
    }

    public long sampledPages() {
        return sampledPages.sum();
    }

    public long movedPages() {
        return movedPages.sum();
    }

    public MountStats.ReadPathStats snapshot() {
        Map<String, Long> reasons = new TreeMap<>();
        copyReasons.forEach((k, v) -> reasons.put(k, v.sum()));
        return new MountStats.ReadPathStats(requests(), bytes(), spliceReplies(), copyReplies(), reasons, errors(),
                new MountStats.DonationStats(sampledPages(), movedPages()));
    }
}
