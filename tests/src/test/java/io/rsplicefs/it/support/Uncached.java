package io.rsplicefs.it.support;

import io.rsplicefs.nativeio.AtFiles;
import io.rsplicefs.nativeio.FileConstants;
import io.rsplicefs.nativeio.NativeIoException;
import io.rsplicefs.nativeio.PageArena;
import io.rsplicefs.nativeio.Residency;
import io.rsplicefs.nativeio.Splice;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Reads a file through native calls so a test controls the page cache: drop
 * the FUSE file's cached pages (POSIX_FADV_DONTNEED) before a read so the
 * read really reaches the daemon.
 */
public final class Uncached implements AutoCloseable {
    private final int fd;
    private final PageArena buf;

    public Uncached(Path file, int maxRead) throws NativeIoException {
        this.fd = AtFiles.openat(-100, file.toString(), FileConstants.O_RDONLY | FileConstants.O_CLOEXEC, 0);
        this.buf = PageArena.allocate(Math.max(1, (maxRead + PageArena.PAGE_SIZE - 1) / PageArena.PAGE_SIZE));
    }

    public int fd() {
        return fd;
    }

    public void dropCache() throws NativeIoException {
        Residency.fadvise(fd, 0, 0, Residency.Advice.DONTNEED);
    }

    /** pread of len bytes at off into a fresh byte[] (short at end of file). */
    public byte[] read(long off, int len) throws NativeIoException {
        long n = Splice.preadFully(fd, buf.address(), len, off);
        byte[] out = new byte[(int) n];
        ByteBuffer b = buf.buffer();
        b.get(out);
        return out;
    }

    /** Drops the cache, then reads. */
    public byte[] readUncached(long off, int len) throws NativeIoException {
        dropCache();
        return read(off, len);
    }

    @Override
    public void close() throws NativeIoException {
        try {
            buf.close();
        } finally {
            AtFiles.close(fd);
        }
    }
}
