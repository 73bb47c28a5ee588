package io.rsplicefs.fs.jnrfuse;

import com.kenai.jffi.MemoryIO;
import io.rsplicefs.fs.reply.ReadReply;
import jnr.ffi.Pointer;

/**
 * Writes a {@link ReadReply} as the {@code struct fuse_bufvec} that read_buf
 * returns through {@code *bufp}. libfuse 2.9 frees the bufvec and every
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

    private Bufvec() {
    }

    static void write(Pointer bufp, ReadReply reply) {
        ReadReply.Payload p = reply.payload();
        if (p instanceof ReadReply.Memory m) {
            write(bufp, m.length(), 0, m.address(), -1, 0);
        } else if (p instanceof ReadReply.FileRange r) {
            write(bufp, r.length(), FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK, 0, r.fd(), r.position());
        } else {
            ReadReply.FilledPipe f = (ReadReply.FilledPipe) p;
            write(bufp, f.length(), FUSE_BUF_IS_FD, 0, f.readFd(), 0);
        }
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
}
