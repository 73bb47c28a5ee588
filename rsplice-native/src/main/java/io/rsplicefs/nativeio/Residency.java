package io.rsplicefs.nativeio;

/**
 * Page-cache residency of files: posix_fadvise and mincore. This is how a
 * donation is observed: a page moved into the FUSE cache leaves the backing
 * file's cache.
 */
public final class Residency {
    static {
        NativeLibrary.ensureAvailable();
    }

    /** posix_fadvise advice values. */
    public enum Advice {
        NORMAL(NativeMethods.fadvNormal()),
        RANDOM(NativeMethods.fadvRandom()),
        SEQUENTIAL(NativeMethods.fadvSequential()),
        WILLNEED(NativeMethods.fadvWillNeed()),
        DONTNEED(NativeMethods.fadvDontNeed());

        final int value;

        Advice(int value) {
            this.value = value;
        }
    }

    /** Resident pages of a file range; {@code bitmap[i]} is 1 when page i is resident. */
    public record Map(long resident, byte[] bitmap) {
        public int pages() {
            return bitmap.length;
        }
    }

    private Residency() {
    }

    public static void fadvise(int fd, long offset, long len, Advice advice) throws NativeIoException {
        Errors.check("posix_fadvise", NativeMethods.fadvise(fd, offset, len, advice.value));
    }

    /**
     * Pages of [offset, offset+len) in the page cache, by cachestat(2): no
     * mapping, no side effect on the pages. Throws with ENOSYS before 6.5.
     */
    public static long cachedPages(int fd, long offset, long len) throws NativeIoException {
        return Errors.check("cachestat", NativeMethods.cachedPages(fd, offset, len));
    }

    /** Resident pages of [offset, offset+len); offset must be page-aligned. */
    public static long residentPages(int fd, long offset, long len) throws NativeIoException {
        return Errors.check("mincore", NativeMethods.mincore(fd, offset, len, null));
    }

    /** Resident pages of [offset, offset+len) with the per-page bitmap. */
    public static Map map(int fd, long offset, long len) throws NativeIoException {
        byte[] bitmap = new byte[(int) ((len + PageArena.PAGE_SIZE - 1) / PageArena.PAGE_SIZE)];
        long n = Errors.check("mincore", NativeMethods.mincore(fd, offset, len, bitmap));
        return new Map(n, bitmap);
    }
}
