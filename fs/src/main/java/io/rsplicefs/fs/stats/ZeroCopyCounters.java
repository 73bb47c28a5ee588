package io.rsplicefs.fs.stats;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What FUSE io_uring zero copy (FUSE 7.46, Linux 7.3) did for one mount:
 * opens answered with FOPEN_IO_URING_ZERO_COPY, opens that wanted it and were
 * served by the daemon's other read paths instead (and why), and the ring
 * requests whose payload the kernel handed over as the reader's (READ) or
 * writer's (WRITE) own pages (FUSE_URING_ENT_ZERO_COPY in the entry's flags).
 * {@link #snapshot()} is what the schema reports ({@link MountStats.ZeroCopyStats}).
 */
public final class ZeroCopyCounters {
    private volatile String status = "off";
    private final LongAdder opens = new LongAdder();
    private final LongAdder zeroCopied = new LongAdder();
    private final LongAdder zeroCopiedWrites = new LongAdder();
    private final LongAdder fallbacks = new LongAdder();
    private final ConcurrentHashMap<String, LongAdder> reasons = new ConcurrentHashMap<>();

    /** "off" (the read path is not uring-zc), "on", or "unavailable: why" (the whole mount falls back). */
    public void status(String s) {
        this.status = s;
    }

    public String status() {
        return status;
    }

    /** An open answered with FOPEN_IO_URING_ZERO_COPY. */
    public void opened() {
        opens.increment();
    }

    /** A READ that came with FUSE_URING_ENT_ZERO_COPY: the reader's pages were filled in place. */
    public void zeroCopied() {
        zeroCopied.increment();
    }

    /** A WRITE that came with FUSE_URING_ENT_ZERO_COPY: the writer's pages were drained in place. */
    public void zeroCopiedWrite() {
        zeroCopiedWrites.increment();
    }

    /** A zero-copied WRITE whose pages could not be drained (answered with the errno), and why. */
    public void writeFailed(String reason) {
        reasons.computeIfAbsent("write failed: " + reason, k -> new LongAdder()).increment();
    }

    /** An open that wanted zero copy and is served by the daemon's other read paths, and why. */
    public void fellBack(String reason) {
        fallbacks.increment();
        reasons.computeIfAbsent(reason, k -> new LongAdder()).increment();
    }

    /**
     * A READ of a zero-copy open that was copied instead (kept with the open
     * reasons, marked as a read's): the kernel did not hand over its pages, or
     * the daemon could not fill them.
     */
    public void copied(String reason) {
        reasons.computeIfAbsent("read copied: " + reason, k -> new LongAdder()).increment();
    }

    public MountStats.ZeroCopyStats snapshot() {
        Map<String, Long> r = new TreeMap<>();
        reasons.forEach((k, v) -> r.put(k, v.sum()));
        return new MountStats.ZeroCopyStats(status, opens.sum(), zeroCopied.sum(), fallbacks.sum(), r,
                zeroCopiedWrites.sum());
    }
}
