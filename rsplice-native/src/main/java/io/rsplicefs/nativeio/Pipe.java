package io.rsplicefs.nativeio;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

/** A non-blocking, close-on-exec pipe. Closing is idempotent and thread-safe. */
public final class Pipe implements AutoCloseable {
    private static final Path PIPE_MAX_SIZE = Path.of("/proc/sys/fs/pipe-max-size");

    private final int readFd;
    private final int writeFd;
    private final AtomicBoolean closed = new AtomicBoolean();

    private Pipe(int readFd, int writeFd) {
        this.readFd = readFd;
        this.writeFd = writeFd;
    }

    static {
        NativeLibrary.ensureAvailable();
    }

    /** pipe2(O_NONBLOCK | O_CLOEXEC). */
    public static Pipe create() throws NativeIoException {
        long packed = Errors.check("pipe2", NativeMethods.pipeCreate());
        return new Pipe(PipeFds.readFd(packed), PipeFds.writeFd(packed));
    }

    /** The largest capacity an unprivileged process may set (/proc/sys/fs/pipe-max-size). */
    public static int maxCapacity() {
        // One read() with a large buffer: a sysctl file answers a read at a non-zero offset
        // with EOF, so readers that start with a tiny buffer see only the first byte.
        try (java.io.FileInputStream in = new java.io.FileInputStream(PIPE_MAX_SIZE.toFile())) {
            byte[] buf = new byte[64];
            int n = in.read(buf);
            return Integer.parseInt(new String(buf, 0, Math.max(0, n), java.nio.charset.StandardCharsets.US_ASCII).trim());
        } catch (Exception e) {
            return 1 << 20; // the kernel's default
        }
    }

    public int readFd() {
        return readFd;
    }

    public int writeFd() {
        return writeFd;
    }

    /** F_GETPIPE_SZ. */
    public int capacity() throws NativeIoException {
        return Errors.check("fcntl(F_GETPIPE_SZ)", NativeMethods.pipeCapacity(writeFd));
    }

    /**
     * F_SETPIPE_SZ: the kernel rounds up to a power-of-two number of pages; the
     * new capacity is returned. Above pipe-max-size an unprivileged caller gets EPERM.
     */
    public int setCapacity(int bytes) throws NativeIoException {
        return Errors.check("fcntl(F_SETPIPE_SZ)", NativeMethods.pipeSetCapacity(writeFd, bytes));
    }

    /** Bytes queued in the pipe (FIONREAD). */
    public int queued() throws NativeIoException {
        return Errors.check("ioctl(FIONREAD)", NativeMethods.pipeQueued(readFd));
    }

    /** Discards everything queued (spliced to /dev/null) and verifies the pipe is empty; returns bytes discarded. */
    public long drain() throws NativeIoException {
        return Errors.check("drain", NativeMethods.pipeDrain(readFd));
    }

    public boolean isClosed() {
        return closed.get();
    }

    @Override
    public void close() throws NativeIoException {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        int r = NativeMethods.close(readFd);
        int w = NativeMethods.close(writeFd);
        Errors.check("close", r);
        Errors.check("close", w);
    }

    @Override
    public String toString() {
        return "Pipe[r=" + readFd + ",w=" + writeFd + (closed.get() ? ",closed]" : "]");
    }
}
