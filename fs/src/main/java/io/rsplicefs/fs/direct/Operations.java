package io.rsplicefs.fs.direct;

import io.rsplicefs.fs.Errno;
import io.rsplicefs.fs.core.FsCore;
import io.rsplicefs.fs.stats.MountStats;
import io.rsplicefs.nativeio.FileStat;
import io.rsplicefs.nativeio.FsStat;
import io.rsplicefs.nativeio.NativeIoException;

/**
 * The requests that name nodes rather than open files: lookups and
 * forgets, attributes, the tree (create, link, rename, remove), xattrs and
 * statfs. Each handler reads its arguments from the request, calls the
 * core with paths from the {@link NodeTable}, and fills the reply; a
 * failure is a {@link NativeIoException} the worker answers with its errno.
 */
final class Operations {
    static final int RENAME_NOREPLACE = 1;
    static final int RENAME_EXCHANGE = 2;
    /** UTIME_NOW and UTIME_OMIT (utimensat(2)). */
    static final long UTIME_NOW = (1L << 30) - 1;
    static final long UTIME_OMIT = (1L << 30) - 2;

    private final FsCore core;
    private final NodeTable nodes;
    private final CreationUmask umask;

    Operations(FsCore core, NodeTable nodes, CreationUmask umask) {
        this.core = core;
        this.nodes = nodes;
        this.umask = umask;
    }

    /** Looks up {@code path}, counts the lookup and appends its entry_out. */
    /** Appends fuse_entry_out for {@code path} (one more lookup of its node); returns the node id. */
    long entry(Request q, Reply out, String path) throws NativeIoException {
        FileStat st = core.getattr(path, q);
        long nodeid = nodes.lookedUp(path, st);
        out.entry(nodeid, st);
        return nodeid;
    }

    void lookup(Request q, Reply out) throws NativeIoException {
        try {
            entry(q, out, nodes.child(q.nodeid(), q.name(0)));
        } catch (NativeIoException e) {
            if (e.errno() == Errno.ENOENT && out.negativeEntry()) {
                out.send();
                return;
            }
            throw e;
        }
        out.send();
    }

    void forget(Request q) {
        nodes.forget(q.nodeid(), q.u64(0));
    }

    /** fuse_batch_forget_in: count, then {nodeid, nlookup} pairs. */
    void batchForget(Request q) {
        int count = q.u32(0);
        q.need(8 + 16 * count);
        for (int i = 0; i < count; i++) {
            nodes.forget(q.u64(8 + 16 * i), q.u64(16 + 16 * i));
        }
    }

    void getattr(Request q, Reply out) throws NativeIoException {
        FileStat st;
        if (q.bodyLength() >= 16 && (q.u32(0) & Fuse.GETATTR_FH) != 0) {
            st = core.fgetattr(q.u64(8), pathOrNull(q.nodeid()), q);
        } else {
            st = core.getattr(nodes.path(q.nodeid()), q);
        }
        out.attrOut(st).send();
    }

    private String pathOrNull(long id) {
        try {
            return nodes.path(id);
        } catch (NativeIoException e) {
            return null;
        }
    }

    /**
     * fuse_setattr_in: valid bits, then fh, size, lock_owner, atime, mtime,
     * ctime, their nsecs, mode, uid, gid. Applied in chmod, chown, truncate,
     * utimens order, as libfuse does; UTIME_OMIT where a time is not set.
     */
    void setattr(Request q, Reply out) throws NativeIoException, InterruptedException {
        int valid = q.u32(0);
        long fh = q.u64(8);
        boolean hasFh = (valid & Fuse.FATTR_FH) != 0;
        String path = hasFh ? pathOrNull(q.nodeid()) : nodes.path(q.nodeid());
        if ((valid & Fuse.FATTR_MODE) != 0) {
            core.chmod(need(path), q.u32(68) & 07777);
        }
        if ((valid & (Fuse.FATTR_UID | Fuse.FATTR_GID)) != 0) {
            int uid = (valid & Fuse.FATTR_UID) != 0 ? q.u32(76) : -1;
            int gid = (valid & Fuse.FATTR_GID) != 0 ? q.u32(80) : -1;
            core.chown(need(path), uid, gid);
        }
        if ((valid & Fuse.FATTR_SIZE) != 0) {
            long size = q.u64(16);
            if (hasFh) {
                core.ftruncate(fh, path, size);
            } else {
                core.truncate(path, size);
            }
        }
        if ((valid & (Fuse.FATTR_ATIME | Fuse.FATTR_MTIME)) != 0) {
            long aSec = 0;
            long aNsec = UTIME_OMIT;
            long mSec = 0;
            long mNsec = UTIME_OMIT;
            if ((valid & Fuse.FATTR_ATIME) != 0) {
                boolean now = (valid & Fuse.FATTR_ATIME_NOW) != 0;
                aSec = now ? 0 : q.u64(32);
                aNsec = now ? UTIME_NOW : q.u32(56) & 0xffffffffL;
            }
            if ((valid & Fuse.FATTR_MTIME) != 0) {
                boolean now = (valid & Fuse.FATTR_MTIME_NOW) != 0;
                mSec = now ? 0 : q.u64(40);
                mNsec = now ? UTIME_NOW : q.u32(60) & 0xffffffffL;
            }
            core.utimens(need(path), aSec, aNsec, mSec, mNsec);
        }
        FileStat st = hasFh ? core.fgetattr(fh, path, q) : core.getattr(path, q);
        out.attrOut(st).send();
    }

    private static String need(String path) throws NativeIoException {
        if (path == null) {
            throw new NativeIoException("setattr on a file with no name left", Errno.ENOENT);
        }
        return path;
    }

    void readlink(Request q, Reply out) throws NativeIoException {
        out.bytes(core.readlink(nodes.path(q.nodeid()))).send();
    }

    /** SYMLINK: the new entry's name, then the link's target. */
    void symlink(Request q, Reply out) throws NativeIoException {
        String name = q.name(0);
        String target = q.name(q.nameEnd(0) + 1);
        String path = nodes.child(q.nodeid(), name);
        core.symlink(target, path, q);
        entry(q, out, path);
        out.send();
    }

    /** fuse_mknod_in: mode, rdev, umask, padding; then the name. */
    void mknod(Request q, Reply out) throws NativeIoException {
        String path = nodes.child(q.nodeid(), q.name(16));
        umask.apply(q.u32(8), () -> {
            core.mknod(path, q.u32(0), q.u32(4) & 0xffffffffL, q);
            return null;
        });
        entry(q, out, path);
        out.send();
    }

    /** fuse_mkdir_in: mode, umask; then the name. */
    void mkdir(Request q, Reply out) throws NativeIoException {
        String path = nodes.child(q.nodeid(), q.name(8));
        umask.apply(q.u32(4), () -> {
            core.mkdir(path, q.u32(0) & 07777, q);
            return null;
        });
        entry(q, out, path);
        out.send();
    }

    void unlink(Request q, Reply out) throws NativeIoException {
        remove(q, out, false);
    }

    void rmdir(Request q, Reply out) throws NativeIoException {
        remove(q, out, true);
    }

    /** UNLINK or RMDIR of the name in the body; the node is cut from its inode number first (see NodeTable). */
    private void remove(Request q, Reply out, boolean directory) throws NativeIoException {
        String path = nodes.child(q.nodeid(), q.name(0));
        Object dying = nodes.detachForRemoval(path);
        try {
            if (directory) {
                core.rmdir(path);
            } else {
                core.unlink(path);
            }
            nodes.removed(path);
        } finally {
            nodes.removalDone(dying);
        }
        out.send();
    }

    /** RENAME (fuse_rename_in: newdir) and RENAME2 (fuse_rename2_in: newdir, flags): old name, new name. */
    void rename(Request q, Reply out, boolean two) throws NativeIoException {
        int argLen = two ? 16 : 8;
        long newDir = q.u64(0);
        int flags = two ? q.u32(8) : 0;
        String oldName = q.name(argLen);
        String newName = q.name(q.nameEnd(argLen) + 1);
        String from = nodes.child(q.nodeid(), oldName);
        String to = nodes.child(newDir, newName);
        boolean exchange = (flags & RENAME_EXCHANGE) != 0;
        Object replaced = exchange ? null : nodes.detachForRemoval(to);
        try {
            core.rename(from, to, flags);
            if (exchange) {
                nodes.exchanged(from, to);
            } else {
                nodes.renamed(from, to);
            }
        } finally {
            nodes.removalDone(replaced);
        }
        out.send();
    }

    /** fuse_link_in: the existing node; then the new name. The entry carries the fresh link count. */
    void link(Request q, Reply out) throws NativeIoException {
        String existing = nodes.path(q.u64(0));
        String path = nodes.child(q.nodeid(), q.name(8));
        core.link(existing, path);
        entry(q, out, path);
        out.send();
    }

    /** fuse_kstatfs: blocks, bfree, bavail, files, ffree, bsize, namelen, frsize, padding, spare[6]. */
    void statfs(Reply out) throws NativeIoException {
        FsStat s = core.statfs();
        out.u64(s.blocks()).u64(s.bfree()).u64(s.bavail()).u64(s.files()).u64(s.ffree())
                .u32((int) s.bsize()).u32((int) s.namemax()).u32((int) s.frsize()).u32(0).zeros(24).send();
    }

    void access(Request q, Reply out) throws NativeIoException {
        core.access(nodes.path(q.nodeid()), q.u32(0), q);
        out.send();
    }

    /** GETXATTR (fuse_getxattr_in: size, padding; name) and LISTXATTR (the same, no name). */
    void xattrValue(Request q, Reply out, boolean list) throws NativeIoException {
        int size = q.u32(0);
        String path = nodes.path(q.nodeid());
        byte[] v = list ? core.listxattr(path, q) : core.getxattr(path, q.name(8), q);
        if (size == 0) {
            // The stats change with every request, this one included: the size asked first is what the
            // caller allocates, so it gets room to spare (the value read next is never longer).
            int hint = !list && MountStats.XATTR.equals(q.name(8)) && "/".equals(path) ? v.length + 4096 : v.length;
            out.u32(hint).u32(0).send();
        } else if (v.length > size) {
            throw new NativeIoException("xattr of " + v.length + " bytes", Errno.ERANGE);
        } else if (v.length > out.room()) {
            throw new NativeIoException("xattr of " + v.length + " bytes", Errno.E2BIG);
        } else {
            out.bytes(v).send();
        }
    }

    /** fuse_setxattr_in (without SETXATTR_EXT): size, flags; name; value. */
    void setxattr(Request q, Reply out) throws NativeIoException {
        int size = q.u32(0);
        int flags = q.u32(4);
        String name = q.name(8);
        byte[] value = q.bytes(q.nameEnd(8) + 1, size);
        core.setxattr(nodes.path(q.nodeid()), name, value, flags, q);
        out.send();
    }

    void removexattr(Request q, Reply out) throws NativeIoException {
        core.removexattr(nodes.path(q.nodeid()), q.name(0), q);
        out.send();
    }
}
