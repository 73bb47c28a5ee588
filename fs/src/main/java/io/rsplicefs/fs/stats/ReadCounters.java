package io.rsplicefs.fs.stats;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What one read path did, as counted by the filesystem itself:
 * <ul>
 * <li>{@code spliceReplies}: replies handed to libfuse as an fd or pipe of at least
 * two pages with splice_write on, so libfuse splices them into /dev/fuse;</li>
 * <li>{@code copyReplies}: replies whose bytes were copied, with the reason
 * (the copy path itself, a reply under two pages that libfuse copies anyway,
 * splice_write off, or a fallback such as a pipe that could not be made);</li>
 * <li>{@code donation}: for sampled replies, backing pages resident right after
 * the reply was filled and how many of them had left the backing file's cache
 * when checked later (mincore): those were moved into the FUSE page cache.</li>
 * </ul>
 */
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

    public Map<String, Object> snapshot() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("requests", requests());
        m.put("bytes", bytes());
        m.put("spliceReplies", spliceReplies());
        m.put("copyReplies", copyReplies());
        Map<String, Long> reasons = new TreeMap<>();
        copyReasons.forEach((k, v) -> reasons.put(k, v.sum()));
        m.put("copyReasons", reasons);
        m.put("errors", errors());
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("sampledPages", sampledPages());
        d.put("movedPages", movedPages());
        m.put("donation", d);
        return m;
    }
}
