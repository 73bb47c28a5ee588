package io.rsplicefs.fs.core;

import io.rsplicefs.fs.reply.ReadReply;
import io.rsplicefs.fs.stats.ReadCounters;
import io.rsplicefs.fs.store.ByteSource;
import io.rsplicefs.nativeio.NativeIoException;
import io.rsplicefs.nativeio.PageArena;
import io.rsplicefs.nativeio.Residency;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Measures donation instead of assuming it. Every Nth page-aligned reply of
 * at least two pages is sampled; its backing pages were all resident right
 * after the fill (they were just spliced or read from the page cache). Once
 * the reply has been consumed, mincore tells how many of those pages left the
 * backing file's cache: a page moved into the FUSE cache by SPLICE_F_MOVE is
 * removed from the backing file's mapping.
 * <p>
 * The check must wait for consumption: readahead requests run concurrently,
 * and checking a reply still in flight counted 59% "moved" while the backing
 * file had in fact been emptied (fincore: 0 bytes).
 * Caveat: memory pressure could evict a page too (counted as moved).
 */
final class DonationSampler {
    private final int every;
    private final AtomicLong seq = new AtomicLong();

    /** @param every sample one reply in {@code every}; 0 disables sampling */
    DonationSampler(int every) {
        this.every = every;
    }

    boolean active() {
        return every > 0;
    }

    /** Maybe samples this reply of [offset, offset+length) of h: checked once it is consumed. */
    void afterFill(OpenHandle h, long offset, ReadReply reply, ReadCounters counters) {
        long length = reply.length();
        if (every <= 0 || offset % PageArena.PAGE_SIZE != 0 || length < 2L * PageArena.PAGE_SIZE
                || !(h.file.source() instanceof ByteSource.FdRange r) || !r.canDonate()) {
            return;
        }
        if (seq.getAndIncrement() % every != 0) {
            return;
        }
        long pages = length / PageArena.PAGE_SIZE;
        reply.onConsumed(() -> check(h, r, offset, pages, counters));
    }

    private static void check(OpenHandle h, ByteSource.FdRange r, long offset, long pages, ReadCounters counters) {
        synchronized (h) { // the fd must not be closed (and its number reused) during the check
            if (h.closed) {
                return;
            }
            try {
                long resident = Residency.residentPages(r.fd(), r.position(offset), pages * PageArena.PAGE_SIZE);
                counters.donationSample(pages, pages - resident);
            } catch (NativeIoException e) {
                // The backing file shrank below the sample (ENOMEM from mincore past EOF): no evidence either way.
            }
        }
    }
}
