package io.rsplicefs.nativeio;

/**
 * /dev/fuse for an engine that speaks the protocol itself: opening and
 * cloning the device, mounting it, reading requests into native memory and
 * sending replies from memory or through a pipe. Nothing here knows the
 * protocol beyond the 16-byte reply header that a spliced reply carries first.
 */
public final class FuseDevice {
    static {
        NativeLibrary.ensureAvailable();
    }

    /** sizeof(struct fuse_out_header). */
    public static final int OUT_HEADER = 16;
    /** What {@link #sendRange} returns below this value: the source was short (see {@link #shortBy}). */
    private static final long SHORT_MARK = -(1L << 40);

    private FuseDevice() {
    }

    /** Opens /dev/fuse (O_RDWR, close-on-exec). */
    public static int open() throws NativeIoException {
        return Errors.check("open /dev/fuse", NativeMethods.fuseOpen());
    }

    /** A new fd on the connection of {@code masterFd} (FUSE_DEV_IOC_CLONE): its own request queue reader. */
    public static int cloneOf(int masterFd) throws NativeIoException {
        return Errors.check("ioctl FUSE_DEV_IOC_CLONE", NativeMethods.fuseClone(masterFd));
    }

    /** mount(2). */
    public static void mount(String source, String target, String type, long flags, String data)
            throws NativeIoException {
        Errors.check("mount " + target, NativeMethods.mount(source, target, type, flags, data));
    }

    /** umount2(2) with MNT_DETACH etc. in {@code flags}. */
    public static void umount(String target, int flags) throws NativeIoException {
        Errors.check("umount2 " + target, NativeMethods.umount(target, flags));
    }

    /**
     * Mounts as a non-root user through the setuid helper ({@code fusermount3}
     * or {@code fusermount}), which sends back the mounted device fd.
     */
    public static int mountWithHelper(String helper, String mountpoint, String options) throws NativeIoException {
        return Errors.check(helper + " " + mountpoint, NativeMethods.fusermountMount(helper, mountpoint, options));
    }

    /** Reads one request; interrupted and EINTR reads are retried. ENODEV: the connection is gone. */
    public static long read(int fd, long address, long len) throws NativeIoException {
        return Errors.check("read /dev/fuse", NativeMethods.fuseRead(fd, address, len));
    }

    /**
     * Reads the next request by splicing it into a pipe (a WRITE's payload then
     * never enters user memory); returns its length.
     */
    public static long spliceRequest(int fd, int pipeWriteFd, long len) throws NativeIoException {
        return Errors.check("splice /dev/fuse", NativeMethods.fuseSpliceRequest(fd, pipeWriteFd, len));
    }

    /**
     * Sends a reply from memory. Returns the raw result: bytes written, or
     * -errno (ENOENT: the request was interrupted and needs no reply; the
     * caller decides what else it tolerates) — on the hot path no exception.
     */
    public static long writev(int fd, long header, int headerLen, long body, long bodyLen) {
        return NativeMethods.fuseWritev(fd, header, headerLen, body, bodyLen);
    }

    /** Reads exactly {@code len} queued bytes of a pipe into memory; returns the count (short if the pipe had less). */
    public static long pipeRead(int fd, long address, long len) throws NativeIoException {
        return Errors.check("read pipe", NativeMethods.pipeRead(fd, address, len));
    }

    /** Splices {@code total} queued bytes (header and payload) of a pipe into the device as one reply; raw result. */
    public static long sendPipe(int pipeReadFd, int devFd, long total, int flags) {
        return NativeMethods.fuseSendPipe(pipeReadFd, devFd, total, flags);
    }

    /**
     * Sends the 16-byte header at {@code header} and {@code len} bytes of
     * {@code srcFd} at {@code srcOff} through the empty pipe as one reply.
     * Raw result: {@code len} when sent; -errno; or, when the source gave
     * fewer bytes, a value for which {@link #shortBy} is true (nothing sent,
     * the pipe emptied).
     */
    public static long sendRange(int devFd, int pipeReadFd, int pipeWriteFd, long header, int srcFd, long srcOff,
                                 long len, int flags) {
        return NativeMethods.fuseSendRange(devFd, pipeReadFd, pipeWriteFd, header, srcFd, srcOff, len, flags);
    }

    /** Whether a {@link #sendRange} result means the source was short. */
    public static boolean shortBy(long result) {
        return result <= SHORT_MARK;
    }

    /** How many bytes the source gave, from a short {@link #sendRange} result. */
    public static long shortCount(long result) {
        return SHORT_MARK - result;
    }

    /** The protocol's struct sizes as C lays them out (see rsplice_fuse.c for the order). */
    public static int[] structSizes() {
        return NativeMethods.fuseStructSizes();
    }

    /**
     * Registers {@code fd} as a backing file for FUSE passthrough
     * (FUSE_DEV_IOC_BACKING_OPEN); returns the id an open reply names.
     * EPERM without CAP_SYS_ADMIN or when the connection has no passthrough,
     * ELOOP when the backing filesystem is stacked too deep.
     */
    public static int backingOpen(int devFd, int fd) throws NativeIoException {
        return Errors.check("ioctl FUSE_DEV_IOC_BACKING_OPEN", NativeMethods.fuseBackingOpen(devFd, fd));
    }

    /** Forgets a backing id (FUSE_DEV_IOC_BACKING_CLOSE); files opened with it keep their backing file. */
    public static void backingClose(int devFd, int id) throws NativeIoException {
        Errors.check("ioctl FUSE_DEV_IOC_BACKING_CLOSE", NativeMethods.fuseBackingClose(devFd, id));
    }
}
