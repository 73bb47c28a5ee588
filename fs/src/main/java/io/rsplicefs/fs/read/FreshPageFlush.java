package io.rsplicefs.fs.read;

import io.rsplicefs.fs.stats.MountStats;
import io.rsplicefs.nativeio.LruDrain;
import io.rsplicefs.nativeio.NativeIoException;
import io.rsplicefs.nativeio.PageArena;
import io.rsplicefs.nativeio.Residency;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * With donation on, makes the backing pages a reply just read from disk
 * movable before the reply is handed to libfuse. A page fresh in the page
 * cache is still referenced by a per-CPU LRU batch, and the kernel copies
 * such a page instead of moving it: on 6.18, 5-22% of a cold file stayed
 * behind that way. So when cachestat shows that part of the range was not
 * cached before the fill, the filesystem flushes those batches (LruDrain).
 * Warm ranges, the common case, pay one cachestat call. Where cachestat is
 * missing (before 6.5) every donated reply flushes.
 */
public final class FreshPageFlush implements AutoCloseable {
    private final LruDrain drain;
    private final String where;
    private volatile boolean cachestat = true;
    private final LongAdder flushes = new LongAdder();
    private final LongAdder warm = new LongAdder();
    private final LongAdder failures = new LongAdder();

    private FreshPageFlush(LruDrain drain, String where) {
        this.drain = drain;
        this.where = where;
    }

    /**
     * Pins the scratch page in the first directory that takes it (the backing
     * root first: no name is ever visible). Returns a flush that does nothing,
     * with the reasons, when none does.
     */
    public static FreshPageFlush in(List<Path> dirs) {
        List<String> refused = new ArrayList<>();
        for (Path d : dirs) {
            try {
                return new FreshPageFlush(LruDrain.in(d), d.toString());
            } catch (NativeIoException e) {
                refused.add(d + ": " + e.errnoName());
            }
        }
        return new FreshPageFlush(null, "unavailable (" + String.join("; ", refused) + ")");
    }

    /** Before the fill of [off, off+len): true when some of it is not cached yet. */
    boolean wouldBeFresh(int fd, long off, long len) {
        if (drain == null) {
            return false;
        }
        if (cachestat) {
            try {
                long pages = (len + PageArena.PAGE_SIZE - 1) / PageArena.PAGE_SIZE;
                if (Residency.cachedPages(fd, off, len) >= pages) {
                    warm.increment();
                    return false;
                }
                return true;
            } catch (NativeIoException e) {
                cachestat = false; // ENOSYS before 6.5: flush every donated reply instead
            }
        }
        return true;
    }

    /** After the fill: flush the LRU batches so the fresh pages can be moved. */
    void flush() {
        try {
            drain.drain();
            flushes.increment();
        } catch (NativeIoException e) {
            failures.increment(); // the reply is still right; its pages may be copied instead of moved
        }
    }

    public MountStats.FreshPageFlushStats snapshot() {
        return new MountStats.FreshPageFlushStats(where, cachestat, flushes.sum(), warm.sum(), failures.sum());
    }

    @Override
    public void close() {
        if (drain != null) {
            try {
                drain.close();
            } catch (NativeIoException ignored) {
                // the mapping goes with the process; nothing else references it
            }
        }
    }
}
