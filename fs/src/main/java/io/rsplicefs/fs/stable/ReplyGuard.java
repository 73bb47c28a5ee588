package io.rsplicefs.fs.stable;

import io.rsplicefs.nativeio.Threads;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Stable replies: a spliced reply holds references to the backing file's
 * pages, so a write that lands between the fill and the kernel's copy would
 * change bytes already "sent" (even tear a page). The end of a reply is known
 * in a FUSE daemon: libfuse sends it on the worker thread right after
 * read_buf returns. So a read holds its range from before the fill until its
 * worker is seen again: at its next callback, or blocked back in read() on
 * /dev/fuse. An overlapping write (or truncate) through the mount waits for
 * that, which takes microseconds; new overlapping reads wait for the write.
 * Writes that bypass the mount (straight into the backing directory) cannot
 * be held back.
 */
public final class ReplyGuard {
    /** A write never waits longer than this for a reply; past it, it goes ahead and is counted. */
    private static final long MAX_WAIT_NANOS = 5_000_000_000L;

    /** Striped by file so the state never grows with the number of files; ranges carry their file. */
    private final FileState[] stripes = new FileState[256];
    private final ConcurrentHashMap<Integer, PendingRead> byWorker = new ConcurrentHashMap<>();
    private final LongAdder writesHeld = new LongAdder();
    private final LongAdder waitNanos = new LongAdder();
    private final LongAdder timeouts = new LongAdder();
    private static final int MIN_SWEEP_AT = 64;
    private volatile int sweepAt = MIN_SWEEP_AT;

    private static final class FileState {
        final List<PendingRead> reads = new ArrayList<>();
        final List<Write> writes = new ArrayList<>();
    }

    private record Write(FileKey key, long start, long end) {
    }

    public ReplyGuard() {
        for (int i = 0; i < stripes.length; i++) {
            stripes[i] = new FileState();
        }
    }

    private static final class PendingRead {
        final FileKey key;
        final long start;
        final long end;
        final int tid;
        boolean released;

        PendingRead(FileKey key, long start, long end, int tid) {
            this.key = key;
            this.start = start;
            this.end = end;
            this.tid = tid;
        }
    }

    /** Holds a write's range until closed. */
    public interface WriteHold extends AutoCloseable {
        @Override
        void close();
    }

    private static boolean overlaps(long s1, long e1, long s2, long e2) {
        return s1 < e2 && s2 < e1;
    }

    private FileState state(FileKey key) {
        return stripes[Math.floorMod(key.hashCode(), stripes.length)];
    }

    /**
     * Called first in every callback on a libfuse worker: the worker is back,
     * so the reply of its previous read has been sent.
     */
    public void enter(int tid) {
        PendingRead p = byWorker.remove(tid);
        if (p != null) {
            release(p);
        }
    }

    /** Before filling a reply of [off, off+len): waits for overlapping writes, then holds the range. */
    public void readBegin(FileKey key, long off, long len, int tid) throws InterruptedException {
        PendingRead p = new PendingRead(key, off, off + len, tid);
        FileState s = state(key);
        synchronized (s) {
            while (overlapsWrite(s, key, p.start, p.end)) {
                s.wait();
            }
            s.reads.add(p);
        }
        PendingRead stale = byWorker.put(p.tid, p);
        if (stale != null) {
            // This worker released its own previous read in enter(); an entry left under its tid
            // belongs to an exited thread whose tid was reused, so its reply is long sent.
            release(stale);
        }
        if (byWorker.size() > sweepAt) {
            sweepExitedWorkers();
        }
    }

    /**
     * libfuse 2.9 retires idle workers (more than 10 idle), and a worker that
     * exits right after a read never comes back to release it. Its reply went
     * out before it exited, so the read is released here; without this the
     * held ranges grew with every retired worker (and every release scanned them).
     */
    private void sweepExitedWorkers() {
        for (PendingRead p : byWorker.values()) {
            if (!Files.exists(Path.of("/proc/self/task/" + p.tid))) {
                if (byWorker.remove(p.tid, p)) {
                    release(p);
                }
            }
        }
        sweepAt = Math.max(MIN_SWEEP_AT, 2 * byWorker.size());
    }

    /** Workers with a held read, beyond which exited ones are looked for. */
    public int heldReads() {
        return byWorker.size();
    }

    /** The fill failed: no reply references the range. */
    public void readAbort(int tid) {
        enter(tid);
    }

    private static boolean overlapsWrite(FileState s, FileKey key, long start, long end) {
        for (Write w : s.writes) {
            if (w.key().equals(key) && overlaps(w.start(), w.end(), start, end)) {
                return true;
            }
        }
        return false;
    }

    private void release(PendingRead p) {
        FileState s = state(p.key);
        synchronized (s) {
            if (!p.released) {
                p.released = true;
                s.reads.remove(p);
                s.notifyAll();
            }
        }
    }

    /**
     * Before a write or truncate of [off, off+len) through the mount: blocks
     * new overlapping reads, then waits until every overlapping reply already
     * filled has been sent.
     */
    public WriteHold write(FileKey key, long off, long len) throws InterruptedException {
        long end = len == Long.MAX_VALUE ? Long.MAX_VALUE : off + len;
        Write range = new Write(key, off, end);
        FileState s = state(key);
        synchronized (s) {
            while (overlapsWrite(s, key, off, end)) {
                s.wait();
            }
            s.writes.add(range);
        }
        long t0 = System.nanoTime();
        boolean waited = false;
        while (true) {
            List<PendingRead> pending = new ArrayList<>();
            synchronized (s) {
                for (PendingRead p : s.reads) {
                    if (p.key.equals(key) && overlaps(p.start, p.end, off, end)) {
                        pending.add(p);
                    }
                }
            }
            if (pending.isEmpty()) {
                break;
            }
            waited = true;
            for (PendingRead p : pending) {
                if (replySent(p)) {
                    byWorker.remove(p.tid, p);
                    release(p);
                }
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

    /** The worker that filled p no longer holds it, or is blocked reading the next request from /dev/fuse. */
    private static boolean replySent(PendingRead p) {
        Path task = Path.of("/proc/self/task/" + p.tid);
        String sys;
        try {
            sys = Files.readString(task.resolve("syscall")).trim();
        } catch (NoSuchFileException gone) {
            return true; // the worker thread ended, and its reply with it
        } catch (IOException e) {
            return false;
        }
        // "NR arg0 arg1 ..." while blocked in a syscall, "running" otherwise
        String[] f = sys.split(" ");
        if (f.length < 2 || !f[0].matches("\\d+") || Integer.parseInt(f[0]) != Threads.SYS_READ) {
            return false;
        }
        try {
            long fd = Long.decode(f[1]);
            return "/dev/fuse".equals(Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString());
        } catch (IOException | NumberFormatException e) {
            return false;
        }
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
