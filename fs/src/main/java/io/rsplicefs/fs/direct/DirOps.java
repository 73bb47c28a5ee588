package io.rsplicefs.fs.direct;

import io.rsplicefs.fs.Errno;
import io.rsplicefs.fs.core.FsCore;
import io.rsplicefs.nativeio.FileStat;
import io.rsplicefs.nativeio.NativeIoException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Directories: OPENDIR takes a snapshot of the names (the offsets handed to
 * the kernel index into it, so a listing stays consistent while it is
 * read), READDIR and READDIRPLUS page through it, RELEASEDIR drops it.
 * READDIRPLUS counts a lookup for every entry it returns except . and ..
 * (the kernel will forget them), as LOOKUP would.
 */
final class DirOps {
    private static final int DT_UNKNOWN = 0;
    /** What libfuse 2.9 sends when a filesystem gives no inode number (the jnr-fuse engine's readdir). */
    private static final long UNKNOWN_INO = 0xffffffffL;

    private final FsCore core;
    private final NodeTable nodes;
    private final Operations tree;
    private final ConcurrentHashMap<Long, Listing> open = new ConcurrentHashMap<>();
    private final AtomicLong nextHandle = new AtomicLong(1);

    private record Listing(String path, byte[][] names) {
    }

    DirOps(FsCore core, NodeTable nodes, Operations tree) {
        this.core = core;
        this.nodes = nodes;
        this.tree = tree;
    }

    void opendir(Request q, Reply out) throws NativeIoException {
        String path = nodes.path(q.nodeid());
        String[] names = core.readdir(path);
        byte[][] all = new byte[names.length + 2][];
        all[0] = ".".getBytes(StandardCharsets.UTF_8);
        all[1] = "..".getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < names.length; i++) {
            all[i + 2] = names[i].getBytes(StandardCharsets.UTF_8);
        }
        long fh = nextHandle.getAndIncrement();
        open.put(fh, new Listing(path, all));
        out.u64(fh).u32(0).u32(0).send();
    }

    /** fuse_read_in: fh, offset (index of the next entry), size. Entries until the size is reached. */
    void readdir(Request q, Reply out, boolean plus) throws NativeIoException {
        Listing l = open.get(q.u64(0));
        if (l == null) {
            throw new NativeIoException("readdir of a directory not opened", Errno.EBADF);
        }
        long start = q.u64(8);
        int size = Math.min(q.u32(16), out.room());
        for (long i = start; i < l.names.length; i++) {
            byte[] name = l.names[(int) i];
            int rec = Fuse.DIRENT + ((name.length + 7) & ~7);
            int need = plus ? Fuse.ENTRY_OUT + rec : rec;
            if (out.bodyLength() + need > size) {
                break;
            }
            if (plus) {
                if (!direntPlus(q, out, l, name, i + 1, rec)) {
                    continue;
                }
            } else {
                dirent(out, name, UNKNOWN_INO, DT_UNKNOWN, i + 1);
            }
        }
        out.send();
    }

    private static void dirent(Reply out, byte[] name, long ino, int type, long nextOff) {
        out.u64(ino).u64(nextOff).u32(name.length).u32(type).bytes(name);
        out.zeros(((name.length + 7) & ~7) - name.length);
    }

    /**
     * An entry with its attributes. "." and ".." carry no node (id 0: the
     * kernel looks nothing up for them). A name that vanished since the
     * snapshot is left out.
     */
    private boolean direntPlus(Request q, Reply out, Listing l, byte[] nameBytes, long nextOff, int rec)
            throws NativeIoException {
        String name = new String(nameBytes, StandardCharsets.UTF_8);
        boolean dots = name.equals(".") || name.equals("..");
        String path = dots ? l.path : NodeTable.join(l.path, name);
        FileStat st;
        try {
            st = core.getattr(path, q);
        } catch (NativeIoException e) {
            if (e.errno() == Errno.ENOENT && !dots) {
                return false;
            }
            throw e;
        }
        if (dots) {
            out.zeros(Fuse.ENTRY_OUT - Fuse.ATTR).attr(st);
        } else {
            out.entry(nodes.lookedUp(path, st), st);
        }
        dirent(out, nameBytes, st.ino(), (st.mode() >>> 12) & 017, nextOff);
        return true;
    }

    void releasedir(Request q, Reply out) {
        open.remove(q.u64(0));
        out.send();
    }

    /** Directory handles open now. */
    int openCount() {
        return open.size();
    }
}
