package io.rsplicefs.nativeio;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Page-aligned anonymous memory (mmap), exposed as a direct ByteBuffer. Meant
 * for vmsplice: whole pages that no allocator or GC shares. The buffer must not
 * be used after {@link #close()}.
 */
public final class PageArena implements AutoCloseable {
    static {
        NativeLibrary.ensureAvailable();
    }

    /** The system page size. */
    public static final int PAGE_SIZE = NativeMethods.pageSize();

    private final long address;
    private final long length;
    private final ByteBuffer buffer;
    private final AtomicBoolean closed = new AtomicBoolean();

    private PageArena(long address, long length) {
        this.address = address;
        this.length = length;
        this.buffer = NativeMethods.arenaBuffer(address, length);
    }

    /** Maps {@code pages} zero-filled pages. */
    public static PageArena allocate(int pages) throws NativeIoException {
        if (pages <= 0) {
            throw new IllegalArgumentException("pages must be positive: " + pages);
        }
        long len = (long) pages * PAGE_SIZE;
        return new PageArena(Errors.check("mmap", NativeMethods.arenaMap(len)), len);
    }

    public long address() {
        return address;
    }

    public long length() {
        return length;
    }

    public int pages() {
        return (int) (length / PAGE_SIZE);
    }

    /** A view of the whole arena (position 0, limit = length). */
    public ByteBuffer buffer() {
        return buffer.duplicate();
    }

    /** madvise(MADV_DONTNEED): the pages are dropped and read back as zeros. */
    public void dontNeed() throws NativeIoException {
        Errors.check("madvise(MADV_DONTNEED)", NativeMethods.arenaDontNeed(address, length));
    }

    @Override
    public void close() throws NativeIoException {
        if (closed.compareAndSet(false, true)) {
            Errors.check("munmap", NativeMethods.arenaUnmap(address, length));
        }
    }
}
