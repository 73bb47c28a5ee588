package io.rsplicefs.fs.stats;

import com.fasterxml.jackson.jr.ob.JSON;
import io.rsplicefs.fs.read.ReadPath;
import java.io.IOException;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** All live counters of one mount, readable as JSON while mounted. */
public final class FsStats {
    /** The xattr on the mount root that returns {@link #toJson()}; never passed to the backing store. */
    public static final String XATTR = "user.rsplicefs.stats";

    private final EnumMap<ReadPath, ReadCounters> paths = new EnumMap<>(ReadPath.class);
    private final ConcurrentHashMap<String, LongAdder> callbackFailures = new ConcurrentHashMap<>();
    private final Map<String, Object> mountInfo = new LinkedHashMap<>();
    private final LongAdder writeBytes = new LongAdder();
    private final LongAdder writeRequests = new LongAdder();
    private volatile Map<String, Object> gift = Map.of("probe", "not run");
    private volatile io.rsplicefs.fs.stable.ReplyGuard replyGuard;
    private volatile io.rsplicefs.fs.read.FreshPageFlush freshPageFlush;

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

    public void written(long n) {
        writeRequests.increment();
        writeBytes.add(n);
    }

    public synchronized void mountInfo(String key, Object value) {
        mountInfo.put(key, value);
    }

    /** Stable replies' counters are reported when the guard is on. */
    public void replyGuard(io.rsplicefs.fs.stable.ReplyGuard g) {
        this.replyGuard = g;
    }

    public void freshPageFlush(io.rsplicefs.fs.read.FreshPageFlush f) {
        this.freshPageFlush = f;
    }

    public void gift(Map<String, Object> probe) {
        this.gift = probe;
    }

    public synchronized Map<String, Object> snapshot() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mount", new LinkedHashMap<>(mountInfo));
        Map<String, Object> rp = new LinkedHashMap<>();
        paths.forEach((k, v) -> rp.put(k.id(), v.snapshot()));
        m.put("readPaths", rp);
        Map<String, Object> w = new LinkedHashMap<>();
        w.put("requests", writeRequests.sum());
        w.put("bytes", writeBytes.sum());
        m.put("writes", w);
        m.put("gift", gift);
        Map<String, Object> st = new LinkedHashMap<>();
        io.rsplicefs.fs.stable.ReplyGuard g = replyGuard;
        st.put("enabled", g != null);
        st.put("writesHeld", g == null ? 0 : g.writesHeld());
        st.put("waitMicros", g == null ? 0 : g.waitNanos() / 1000);
        st.put("timeouts", g == null ? 0 : g.timeouts());
        st.put("heldReads", g == null ? 0 : g.heldReads());
        m.put("stableReplies", st);
        io.rsplicefs.fs.read.FreshPageFlush f = freshPageFlush;
        if (f != null) {
            m.put("freshPageFlush", f.snapshot());
        }
        Map<String, Long> failures = new TreeMap<>();
        callbackFailures.forEach((k, v) -> failures.put(k, v.sum()));
        m.put("callbackFailures", failures);
        return m;
    }

    public String toJson() {
        try {
            return JSON.std.with(JSON.Feature.PRETTY_PRINT_OUTPUT).asString(snapshot());
        } catch (IOException e) {
            throw new IllegalStateException("stats to JSON", e);
        }
    }
}
