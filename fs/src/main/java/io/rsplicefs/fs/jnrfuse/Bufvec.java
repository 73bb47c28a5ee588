package io.rsplicefs.fs.jnrfuse;

import com.kenai.jffi.MemoryIO;
import io.rsplicefs.fs.Errno;
import io.rsplicefs.fs.core.FsCore;
import io.rsplicefs.fs.read.ReplyMemory;
import io.rsplicefs.fs.reply.ReadReply;
import io.rsplicefs.nativeio.NativeIoException;
import jnr.ffi.Pointer;

/**
 * The raw {@code struct fuse_bufvec}, both ways. Writes a {@link ReadReply} as
 * the bufvec that read_buf returns through {@code *bufp}, and reads the bufvec
 * write_buf is given ({@link #writeAll}). libfuse 2.9 frees the bufvec and every
 * non-fd {@code mem} with free() after replying, so the bufvec is malloc'd
 * here and a memory payload must be malloc'd too (it is: ReplyMemory).
 *
 * <pre>
 * struct fuse_buf    { size_t size; enum flags; void *mem; int fd; off_t pos; }   // 40 bytes on LP64
 * struct fuse_bufvec { size_t count; size_t idx; size_t off; struct fuse_buf buf[1]; } // 64 bytes
 * </pre>
 * The layout is written raw because jnr-fuse's FuseBuf.flags is a Java enum
 * that cannot hold IS_FD|FD_SEEK.
 */
final class Bufvec {
    static final int FUSE_BUF_IS_FD = 1 << 1;
    static final int FUSE_BUF_FD_SEEK = 1 << 2;

    private static final MemoryIO IO = MemoryIO.getInstance();
    private static final int BUFVEC_SIZE = 64;
    private static final int BUF = 24;
    private static final int BUF_SIZE = 40;

    private Bufvec() {
    }

    static void write(Pointer bufp, ReadReply reply) {
        ReadReply.Payload p = reply.payload();
        if (p instanceof ReadReply.Memory m) {
            write(bufp, m.length(), 0, ownAllocation(m), -1, 0);
        } else if (p instanceof ReadReply.FileRange r) {
            write(bufp, r.length(), FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK, 0, r.fd(), r.position());
        } else {
            ReadReply.FilledPipe f = (ReadReply.FilledPipe) p;
            write(bufp, f.length(), FUSE_BUF_IS_FD, 0, f.readFd(), 0);
        }
    }

    /**
     * libfuse frees a reply's buffer with free(): bytes placed inside a larger
     * allocation (a page-skewed range, rare) are moved to one of their own.
     */
    private static long ownAllocation(ReadReply.Memory m) {
        if (m.base() == m.address()) {
            return m.address();
        }
        long mem = ReplyMemory.allocate(m.length());
        IO.copyMemory(m.address(), mem, m.length());
        ReplyMemory.free(m.base());
        return mem;
    }

    private static void write(Pointer bufp, long size, int flags, long mem, int fd, long pos) {
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
    }

    /**
     * Writes what a write_buf bufvec at {@code v} holds, from buffer
     * {@code idx} at {@code off} on, to the file at {@code fileOff}: a pipe
     * buffer (IS_FD, no FD_SEEK) is spliced by the core, a memory buffer is
     * written from {@code mem}. Marks the bufvec consumed (idx = count, as
     * fuse_buf_copy leaves it) so libfuse keeps its pipe; on an exception it
     * stays unconsumed and libfuse discards the pipe's leftovers. Returns the
     * bytes written.
     */
    static long writeAll(long v, long fh, long fileOff, FsCore core) throws NativeIoException, InterruptedException {
        long count = IO.getLong(v);
        long idx = IO.getLong(v + 8);
        long skip = IO.getLong(v + 16);
        long written = 0;
        for (long i = idx; i < count; i++, skip = 0) {
            long b = v + BUF + i * BUF_SIZE;
            long size = IO.getLong(b) - skip;
            int flags = IO.getInt(b + 8);
            if (size <= 0) {
                continue;
            }
            if ((flags & FUSE_BUF_IS_FD) == 0) {
                written += core.write(fh, IO.getLong(b + 16) + skip, size, fileOff + written);
            } else if ((flags & FUSE_BUF_FD_SEEK) == 0 && skip == 0) {
                written += core.writeFromPipe(fh, IO.getInt(b + 24), size, fileOff + written);
            } else {
                // libfuse 2.9 hands write_buf a whole pipe or memory; a seekable fd or a partly read pipe is not that
                throw new NativeIoException("write_buf: fd buffer with flags " + flags + ", offset " + skip, Errno.EIO);
            }
        }
        IO.putLong(v + 8, count);
        IO.putLong(v + 16, 0);
        return written;
    }
}
