package io.rsplicefs.nativeio;

import java.nio.ByteBuffer;

/**
 * splice, tee, vmsplice, and pread/pwrite into native memory. An offset of
 * {@link #NO_OFFSET} means "use the fd's own position" (a NULL offset pointer).
 * Counts may be short: a short count is a result, never an error.
 */
public final class Splice {
    static {
        NativeLibrary.ensureAvailable();
    }

    /** Pass as an offset to use the fd's position instead of an explicit offset. */
    public static final long NO_OFFSET = -1;
    /** SPLICE_F_MOVE: ask the kernel to move pages rather than copy (a hint). */
    public static final int F_MOVE = NativeMethods.spliceFMove();
    /** SPLICE_F_NONBLOCK: do not block on the pipe. */
    public static final int F_NONBLOCK = NativeMethods.spliceFNonblock();
    /** SPLICE_F_MORE: more data will follow. */
    public static final int F_MORE = NativeMethods.spliceFMore();
    /** SPLICE_F_GIFT: vmsplice gives the pages to the kernel. */
    public static final int F_GIFT = NativeMethods.spliceFGift();

    private Splice() {
    }

    /** One splice(2) call; returns bytes moved (0 = end of input). */
    public static long splice(int fdIn, long offIn, int fdOut, long offOut, long len, int flags)
            throws NativeIoException {
        return Errors.check("splice", NativeMethods.splice(fdIn, offIn, fdOut, offOut, len, flags));
    }

    /**
     * Splices until {@code len} bytes moved, the input ends, or the output
     * would block after some progress; returns the bytes moved, which may be
     * fewer than asked (the caller must declare only what it got).
     */
    public static long spliceFully(int fdIn, long offIn, int fdOut, long offOut, long len, int flags)
            throws NativeIoException {
        return Errors.check("splice", NativeMethods.spliceFully(fdIn, offIn, fdOut, offOut, len, flags));
    }

    /** tee(2): duplicates pipe buffers without consuming them. */
    public static long tee(int pipeIn, int pipeOut, long len, int flags) throws NativeIoException {
        return Errors.check("tee", NativeMethods.tee(pipeIn, pipeOut, len, flags));
    }

    /** vmsplice(2) of native memory into a pipe's write end. */
    public static long vmsplice(int pipeWriteFd, long address, long len, int flags) throws NativeIoException {
        return Errors.check("vmsplice", NativeMethods.vmsplice(pipeWriteFd, address, len, flags));
    }

    /** pread until {@code len} bytes or end of file, into native memory; returns the count. */
    public static long preadFully(int fd, long address, long len, long offset) throws NativeIoException {
        return Errors.check("pread", NativeMethods.preadFully(fd, address, len, offset));
    }

    /** pwrite all {@code len} bytes from native memory; returns the count. */
    public static long pwriteFully(int fd, long address, long len, long offset) throws NativeIoException {
        return Errors.check("pwrite", NativeMethods.pwriteFully(fd, address, len, offset));
    }

    /** The native address of a direct buffer. */
    public static long address(ByteBuffer direct) throws NativeIoException {
        return Errors.check("GetDirectBufferAddress", NativeMethods.bufferAddress(direct));
    }
}
