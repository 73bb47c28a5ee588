package io.rsplicefs.fs.read;

import io.rsplicefs.fs.reply.ReadReply;
import io.rsplicefs.fs.stats.ReadCounters;
import io.rsplicefs.fs.store.ByteSource;
import io.rsplicefs.nativeio.NativeIoException;
import io.rsplicefs.nativeio.Splice;

/**
 * A byte range whose page offset in its backing file sits just below that of
 * the file offset it is read for: an archive member whose data starts a few
 * bytes before a page boundary. Splicing it makes the kernel copy each page
 * into the FUSE page cache with the destination 1 to 31 bytes above the
 * source modulo 4096, and the CPU's copy (rep movsb) runs at a quarter of its
 * speed there (4K aliasing; measured on this AMD EPYC, 6.18: a native pread
 * of such a member into an aligned buffer went at 2.1-2.4 GB/s, at 8-10 GB/s
 * 32 bytes further). Read into memory placed half a page off instead, both
 * copies (pread, then the kernel's from the reply) are far from aliasing and
 * run at full speed: two fast copies instead of one slow one.
 */
final class PageSkew {
    private static final int PAGE = 4096;
    /**
     * Distances that copy slowly: 1 to 31 measured here, 32 not. Not wider:
     * the detour costs a copy more than a splice (a member 32 bytes below a
     * boundary read 0.14 s per 256 MiB by it, 0.09 s by splice), worth it only
     * where the splice is slower still (0.16-0.24 s; 0.13 s by the detour).
     */
    static final int BAND = 32;

    private PageSkew() {
    }

    /** Whether the kernel's copy of {@code r} into the page cache at {@code off} would alias. */
    static boolean aliases(ByteSource.FdRange r, long off) {
        long distance = (off - r.position(off)) & (PAGE - 1);
        return distance != 0 && distance < BAND;
    }

    /** {@code len} bytes at {@code off}, read into memory half a page from where the page cache will take them. */
    static ReadReply copyHalfAPageOff(ByteSource.FdRange r, long off, long len, ReadCounters counters)
            throws NativeIoException {
        long base = ReplyMemory.allocate(len + PAGE);
        long address = base + (((off & (PAGE - 1)) + PAGE / 2 - base) & (PAGE - 1));
        long n;
        try {
            n = Splice.preadFully(r.fd(), address, len, r.position(off));
        } catch (NativeIoException | RuntimeException e) {
            ReplyMemory.free(base);
            throw e;
        }
        counters.copied(n, "page-skewed range: copied half a page off");
        return new ReadReply(new ReadReply.Memory(address, n, base));
    }
}
