package io.rsplicefs.fs.read;

import com.kenai.jffi.MemoryIO;
import jnr.ffi.Pointer;

/**
 * Writes the {@code struct fuse_bufvec} that read_buf returns through
 * {@code *bufp}. libfuse 2.9 frees the bufvec and every non-fd {@code mem}
 * with free() after replying, so both are malloc'd here, never Java memory.
 *
 * <pre>
 * struct fuse_buf    { size_t size; enum flags; void *mem; int fd; off_t pos; }   // 40 bytes on LP64
 * struct fuse_bufvec { size_t count; size_t idx; size_t off; struct fuse_buf buf[1]; } // 64 bytes
 * </pre>
 * The layout is written raw because jnr-fuse's FuseBuf.flags is a Java enum
 * that cannot hold IS_FD|FD_SEEK.
 */
public final class Reply {
    static final int FUSE_BUF_IS_FD = 1 << 1;
    static final int FUSE_BUF_FD_SEEK = 1 << 2;

    private static final MemoryIO IO = MemoryIO.getInstance();
    private static final int BUFVEC_SIZE = 64;
    private static final int BUF = 24;

    private Reply() {
    }

    private static long bufvec(Pointer bufp, long size, int flags, long mem, int fd, long pos) {
        long v = IO.allocateMemory(BUFVEC_SIZE, false);
        if (v == 0) {
            throw new OutOfMemoryError("malloc(fuse_bufvec)");
        }
        IO.putLong(v, 1);       // count
        IO.putLong(v + 8, 0);   // idx
        IO.putLong(v + 16, 0);  // off
        IO.putLong(v + BUF, size);
        IO.putInt(v + BUF + 8, flags);
        IO.putInt(v + BUF + 12, 0);
        IO.putLong(v + BUF + 16, mem);
        IO.putInt(v + BUF + 24, fd);
        IO.putInt(v + BUF + 28, 0);
        IO.putLong(v + BUF + 32, pos);
        bufp.putAddress(0, v);
        return v;
    }

    /** malloc's a reply buffer of {@code capacity} bytes; hand it to {@link #memory} or {@link #free} it. */
    public static long allocate(long capacity) {
        long mem = IO.allocateMemory(Math.max(1, capacity), false);
        if (mem == 0) {
            throw new OutOfMemoryError("malloc(" + capacity + ")");
        }
        return mem;
    }

    public static void free(long mem) {
        IO.freeMemory(mem);
    }

    /** A reply of {@code size} bytes at malloc'd {@code mem}; libfuse frees mem. */
    public static void memory(Pointer bufp, long mem, long size) {
        bufvec(bufp, size, 0, mem, -1, 0);
    }

    /** A reply libfuse reads from {@code fd} at {@code pos} (splicing when it can). */
    public static void fileRange(Pointer bufp, int fd, long pos, long size) {
        bufvec(bufp, size, FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK, 0, fd, pos);
    }

    /** A reply of exactly the {@code size} bytes queued in the pipe whose read end is {@code pipeReadFd}. */
    public static void pipe(Pointer bufp, int pipeReadFd, long size) {
        bufvec(bufp, size, FUSE_BUF_IS_FD, 0, pipeReadFd, 0);
    }

    /** An empty reply (end of file). */
    public static void empty(Pointer bufp) {
        memory(bufp, allocate(1), 0);
    }
}
