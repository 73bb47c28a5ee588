package io.rsplicefs.fs.stats;

import io.rsplicefs.fs.read.ReadPath;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/** All live counters of one mount; {@link #snapshot()} reads them as the typed schema. */
public final class FsStats {
    private final EnumMap<ReadPath, ReadCounters> paths = new EnumMap<>(ReadPath.class);
    private final ConcurrentHashMap<String, LongAdder> callbackFailures = new ConcurrentHashMap<>();
    private final WriteCounters writes = new WriteCounters();
    private final PassthroughCounters passthrough = new PassthroughCounters();
    private final ZeroCopyCounters zeroCopy = new ZeroCopyCounters();
    private volatile MountStats.MountInfo mountInfo;
    private volatile MountStats.GiftStats gift = MountStats.GiftStats.NOT_RUN;
    private volatile Supplier<MountStats.StableRepliesStats> stableReplies =
            () -> new MountStats.StableRepliesStats(false, 0, 0, 0, 0);
    private volatile Supplier<MountStats.FreshPageFlushStats> freshPageFlush = () -> null;
    private volatile Supplier<Map<String, Long>> store = Map::of;
    private volatile Supplier<MountStats.EngineStats> engine = () -> null;

    public FsStats() {
        for (ReadPath p : ReadPath.values()) {
            paths.put(p, new ReadCounters());
        }
    }

    public ReadCounters of(ReadPath p) {
        return paths.get(p);
    }

    /** A callback threw: counted by operation and exception class; the callback returned -EIO. */
    public void callbackFailure(String op, Throwable t) {
        callbackFailures.computeIfAbsent(op + ": " + t.getClass().getSimpleName(), k -> new LongAdder())
                .increment();
    }

    public long callbackFailures() {
        return callbackFailures.values().stream().mapToLong(LongAdder::sum).sum();
    }

    /** The write side's counters (spliced, copied with reasons, errors). */
    public WriteCounters writes() {
        return writes;
    }

    /** FUSE passthrough's counters (opens handed to the kernel, fallbacks with reasons). */
    public PassthroughCounters passthrough() {
        return passthrough;
    }

    /** FUSE io_uring zero copy's counters (read path uring-zc). */
    public ZeroCopyCounters zeroCopy() {
        return zeroCopy;
    }

    public void mountInfo(MountStats.MountInfo info) {
        this.mountInfo = info;
    }

    public MountStats.MountInfo mountInfo() {
        return mountInfo;
    }

    /** Where the stable-replies guard's counters come from (when it is on). */
    public void stableReplies(Supplier<MountStats.StableRepliesStats> s) {
        this.stableReplies = s;
    }

    /** Where the LRU flush's counters come from (donation on). */
    public void freshPageFlush(Supplier<MountStats.FreshPageFlushStats> s) {
        this.freshPageFlush = s;
    }

    /** Where the store's own counters come from. */
    public void store(Supplier<Map<String, Long>> s) {
        this.store = s;
    }

    /** Where the engine's own counters come from (the direct engine). */
    public void engine(Supplier<MountStats.EngineStats> s) {
        this.engine = s;
    }

    public void gift(MountStats.GiftStats g) {
        this.gift = g;
    }

    public MountStats.GiftStats gift() {
        return gift;
    }

    public MountStats snapshot() {
        Map<String, MountStats.ReadPathStats> rp = new LinkedHashMap<>();
        paths.forEach((k, v) -> rp.put(k.id(), v.snapshot()));
        Map<String, Long> failures = new TreeMap<>();
        callbackFailures.forEach((k, v) -> failures.put(k, v.sum()));
        return new MountStats(mountInfo, rp, writes.snapshot(), gift,
                stableReplies.get(), freshPageFlush.get(), store.get(), failures, engine.get(),
                passthrough.snapshot(), zeroCopy.snapshot());
    }

    public String toJson() {
        return snapshot().toJson();
    }
}
