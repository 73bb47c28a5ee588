package io.rsplicefs.fs;

import io.rsplicefs.fs.stats.ReadCounters;
import io.rsplicefs.nativeio.NativeIoException;
import io.rsplicefs.nativeio.PageArena;
import io.rsplicefs.nativeio.Residency;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Measures donation instead of assuming it. Every Nth page-aligned reply of
 * at least two pages is remembered; its backing pages were all resident right
 * after the fill (they were just spliced or read from the page cache). When
 * the next reply on the same handle starts, or the handle is released, the
 * reply has long been consumed, and mincore tells how many of those pages
 * left the backing file's cache: a page moved into the FUSE cache by
 * SPLICE_F_MOVE is removed from the backing file's mapping.
 * Caveats: memory pressure could evict a page too (counted as moved), and a
 * check that runs while the reply is still in flight on another thread
 * undercounts; on an idle 24 GiB machine neither was seen.
 */
final class DonationSampler {
    record Sample(long offset, long length, ReadCounters counters) {
    }

    private final int every;
    private final AtomicLong seq = new AtomicLong();

    /** @param every sample one reply in {@code every}; 0 disables sampling */
    DonationSampler(int every) {
        this.every = every;
    }

    /** Resolves the handle's pending sample, then maybe remembers this reply. */
    void afterFill(Handle h, long offset, long length, ReadCounters counters) {
        resolve(h);
        if (every <= 0 || offset % PageArena.PAGE_SIZE != 0 || length < 2L * PageArena.PAGE_SIZE) {
            return;
        }
        if (seq.getAndIncrement() % every != 0) {
            return;
        }
        long pages = length / PageArena.PAGE_SIZE;
        h.pendingSample.set(new Sample(offset, pages * PageArena.PAGE_SIZE, counters));
    }

    /** Checks the pending sample of a handle, if any. */
    void resolve(Handle h) {
        Sample s = h.pendingSample.getAndSet(null);
        if (s == null) {
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
