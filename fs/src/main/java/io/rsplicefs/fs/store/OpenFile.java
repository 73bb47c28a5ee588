package io.rsplicefs.fs.store;

import io.rsplicefs.nativeio.AtFiles;
import io.rsplicefs.nativeio.NativeIoException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An open backing file: the fd every read path starts from (pread for copy,
 * the fd itself for fd, splice for rsplice). Closing is idempotent.
 */
public final class OpenFile implements AutoCloseable {
    private final int fd;
    private final String path;
    private final int flags;
    private final AtomicBoolean closed = new AtomicBoolean();

    OpenFile(int fd, String path, int flags) {
        this.fd = fd;
        this.path = path;
        this.flags = flags;
    }

    /** Wraps an fd opened elsewhere (e.g. a file the filesystem serves itself); closing closes it. */
    public static OpenFile adopt(int fd, String path) {
        return new OpenFile(fd, path, 0);
    }

    public int fd() {
        return fd;
    }

    public String path() {
        return path;
    }

    /** The open flags the backing fd was opened with. */
    public int flags() {
        return flags;
    }

    @Override
    public void close() throws NativeIoException {
        if (closed.compareAndSet(false, true)) {
            AtFiles.close(fd);
        }
    }
}
