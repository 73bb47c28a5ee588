package io.rsplicefs.fs.read;

import io.rsplicefs.fs.reply.PipePrefix;
import io.rsplicefs.fs.reply.ReadReply;
import io.rsplicefs.fs.stats.ReadCounters;
import io.rsplicefs.fs.store.ByteSource;
import io.rsplicefs.nativeio.NativeIoException;
import io.rsplicefs.nativeio.PipeFds;
import io.rsplicefs.nativeio.Splice;
import io.rsplicefs.nativeio.ThreadPipe;

/**
 * rsplice, the reverse splice: fill this worker's own pipe from the backing
 * range (page references, no copy) and hand the transport the filled pipe.
 * <ul>
 * <li>The pipe holds the largest reply plus a page: a pipe that fills up
 * before the reply is complete deadlocked the daemon in the measurements.</li>
 * <li>It is drained and verified empty before each use (ThreadPipe.acquire).</li>
 * <li>The declared size is exactly what the pipe holds: declaring more turns
 * libfuse's splicing off for the whole session (EAGAIN) or ends the file early.</li>
 * <li>A range is clamped to its end: a reply never carries a neighbour's bytes.</li>
 * <li>A pipe that cannot be had (fd limit, pipe-max-size), or bytes with no fd,
 * fall back to copy, counted.</li>
 * <li>A range the kernel's copy would read 4K-aliased (an archive member starting
 * just below a page boundary) is copied through memory placed to avoid it,
 * counted: {@link PageSkew}.</li>
 * </ul>
 */
public final class RspliceReader implements Reader {
    /** 128 KiB (libfuse 2.9's largest read) plus one page of headroom. */
    public static final int PIPE_CAPACITY = 128 * 1024 + 4096;

    private final SpliceSupport splicing;
    private final FreshPageFlush flush;

    /** The pipe must hold the whole reply plus a page. */
    public static int pipeCapacityFor(long size) {
        return (int) Math.max(PIPE_CAPACITY, size + 4096);
    }

    public RspliceReader(SpliceSupport splicing) {
        this(splicing, null);
    }

    /** With donation: {@code flush} makes pages just read from disk movable (null: no donation). */
    public RspliceReader(SpliceSupport splicing, FreshPageFlush flush) {
        this.splicing = splicing;
        this.flush = flush;
    }

    @Override
    public ReadReply read(ByteSource source, long size, long off, ReadCounters counters) throws NativeIoException {
        if (!(source instanceof ByteSource.FdRange r)) {
            return CopyReader.readCounted(source, size, off, counters, "fallback: produced bytes");
        }
        long len = r.clamp(off, size);
        if (len == 0) {
            return Reader.endOfFile(counters);
        }
        if (PageSkew.aliases(r, off)) {
            return PageSkew.copyHalfAPageOff(r, off, len, counters);
        }
        long fds;
        try {
            fds = ThreadPipe.acquire(pipeCapacityFor(len));
        } catch (NativeIoException e) {
            return CopyReader.readCounted(source, size, off, counters, "fallback: pipe " + e.errnoName());
        }
        // Replies the transport copies are never moved: no flush for them.
        boolean fresh = flush != null && r.canDonate() && splicing.splices(len)
                && flush.wouldBeFresh(r.fd(), r.position(off), len);
        PipePrefix prefix = PipePrefix.CURRENT.get();
        ReadReply reply;
        try {
            reply = prefix == null ? fill(r, off, len, fds) : fillBehindPrefix(prefix, r, off, len, fds);
        } catch (NativeIoException e) {
            ThreadPipe.release(); // whatever is in it must not reach a later reply
            throw e;
        }
        if (reply == null) {
            return CopyReader.readCounted(source, size, off, counters, "fallback: file size changed during read");
        }
        if (reply.length() == 0) {
            return Reader.endOfFile(counters);
        }
        if (fresh) {
            reply.onHandedOver(flush::flush);
        }
        splicing.count(counters, reply.length());
        return reply;
    }

    private static ReadReply fill(ByteSource.FdRange r, long off, long len, long fds) throws NativeIoException {
        long n = Splice.spliceFully(r.fd(), r.position(off), PipeFds.writeFd(fds), Splice.NO_OFFSET, len,
                Splice.F_NONBLOCK);
        return new ReadReply(new ReadReply.FilledPipe(PipeFds.readFd(fds), n));
    }

    /**
     * The header must state the payload length before the payload is queued,
     * and a whole file's end is known only when the splice comes up short. A
     * short fill is emptied and redone once at the length found (the pages
     * are cached by then); null if the file changed size again.
     */
    private static ReadReply fillBehindPrefix(PipePrefix prefix, ByteSource.FdRange r, long off, long len, long fds)
            throws NativeIoException {
        long want = len;
        for (int attempt = 0; attempt < 2; attempt++) {
            int header = prefix.write(PipeFds.writeFd(fds), want);
            long n = Splice.spliceFully(r.fd(), r.position(off), PipeFds.writeFd(fds), Splice.NO_OFFSET, want,
                    Splice.F_NONBLOCK);
            if (n == want) {
                return new ReadReply(new ReadReply.FilledPipe(PipeFds.readFd(fds), n, header));
            }
            ThreadPipe.acquire(pipeCapacityFor(len)); // drains the partial reply
            if (n == 0) {
                return new ReadReply(new ReadReply.FilledPipe(PipeFds.readFd(fds), 0));
            }
            want = n;
        }
        return null;
    }
}
