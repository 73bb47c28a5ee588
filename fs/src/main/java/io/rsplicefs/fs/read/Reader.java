package io.rsplicefs.fs.read;

import io.rsplicefs.fs.stats.ReadCounters;
import io.rsplicefs.fs.store.OpenFile;
import io.rsplicefs.nativeio.NativeIoException;
import jnr.ffi.Pointer;

/**
 * One read path: answers a read_buf request by writing a reply bufvec through
 * {@code bufp} (go-fuse's ReadResult idea: the caller does not care whether
 * the reply is bytes, a file range or a filled pipe).
 */
public interface Reader {
    /** Two pages: libfuse 2.9 copies any fd reply smaller than this instead of splicing it. */
    long SPLICE_MIN = 8192;

    /**
     * Writes the reply for [off, off+size) and counts it in {@code counters};
     * returns the bytes in the reply (short at end of file).
     */
    long read(OpenFile file, Pointer bufp, long size, long off, ReadCounters counters) throws NativeIoException;

    /** Counts a reply handed to libfuse as an fd or pipe: spliced only if libfuse will splice it. */
    static void countHandedOver(ReadCounters counters, long n, boolean spliceWrite) {
        if (!spliceWrite) {
            counters.copied(n, "splice_write off");
        } else if (n < SPLICE_MIN) {
            counters.copied(n, "under 2 pages (libfuse copies)");
        } else {
            counters.spliced(n);
        }
    }
}
