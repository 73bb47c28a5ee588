package io.rsplicefs.fs.read;

import io.rsplicefs.fs.stats.ReadCounters;
import io.rsplicefs.fs.store.OpenFile;
import io.rsplicefs.nativeio.NativeIoException;
import io.rsplicefs.nativeio.Splice;
import jnr.ffi.Pointer;

/** copy: pread straight into the malloc'd reply buffer that libfuse writes out and frees (no byte[] detour). */
public final class CopyReader implements Reader {
    private final String reason;

    /** @param reason why these replies are copied, as shown in the counters ("copy path", "fallback: ...") */
    public CopyReader(String reason) {
        this.reason = reason;
    }

    @Override
    public long read(OpenFile file, Pointer bufp, long size, long off, ReadCounters counters)
            throws NativeIoException {
        return readCounted(file, bufp, size, off, counters, reason);
    }

    static long readCounted(OpenFile file, Pointer bufp, long size, long off, ReadCounters counters, String reason)
            throws NativeIoException {
        long mem = Reply.allocate(size);
        long n;
        try {
            n = Splice.preadFully(file.fd(), mem, size, off);
        } catch (NativeIoException | RuntimeException e) {
            Reply.free(mem);
            throw e;
        }
        Reply.memory(bufp, mem, n);
        counters.copied(n, reason);
        return n;
    }
}
