package io.rsplicefs.fs.read;

import io.rsplicefs.fs.reply.ReadReply;
import io.rsplicefs.fs.stats.ReadCounters;
import io.rsplicefs.fs.store.ByteSource;
import io.rsplicefs.nativeio.NativeIoException;

/**
 * auto: replies under two pages go by copy (libfuse would copy them anyway,
 * and a pread is cheaper than a splice round trip); larger ones go by the
 * splicing path, which itself falls back to copy when it cannot get a pipe
 * or the bytes have no fd.
 */
public final class AutoReader implements Reader {
    private final Reader small = new CopyReader("auto: under 2 pages");
    private final Reader large;

    public AutoReader(Reader large) {
        this.large = large;
    }

    @Override
    public ReadReply read(ByteSource source, long size, long off, ReadCounters counters) throws NativeIoException {
        return (size < SPLICE_MIN ? small : large).read(source, size, off, counters);
    }
}
