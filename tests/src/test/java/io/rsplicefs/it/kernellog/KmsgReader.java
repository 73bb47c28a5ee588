package io.rsplicefs.it.kernellog;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import jnr.constants.platform.Errno;
import jnr.constants.platform.OpenFlags;
import jnr.ffi.LastError;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Platform;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * /dev/kmsg opened with O_NONBLOCK: {@link #drain} returns at once with
 * every record logged up to now. Java cannot open a file non-blocking, so
 * open/read go through libc (jnr-ffi, already here for jnr-fuse). The
 * kernel numbers records; a gap in the numbers means records were
 * overwritten in the ring buffer before they were read (the read that
 * notices it fails once with EPIPE).
 */
public final class KmsgReader implements AutoCloseable {
    /** The libc calls used (public, in a public class: jnr-ffi generates its implementation elsewhere). */
    public interface LibC {
        @SaveError
        int open(String path, int flags);

        @SaveError
        @ssize_t
        long read(int fd, @Out byte[] buf, @size_t long count);

        int close(int fd);

        /** fds: each struct pollfd (int fd, short events, short revents) packed in a long. */
        int poll(long[] fds, @size_t long nfds, int timeoutMillis);
    }

    /** Receives what was read, in sequence order. */
    interface Sink {
        void record(KmsgRecord r);

        /** Records {@code from..to} were overwritten before they could be read. */
        void lost(long from, long to);
    }

    private static final LibC C = LibraryLoader.create(LibC.class)
            .load(Platform.getNativePlatform().getStandardCLibraryName());
    private static final Runtime RT = Runtime.getRuntime(C);

    private final int fd;
    /** A record is at most 8 KiB with its dictionary (CONSOLE_EXT_LOG_MAX); a smaller buffer gets EINVAL. */
    private final byte[] buf = new byte[16 << 10];
    private long lastSeq = -1;

    private KmsgReader(int fd) {
        this.fd = fd;
    }

    /** Opens /dev/kmsg at its oldest record. */
    static KmsgReader open() throws IOException {
        int fd = C.open("/dev/kmsg", OpenFlags.O_RDONLY.intValue() | OpenFlags.O_NONBLOCK.intValue());
        if (fd < 0) {
            throw new IOException("cannot open /dev/kmsg: " + Errno.valueOf(LastError.getLastError(RT)));
        }
        return new KmsgReader(fd);
    }

    /** Waits until a record can be read, at most {@code millis} (poll(2): woken as soon as one is logged). */
    void await(int millis) {
        long pollIn = 1;
        long pollfd = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN
                ? (fd & 0xffffffffL) | pollIn << 32 : (long) fd << 32 | pollIn << 16;
        C.poll(new long[] {pollfd}, 1, millis);
    }

    /** Hands every record available now to the sink, then returns. */
    void drain(Sink sink) throws IOException {
        while (true) {
            long n = C.read(fd, buf, buf.length);
            if (n < 0) {
                int e = LastError.getLastError(RT);
                if (e == Errno.EAGAIN.intValue()) {
                    return;
                }
                if (e == Errno.EPIPE.intValue() || e == Errno.EINTR.intValue()) {
                    continue; // EPIPE: the reader was moved past the lost records; the gap reports them
                }
                throw new IOException("read /dev/kmsg: " + Errno.valueOf(e));
            }
            KmsgRecord r = KmsgRecord.parse(new String(buf, 0, (int) n, StandardCharsets.UTF_8));
            if (lastSeq >= 0 && r.seq() > lastSeq + 1) {
                sink.lost(lastSeq + 1, r.seq() - 1);
            }
            lastSeq = r.seq();
            sink.record(r);
        }
    }

    @Override
    public void close() {
        C.close(fd);
    }
}
