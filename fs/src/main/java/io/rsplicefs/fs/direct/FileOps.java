package io.rsplicefs.fs.direct;

import io.rsplicefs.fs.core.FsCore;
import io.rsplicefs.fs.reply.ReadReply;
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
    private final int openFlags;

    FileOps(FsCore core, NodeTable nodes, Operations tree, EngineCounters counters, boolean directIo) {
        this.core = core;
        this.nodes = nodes;
        this.tree = tree;
        this.counters = counters;
        this.openFlags = directIo ? Fuse.FOPEN_DIRECT_IO : 0;
    }

    /** fuse_open_in: flags, open_flags. fuse_open_out: fh, open_flags, backing id. */
    void open(Request q, Reply out) throws NativeIoException {
        long fh = core.open(nodes.path(q.nodeid()), q.u32(0), q);
        out.u64(fh).u32(openFlags).u32(0).send();
    }

    /** fuse_create_in: flags, mode, umask, open_flags; then the name. Answers entry_out and open_out. */
    void create(Request q, Reply out) throws NativeIoException {
        String path = nodes.child(q.nodeid(), q.name(16));
        long fh = core.create(path, q.u32(0), q.u32(4), q);
        try {
            tree.entry(q, out, path);
        } catch (NativeIoException | RuntimeException e) {
            core.release(fh);
            throw e;
        }
        out.u64(fh).u32(openFlags).u32(0).send();
    }

    /** fuse_read_in: fh, offset, size, read_flags, lock_owner, flags. */
    void read(Request q, ReplySender sender) throws NativeIoException, InterruptedException {
        long fh = q.u64(0);
        long off = q.u64(8);
        int size = q.u32(16);
        counters.readSize(size);
        ReadReply r = core.read(fh, size, off);
        long sent = sender.send(r);
        if (sent < 0) {
            counters.replyFailed();
        }
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

    /** A WRITE whose header was read into memory and whose payload waits in {@code pipeReadFd}. */
    void writeFromPipe(Request q, Reply out, int pipeReadFd) throws NativeIoException, InterruptedException {
        long fh = q.u64(0);
        long off = q.u64(8);
        int size = q.u32(16);
        counters.writeSize(size);
        if (size != q.totalLength() - Fuse.IN_HEADER - Fuse.WRITE_IN) {
            throw new Request.Malformed("WRITE of " + size + " bytes in a request of " + q.totalLength());
        }
        long n = core.writeFromPipe(fh, pipeReadFd, size, off);
        out.u32((int) n).u32(0).send();
    }

    void release(Request q, Reply out) throws NativeIoException {
        core.release(q.u64(0));
        out.send();
    }

    /** fuse_fsync_in: fh, fsync_flags (bit 0: data only). */
    void fsync(Request q, Reply out) throws NativeIoException {
        core.fsync(q.u64(0), (q.u32(8) & 1) != 0);
        out.send();
    }

    /** fuse_lseek_in: fh, offset, whence (only SEEK_DATA and SEEK_HOLE reach the daemon). fuse_lseek_out: offset. */
    void lseek(Request q, Reply out) throws NativeIoException {
        out.u64(core.seek(q.u64(0), q.u64(8), q.u32(16))).send();
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
