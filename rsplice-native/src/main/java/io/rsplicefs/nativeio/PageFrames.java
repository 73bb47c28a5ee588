package io.rsplicefs.nativeio;

/**
 * Physical frame numbers of mapped memory, from /proc/self/pagemap. The kernel
 * shows PFNs only to CAP_SYS_ADMIN; without it this class refuses clearly
 * instead of returning zeros that look like "not present".
 */
public final class PageFrames {
    static {
        NativeLibrary.ensureAvailable();
    }

    private static final long PRESENT = 1L << 63;
    private static final long PFN_MASK = (1L << 55) - 1;

    private PageFrames() {
    }

    /**
     * PFN of each page of [address, address + pages*PAGE_SIZE); 0 for a page not
     * present in memory. Throws {@link NativeIoException} EPERM when the kernel hides PFNs.
     */
    public static long[] of(long address, int pages) throws NativeIoException {
        long[] entries = new long[pages];
        Errors.check("pread(/proc/self/pagemap)", NativeMethods.pagemap(address, entries));
        long[] pfns = new long[pages];
        for (int i = 0; i < pages; i++) {
            long e = entries[i];
            if ((e & PRESENT) != 0) {
                pfns[i] = e & PFN_MASK;
                if (pfns[i] == 0) {
                    throw new NativeIoException("pagemap (PFNs are hidden without CAP_SYS_ADMIN; run as root)",
                            1 /* EPERM */);
                }
            }
        }
        return pfns;
    }

    /** Maps [offset, offset+len) of fd read-only and shared; unmap with {@link #unmap}. */
    public static long mapFile(int fd, long offset, long len) throws NativeIoException {
        return Errors.check("mmap", NativeMethods.mapFile(fd, offset, len));
    }

    /** Reads one byte per page so each page is mapped (faulted in). */
    public static long touch(long address, long len) {
        return NativeMethods.touchPages(address, len);
    }

    /** A direct ByteBuffer over mapped memory; valid until {@link #unmap}. */
    public static java.nio.ByteBuffer view(long address, long len) {
        return NativeMethods.arenaBuffer(address, len);
    }

    public static void unmap(long address, long len) throws NativeIoException {
        Errors.check("munmap", NativeMethods.arenaUnmap(address, len));
    }
}
