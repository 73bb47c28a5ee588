package io.rsplicefs.fs.read;

import io.rsplicefs.fs.stats.ReadCounters;
import io.rsplicefs.fs.store.OpenFile;
import io.rsplicefs.nativeio.NativeIoException;
import io.rsplicefs.nativeio.PipeFds;
import io.rsplicefs.nativeio.Splice;
import io.rsplicefs.nativeio.ThreadPipe;
import jnr.ffi.Pointer;

/**
 * rsplice, the reverse splice: fill this worker's own pipe from the backing
 * file (page references, no copy) and hand libfuse the filled pipe.
 * <ul>
 * <li>The pipe holds the largest reply plus a page: a pipe that fills up
 * before the reply is complete deadlocked the daemon in the measurements.</li>
 * <li>It is drained and verified empty before each use (ThreadPipe.acquire).</li>
 * <li>The declared size is exactly what the pipe holds: declaring more turns
 * libfuse's splicing off for the whole session (EAGAIN) or ends the file early.</li>
 * <li>A pipe that cannot be had (fd limit, pipe-max-size) falls back to copy, counted.</li>
 * </ul>
 */
public final class RspliceReader implements Reader {
    /** 128 KiB (libfuse 2.9's largest read) plus one page of headroom. */
    public static final int PIPE_CAPACITY = 128 * 1024 + 4096;

    private final boolean spliceWrite;
    private final FreshPageFlush flush;

    /** The pipe must hold the whole reply plus a page. */
    static int pipeCapacityFor(long size) {
        return (int) Math.max(PIPE_CAPACITY, size + 4096);
    }

    public RspliceReader(boolean spliceWrite) {
        this(spliceWrite, null);
    }

    /** With donation: {@code flush} makes pages just read from disk movable (null: no donation). */
    public RspliceReader(boolean spliceWrite, FreshPageFlush flush) {
        this.spliceWrite = spliceWrite;
        this.flush = flush;
    }

    @Override
    public long read(OpenFile file, Pointer bufp, long size, long off, ReadCounters counters)
            throws NativeIoException {
        long fds;
        try {
            fds = ThreadPipe.acquire(pipeCapacityFor(size));
        } catch (NativeIoException e) {
            return CopyReader.readCounted(file, bufp, size, off, counters, "fallback: pipe " + e.errnoName());
        }
        // Replies under two pages are copied by libfuse, never moved: no flush for them.
        boolean fresh = flush != null && size >= SPLICE_MIN && flush.wouldBeFresh(file.fd(), off, size);
        long n;
        try {
            n = Splice.spliceFully(file.fd(), off, PipeFds.writeFd(fds), Splice.NO_OFFSET, size, Splice.F_NONBLOCK);
        } catch (NativeIoException e) {
            ThreadPipe.release(); // whatever is in it must not reach a later reply
            throw e;
        }
        if (n == 0) {
            Reply.empty(bufp);
            counters.copied(0, "end of file");
            return 0;
        }
        if (fresh) {
            flush.flush();
        }
        Reply.pipe(bufp, PipeFds.readFd(fds), n);
        Reader.countHandedOver(counters, n, spliceWrite);
        return n;
    }
}
