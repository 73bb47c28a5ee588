package io.rsplicefs.fs.read;

import io.rsplicefs.fs.stats.ReadCounters;
import io.rsplicefs.fs.store.OpenFile;
import jnr.ffi.Pointer;

/**
 * fd: the reply names the backing fd and offset; libfuse splices from it.
 * The declared size may exceed what the file holds: libfuse's source splice
 * then comes up short and it sends what exists (a short reply is end of file).
 */
public final class FdReader implements Reader {
    private final boolean spliceWrite;

    public FdReader(boolean spliceWrite) {
        this.spliceWrite = spliceWrite;
    }

    @Override
    public long read(OpenFile file, Pointer bufp, long size, long off, ReadCounters counters) {
        Reply.fileRange(bufp, file.fd(), off, size);
        Reader.countHandedOver(counters, size, spliceWrite);
        return size;
    }
}
