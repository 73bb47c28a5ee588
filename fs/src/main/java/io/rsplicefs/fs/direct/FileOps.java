package io.rsplicefs.fs.direct;

import io.rsplicefs.fs.Errno;
import io.rsplicefs.fs.core.FsCore;
import io.rsplicefs.fs.reply.ReadReply;
import io.rsplicefs.nativeio.FileConstants;
import io.rsplicefs.nativeio.NativeIoException;

/**
 * The requests on open files: open and create, read and write, flush,
 * fsync, fallocate, release. Reads go out through the worker's
 * {@link ReplySender}; a write's payload is taken from the request buffer or,
 * when the worker read the request by splice, from its pipe.
 */
final class FileOps {
    private final FsCore core;
    private final NodeTable nodes;
    private final Operations tree;
    private final EngineCounters counters;
    private final Passthrough passthrough;
    private final UringZeroCopy zeroCopy;
    private final UnaskedOpens unasked;
    private final StoreAhead storeAhead;
    private final int openFlags;
    private final boolean writebackCache;
    private final CreationUmask umask;

    FileOps(FsCore core, NodeTable nodes, Operations tree, EngineCounters counters, Passthrough passthrough,
            UringZeroCopy zeroCopy, UnaskedOpens unasked, StoreAhead storeAhead, boolean directIo, boolean keepCache,
            boolean writebackCache, CreationUmask umask) {
        this.umask = umask;
        this.core = core;
        this.nodes = nodes;
        this.tree = tree;
        this.counters = counters;
        this.passthrough = passthrough;
        this.zeroCopy = zeroCopy;
        this.unasked = unasked;
        this.storeAhead = storeAhead;
        this.openFlags = (directIo ? Fuse.FOPEN_DIRECT_IO : 0) | (keepCache ? Fuse.FOPEN_KEEP_CACHE : 0);
        this.writebackCache = writebackCache;
    }

    /**
     * fuse_open_in: flags, open_flags. fuse_open_out: fh, open_flags, backing id.
     * With ATOMIC_O_TRUNC the flags keep O_TRUNC and the core truncates (the
     * kernel checked write permission and sends no SETATTR).
     */
    void open(Request q, Reply out) throws NativeIoException, InterruptedException {
        if (unasked.declineOpen()) {
            out.error(Errno.ENOSYS); // the kernel opens this file and every later one itself
            return;
        }
        String path = nodes.path(q.nodeid());
        int flags = q.u32(0);
        long fh;
        try {
            fh = core.open(path, cacheFlags(flags), q);
        } catch (NativeIoException e) {
            if (e.errno() != Errno.EACCES || cacheFlags(flags) == flags) {
                throw e;
            }
            // A daemon that may write but not read the file (not root): the kernel's reads through
            // this handle will fail, but the opener asked only to write.
            fh = core.open(path, flags, q);
        }
        openReply(out, q.nodeid(), fh, (flags & FileConstants.O_ACCMODE) == FileConstants.O_RDONLY);
        out.send();
    }

    /**
     * Appends fuse_open_out for a new handle: passed through to the kernel
     * where it can be (direct I/O would override passthrough in the kernel,
     * so it is not asked then), else the daemon serves it, zero-copied over
     * the ring where the read path and the mount allow.
     */
    private void openReply(Reply out, long nodeid, long fh, boolean readOnly) throws NativeIoException {
        int backingId;
        try {
            backingId = passthrough.open(nodeid, fh);
        } catch (NativeIoException | RuntimeException e) {
            core.release(fh);
            throw e;
        }
        if (backingId > 0) {
            out.u64(fh).u32(Fuse.FOPEN_PASSTHROUGH).u32(backingId);
        } else {
            boolean range = core.backingRange(fh) != null;
            out.u64(fh).u32(openFlags | zeroCopy.openFlags(range, readOnly, !readOnly && core.writesInPlace(fh)))
                    .u32(0);
        }
    }

    /**
     * The backing open flags under the writeback cache: the kernel fills partly written pages by
     * READs through whatever handle is at hand, a write-only one too, so the backing file is opened
     * for reading as well; and it appends itself (at its own idea of the size, which it owns), so
     * the backing file must not (O_APPEND would put each flushed page at the end).
     */
    private int cacheFlags(int flags) {
        if (!writebackCache) {
            return flags;
        }
        int f = flags & ~FileConstants.O_APPEND;
        if ((f & FileConstants.O_ACCMODE) == FileConstants.O_WRONLY) {
            f = (f & ~FileConstants.O_ACCMODE) | FileConstants.O_RDWR;
        }
        return f;
    }

    /** fuse_create_in: flags, mode, umask, open_flags; then the name. Answers entry_out and open_out. */
    void create(Request q, Reply out) throws NativeIoException {
        String path = nodes.child(q.nodeid(), q.name(16));
        long fh = umask.apply(q.u32(8), () -> core.create(path, cacheFlags(q.u32(0)), q.u32(4), q));
        long nodeid;
        try {
            nodeid = tree.entry(q, out, path);
        } catch (NativeIoException | RuntimeException e) {
            core.release(fh);
            throw e;
        }
        openReply(out, nodeid, fh, false);
        out.send();
    }

    /** fuse_read_in: fh, offset, size, read_flags, lock_owner, flags. */
    void read(Request q, ReplySender sender) throws NativeIoException, InterruptedException {
        long fh = q.u64(0);
        long off = q.u64(8);
        int size = q.u32(16);
        counters.readSize(size);
        ReadReply r = unasked.unopened(fh) ? core.readUnopened(nodes.path(q.nodeid()), size, off, q)
                : core.read(fh, size, off);
        long sent = sender.send(r);
        if (sent < 0) {
            counters.replyFailed();
        }
        storeAhead.afterRead(q.nodeid(), off);
    }

    /** fuse_write_in: fh, offset, size, write_flags, lock_owner, flags; then the payload (in memory, or in a ring entry). */
    void write(Request q, Reply out) throws NativeIoException, InterruptedException {
        long fh = q.u64(0);
        long off = q.u64(8);
        int size = q.u32(16);
        long payload = q.writePayload(size);
        counters.writeSize(size);
        long n = core.write(fh, payload, size, off);
        out.u32((int) n).u32(0).send();
    }

    /**
     * A WRITE whose payload the kernel handed over as the writer's pages (io_uring
     * zero copy): {@code drain} moves them into the backing fd, the reply says how many it took.
     */
    void writeInPlace(Request q, Reply out, FsCore.InPlaceWrite drain) throws NativeIoException, InterruptedException {
        int size = writeSize(q, "zero-copied WRITE");
        long n = core.writeInPlace(q.u64(0), size, q.u64(8), drain);
        out.u32((int) n).u32(0).send();
    }

    /** A WRITE whose header was read into memory and whose payload waits in {@code pipeReadFd}. */
    void writeFromPipe(Request q, Reply out, int pipeReadFd) throws NativeIoException, InterruptedException {
        int size = writeSize(q, "WRITE");
        long n = core.writeFromPipe(q.u64(0), pipeReadFd, size, q.u64(8));
        out.u32((int) n).u32(0).send();
    }

    /** fuse_write_in's size, counted, once checked against the request's length (the payload follows the header). */
    private int writeSize(Request q, String what) {
        int size = q.u32(16);
        counters.writeSize(size);
        if (size != q.totalLength() - Fuse.IN_HEADER - Fuse.WRITE_IN) {
            throw new Request.Malformed(what + " of " + size + " bytes in a request of " + q.totalLength());
        }
        return size;
    }

    void release(Request q, Reply out) throws NativeIoException {
        passthrough.release(q.u64(0));
        core.release(q.u64(0));
        out.send();
    }

    /** fuse_fsync_in: fh, fsync_flags (bit 0: data only). */
    void fsync(Request q, Reply out) throws NativeIoException {
        if (!unasked.unopened(q.u64(0))) { // a file opened without asking is read-only: nothing to sync
            core.fsync(q.u64(0), (q.u32(8) & 1) != 0);
        }
        out.send();
    }

    /** fuse_lseek_in: fh, offset, whence (only SEEK_DATA and SEEK_HOLE reach the daemon). fuse_lseek_out: offset. */
    void lseek(Request q, Reply out) throws NativeIoException, InterruptedException {
        long fh = q.u64(0);
        long to = unasked.unopened(fh) ? core.seekUnopened(nodes.path(q.nodeid()), q.u64(8), q.u32(16), q)
                : core.seek(fh, q.u64(8), q.u32(16));
        out.u64(to).send();
    }

    /**
     * fuse_copy_file_range_in: fh_in, off_in, nodeid_out, fh_out, off_out,
     * len, flags. Answered with fuse_write_out, whose size is 32 bits: at most
     * 1 GiB per request (the caller's copy_file_range loops, as on any short copy).
     */
    void copyFileRange(Request q, Reply out) throws NativeIoException, InterruptedException {
        long len = Math.min(q.u64(40), 1L << 30);
        long n = core.copyFileRange(q.u64(0), q.u64(8), q.u64(24), q.u64(32), len);
        out.u32((int) n).u32(0).send();
    }

    /** fuse_fallocate_in: fh, offset, length, mode. */
    void fallocate(Request q, Reply out) throws NativeIoException, InterruptedException {
        core.fallocate(q.u64(0), q.u32(24), q.u64(8), q.u64(16));
        out.send();
    }
}
