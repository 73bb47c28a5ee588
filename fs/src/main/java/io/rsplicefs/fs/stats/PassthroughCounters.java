package io.rsplicefs.fs.stats;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * What FUSE passthrough did for one mount: opens handed to the kernel,
 * opens that wanted it and were served by the daemon instead (and why), and
 * the backing files registered with the kernel right now.
 * {@link #snapshot()} is what the schema reports ({@link MountStats.PassthroughStats}).
 */
public final class PassthroughCounters {
    private volatile String status = "off";
    private final LongAdder opens = new LongAdder();
    private final LongAdder fallbacks = new LongAdder();
    private final ConcurrentHashMap<String, LongAdder> reasons = new ConcurrentHashMap<>();
    private final AtomicInteger backingFiles = new AtomicInteger();

    /** "off" (the read path does not pass through), "on", or "unavailable: why" (the whole mount falls back). */
    public void status(String s) {
        this.status = s;
    }

    public String status() {
        return status;
    }

    /** An open the kernel serves itself. */
    public void opened() {
        opens.increment();
    }

    /** An open that wanted passthrough and is served by the daemon, and why. */
    public void fellBack(String reason) {
        fallbacks.increment();
        reasons.computeIfAbsent(reason, k -> new LongAdder()).increment();
    }

    public void backingOpened() {
        backingFiles.incrementAndGet();
    }

    public void backingClosed() {
        backingFiles.decrementAndGet();
    }

    public MountStats.PassthroughStats snapshot() {
        Map<String, Long> r = new TreeMap<>();
        reasons.forEach((k, v) -> r.put(k, v.sum()));
        return new MountStats.PassthroughStats(status, opens.sum(), fallbacks.sum(), r, backingFiles.get());
    }
}
