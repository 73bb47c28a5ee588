package io.rsplicefs.fs.read;

import io.rsplicefs.fs.stats.ReadCounters;
import io.rsplicefs.fs.reply.ReadReply;
import io.rsplicefs.fs.store.ByteSource;
import io.rsplicefs.nativeio.NativeIoException;
import io.rsplicefs.nativeio.PageArena;
import io.rsplicefs.nativeio.PageFrames;
import io.rsplicefs.nativeio.PipeFds;
import io.rsplicefs.nativeio.Splice;
import io.rsplicefs.nativeio.ThreadPipe;

/**
 * gift, an experiment: the bytes are produced in a fresh page arena (here by
 * the store's bytes copied in, standing for any user-space producer), vmspliced with SPLICE_F_GIFT,
 * and the arena is unmapped at once so that only the pipe holds the pages.
 * The kernel may then move them into the FUSE cache instead of copying. On
 * the kernels measured (6.1, 6.18) it never does: anonymous pages keep their
 * owner, fuse_check_folio refuses them, and the kernel logs a page dump. A
 * fresh arena per reply means no buffer is ever refilled while a pipe still
 * references it.
 */
public final class GiftReader implements Reader {
    /** Called with the PFNs of the gifted pages of each reply, when set (the probe uses it). */
    public interface FrameListener {
        void gifted(long offset, long[] pfns);
    }

    private final SpliceSupport splicing;
    private volatile FrameListener listener;

    public GiftReader(SpliceSupport splicing) {
        this.splicing = splicing;
    }

    public void listener(FrameListener l) {
        this.listener = l;
    }

    @Override
    public ReadReply read(ByteSource source, long size, long off, ReadCounters counters) throws NativeIoException {
        long fds;
        try {
            fds = ThreadPipe.acquire(RspliceReader.pipeCapacityFor(size));
        } catch (NativeIoException e) {
            return CopyReader.readCounted(source, size, off, counters, "fallback: pipe " + e.errnoName());
        }
        int pages = (int) ((size + PageArena.PAGE_SIZE - 1) / PageArena.PAGE_SIZE);
        long n;
        try (PageArena arena = PageArena.allocate(pages)) {
            n = CopyReader.fill(source, arena.address(), size, off);
            if (n == 0) {
                return Reader.endOfFile(counters);
            }
            FrameListener l = listener;
            if (l != null) {
                l.gifted(off, PageFrames.of(arena.address(), (int) ((n + PageArena.PAGE_SIZE - 1) / PageArena.PAGE_SIZE)));
            }
            long queued = 0;
            while (queued < n) {
                queued += Splice.vmsplice(PipeFds.writeFd(fds), arena.address() + queued, n - queued, Splice.F_GIFT);
            }
        } catch (NativeIoException e) {
            ThreadPipe.release();
            throw e;
        }
        splicing.count(counters, n);
        return new ReadReply(new ReadReply.FilledPipe(PipeFds.readFd(fds), n));
    }
}
