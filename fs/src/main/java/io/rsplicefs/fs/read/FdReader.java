package io.rsplicefs.fs.read;

import io.rsplicefs.fs.reply.ReadReply;
import io.rsplicefs.fs.stats.ReadCounters;
import io.rsplicefs.fs.store.ByteSource;
import io.rsplicefs.nativeio.NativeIoException;

/**
 * fd: the reply names the backing fd and position; the transport splices
 * from it. For a whole file the declared size may exceed what the file
 * holds: the transport's source splice then comes up short and it sends what
 * exists (a short reply is end of file). A range is clamped to its end, so a
 * neighbour's bytes are never named. Produced bytes have no fd: copied.
 */
public final class FdReader implements Reader {
    private final SpliceSupport splicing;

    public FdReader(SpliceSupport splicing) {
        this.splicing = splicing;
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
        splicing.count(counters, len);
        return new ReadReply(new ReadReply.FileRange(r.fd(), r.position(off), len));
    }
}
