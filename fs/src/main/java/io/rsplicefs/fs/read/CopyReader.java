package io.rsplicefs.fs.read;

import io.rsplicefs.fs.reply.ReadReply;
import io.rsplicefs.fs.stats.ReadCounters;
import io.rsplicefs.fs.store.ByteSource;
import io.rsplicefs.nativeio.NativeIoException;
import io.rsplicefs.nativeio.Splice;

/** copy: the bytes go straight into a malloc'd reply buffer (pread, or the store produces them); no byte[] detour. */
public final class CopyReader implements Reader {
    private final String reason;

    /** @param reason why these replies are copied, as shown in the counters ("copy path", "fallback: ...") */
    public CopyReader(String reason) {
        this.reason = reason;
    }

    @Override
    public ReadReply read(ByteSource source, long size, long off, ReadCounters counters) throws NativeIoException {
        return readCounted(source, size, off, counters, reason);
    }

    static ReadReply readCounted(ByteSource source, long size, long off, ReadCounters counters, String reason)
            throws NativeIoException {
        long mem = ReplyMemory.allocate(size);
        long n;
        try {
            n = fill(source, mem, size, off);
        } catch (NativeIoException | RuntimeException e) {
            ReplyMemory.free(mem);
            throw e;
        }
        counters.copied(n, reason);
        return new ReadReply(new ReadReply.Memory(mem, n));
    }

    /** Copies up to {@code size} bytes at file offset {@code off} to {@code address}; returns how many. */
    public static long fill(ByteSource source, long address, long size, long off) throws NativeIoException {
        if (source instanceof ByteSource.FdRange r) {
            long len = r.clamp(off, size);
            return len == 0 ? 0 : Splice.preadFully(r.fd(), address, len, r.position(off));
        }
        return ((ByteSource.Produced) source).fill(address, size, off);
    }
}
