package io.rsplicefs.fs;

import io.rsplicefs.fs.stats.ReadCounters;
import io.rsplicefs.nativeio.NativeIoException;
import io.rsplicefs.nativeio.PageArena;
import io.rsplicefs.nativeio.Residency;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Measures donation instead of assuming it. Every Nth page-aligned reply of
 * at least two pages is remembered; its backing pages were all resident right
 * after the fill (they were just spliced or read from the page cache). Once
 * the reply has been consumed, mincore tells how many of those pages left the
 * backing file's cache: a page moved into the FUSE cache by SPLICE_F_MOVE is
 * removed from the backing file's mapping.
 * <p>
 * "Consumed" is known per worker: libfuse sends the reply on the worker that
 * filled it before that worker takes its next request, so a sample is checked
 * when its worker comes back (its next callback), or when its handle is
 * released (the client closed the file: every read on it has completed).
 * Checking when the next reply on the same handle started was wrong with
 * several workers: readahead requests run concurrently, the sampled reply
 * was often still in flight, and 59% "moved" was counted while the backing
 * file had in fact been emptied (fincore: 0 bytes).
 * Caveat: memory pressure could evict a page too (counted as moved).
 */
final class DonationSampler {
    record Sample(Handle handle, long offset, long length, ReadCounters counters) {
    }

    private final int every;
    private final AtomicLong seq = new AtomicLong();
    private final Map<Integer, Sample> pendingByWorker = new ConcurrentHashMap<>();

    /** @param every sample one reply in {@code every}; 0 disables sampling */
    DonationSampler(int every) {
        this.every = every;
    }

    /** Whether samples are taken (donation on): only then does it need the worker's tid. */
    boolean active() {
        return every > 0;
    }

    /** Called at the start of every callback: worker {@code tid}'s last reply has been sent. */
    void workerBack(int tid) {
        if (every <= 0 || pendingByWorker.isEmpty()) {
            return;
        }
        Sample s = pendingByWorker.remove(tid);
        if (s != null) {
            check(s);
        }
    }

    /** Maybe remembers this reply, to be checked once it has been sent. */
    void afterFill(Handle h, long offset, long length, ReadCounters counters, int tid) {
        if (every <= 0 || offset % PageArena.PAGE_SIZE != 0 || length < 2L * PageArena.PAGE_SIZE) {
            return;
        }
        if (seq.getAndIncrement() % every != 0) {
            return;
        }
        long pages = length / PageArena.PAGE_SIZE;
        pendingByWorker.put(tid, new Sample(h, offset, pages * PageArena.PAGE_SIZE, counters));
    }

    /**
     * Before a handle's backing fd is closed: checks its samples whose workers
     * have not come back (all its replies have been consumed by now).
     */
    void release(Handle h) {
        if (pendingByWorker.isEmpty()) {
            return;
        }
        for (Map.Entry<Integer, Sample> e : pendingByWorker.entrySet()) {
            if (e.getValue().handle() == h && pendingByWorker.remove(e.getKey(), e.getValue())) {
                check(e.getValue());
            }
        }
    }

    private static void check(Sample s) {
        Handle h = s.handle();
        synchronized (h) { // the fd must not be closed (and its number reused) during the check
            if (h.closed) {
                return;
            }
            try {
                long resident = Residency.residentPages(h.file.fd(), s.offset(), s.length());
                long pages = s.length() / PageArena.PAGE_SIZE;
                s.counters().donationSample(pages, pages - resident);
            } catch (NativeIoException e) {
                // The backing file shrank below the sample (ENOMEM from mincore past EOF): no evidence either way.
            }
        }
    }
}
