package io.rsplicefs.fs.read;

import io.rsplicefs.fs.stats.ReadCounters;
import io.rsplicefs.fs.store.OpenFile;
import io.rsplicefs.nativeio.NativeIoException;
import jnr.ffi.Pointer;

/**
 * auto: replies under two pages go by copy (libfuse would copy them anyway,
 * and a pread is cheaper than a splice round trip); larger ones go by the
 * splicing path chosen for the store, which itself falls back to copy when
 * it cannot get a pipe.
 */
public final class AutoReader implements Reader {
    private final Reader small = new CopyReader("auto: under 2 pages");
    private final Reader large;

    public AutoReader(Reader large) {
        this.large = large;
    }

    @Override
    public long read(OpenFile file, Pointer bufp, long size, long off, ReadCounters counters)
            throws NativeIoException {
        return (size < SPLICE_MIN ? small : large).read(file, bufp, size, off, counters);
    }
}
