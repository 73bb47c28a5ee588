package io.rsplicefs.fs.stable;

import io.rsplicefs.fs.reply.ReadReply;
import io.rsplicefs.fs.store.FileKey;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Stable replies: a spliced reply holds references to the backing file's
 * pages, so a write that lands between the fill and the kernel's copy would
 * change bytes already "sent" (even tear a page). So a read holds its range
 * from before the fill until its reply is consumed ({@link ReadReply}); an
 * overlapping write (or truncate) through the mount waits for that, which
 * takes microseconds, and new overlapping reads wait for the write. Writes
 * that bypass the mount (straight into the backing directory) cannot be held
 * back.
 * <p>
 * A front end that learns of consumption only by looking (libfuse sends the
 * reply after the callback returned) gives the guard a {@link #sweeper}: a
 * waiting write runs it to have replies that are in fact sent marked consumed.
 */
public final class ReplyGuard {
    /** A write never waits longer than this for a reply; past it, it goes ahead and is counted. */
    private static final long MAX_WAIT_NANOS = 5_000_000_000L;

    /** Striped by file so the state never grows with the number of files; ranges carry their file. */
    private final FileState[] stripes = new FileState[256];
    private final AtomicInteger held = new AtomicInteger();
    private final LongAdder writesHeld = new LongAdder();
    private final LongAdder waitNanos = new LongAdder();
    private final LongAdder timeouts = new LongAdder();
    private volatile Runnable sweeper = () -> { };

    private static final class FileState {
        final List<Range> reads = new ArrayList<>();
        final List<Range> writes = new ArrayList<>();
    }

    private record Range(FileKey key, long start, long end) {
        boolean overlaps(FileKey k, long s, long e) {
            return key.equals(k) && start < e && s < end;
        }
    }

    /** Holds a write's range until closed. */
    public interface WriteHold extends AutoCloseable {
        @Override
        void close();
    }

    public ReplyGuard() {
        for (int i = 0; i < stripes.length; i++) {
            stripes[i] = new FileState();
        }
    }

    /** Run by a waiting write to have replies that were sent marked consumed (see the class comment). */
    public void sweeper(Runnable s) {
        this.sweeper = s;
    }

    private FileState state(FileKey key) {
        return stripes[Math.floorMod(key.hashCode(), stripes.length)];
    }

    private static boolean overlapsAny(List<Range> ranges, FileKey key, long start, long end) {
        for (Range r : ranges) {
            if (r.overlaps(key, start, end)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Before filling a reply of [off, off+len): waits for overlapping writes,
     * then holds the range. The returned runnable releases it (idempotent):
     * hang it on the reply's consumption, or run it if the fill fails.
     */
    public Runnable holdRead(FileKey key, long off, long len) throws InterruptedException {
        Range r = new Range(key, off, off + len);
        FileState s = state(key);
        synchronized (s) {
            while (overlapsAny(s.writes, key, r.start(), r.end())) {
                s.wait();
            }
            s.reads.add(r);
        }
        held.incrementAndGet();
        boolean[] released = new boolean[1];
        return () -> {
            synchronized (s) {
                if (released[0]) {
                    return;
                }
                released[0] = true;
                s.reads.remove(r);
                s.notifyAll();
            }
            held.decrementAndGet();
        };
    }

    /** Read ranges held right now (replies filled and not yet known to be consumed). */
    public int heldReads() {
        return held.get();
    }

    /**
     * Before a write or truncate of [off, off+len) through the mount: blocks
     * new overlapping reads, then waits until every overlapping reply already
     * filled has been consumed.
     */
    public WriteHold write(FileKey key, long off, long len) throws InterruptedException {
        long end = len == Long.MAX_VALUE ? Long.MAX_VALUE : off + len;
        Range range = new Range(key, off, end);
        FileState s = state(key);
        synchronized (s) {
            while (overlapsAny(s.writes, key, off, end)) {
                s.wait();
            }
            s.writes.add(range);
        }
        long t0 = System.nanoTime();
        boolean waited = false;
        while (true) {
            synchronized (s) {
                if (!overlapsAny(s.reads, key, off, end)) {
                    break;
                }
            }
            waited = true;
            sweeper.run();
            if (Thread.interrupted()) {
                // the request was interrupted (FUSE_INTERRUPT): give up the write, let reads in again
                synchronized (s) {
                    s.writes.remove(range);
                    s.notifyAll();
                }
                throw new InterruptedException("write of " + key + " [" + off + ", " + end + ") interrupted");
            }
            if (System.nanoTime() - t0 > MAX_WAIT_NANOS) {
                timeouts.increment();
                break;
            }
            LockSupport.parkNanos(20_000);
        }
        if (waited) {
            writesHeld.increment();
            waitNanos.add(System.nanoTime() - t0);
        }
        return () -> {
            synchronized (s) {
                s.writes.remove(range);
                s.notifyAll();
            }
        };
    }

    /** Writes that had to wait for a reply, their total wait, and waits cut short. */
    public long writesHeld() {
        return writesHeld.sum();
    }

    public long waitNanos() {
        return waitNanos.sum();
    }

    public long timeouts() {
        return timeouts.sum();
    }
}
