package io.rsplicefs.nativeio;

import java.nio.file.Path;

/**
 * Flushes the kernel's per-CPU LRU batches on every CPU. A page freshly read
 * into the page cache is held by such a batch for a while, and SPLICE_F_MOVE
 * copies a page with that extra reference instead of moving it. The flush is
 * a side effect of posix_fadvise(DONTNEED) failing on a page pinned by a
 * mapping (see rsplice_lru.c); it costs a round of per-CPU work items, so use
 * it only where a move depends on it.
 */
public final class LruDrain implements AutoCloseable {
    static {
        NativeLibrary.ensureAvailable();
    }

    private final long handle;
    private boolean closed;

    private LruDrain(long handle) {
        this.handle = handle;
    }

    /**
     * Creates the pinned scratch page as an unlinked file in dir. Throws
     * EOPNOTSUPP on tmpfs/ramfs, where fadvise is ignored and nothing would drain.
     */
    public static LruDrain in(Path dir) throws NativeIoException {
        return new LruDrain(Errors.check("open(O_TMPFILE) of the LRU drain page in " + dir,
                NativeMethods.lruPinOpen(dir.toString())));
    }

    public synchronized void drain() throws NativeIoException {
        if (closed) {
            throw new IllegalStateException("LRU drain closed");
        }
        Errors.check("posix_fadvise(DONTNEED) to drain the LRU batches", NativeMethods.lruDrain(handle));
    }

    @Override
    public synchronized void close() throws NativeIoException {
        if (!closed) {
            closed = true;
            Errors.check("munmap/close of the LRU drain page", NativeMethods.lruPinClose(handle));
        }
    }
}
