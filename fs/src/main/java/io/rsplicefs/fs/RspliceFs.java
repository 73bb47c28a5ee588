package io.rsplicefs.fs;

import io.rsplicefs.fs.read.AutoReader;
import io.rsplicefs.fs.read.CopyReader;
import io.rsplicefs.fs.read.FdReader;
import io.rsplicefs.fs.read.FreshPageFlush;
import io.rsplicefs.fs.read.GiftReader;
import io.rsplicefs.fs.read.ReadPath;
import io.rsplicefs.fs.read.Reader;
import io.rsplicefs.fs.read.RspliceReader;
import io.rsplicefs.fs.stable.FileKey;
import io.rsplicefs.fs.stable.ReplyGuard;
import io.rsplicefs.fs.stats.FsStats;
import io.rsplicefs.fs.stats.ReadCounters;
import io.rsplicefs.fs.store.BackingStore;
import io.rsplicefs.fs.store.OpenFile;
import io.rsplicefs.nativeio.FileStat;
import io.rsplicefs.nativeio.FsStat;
import io.rsplicefs.nativeio.NativeIoException;
import io.rsplicefs.nativeio.Threads;
import io.rsplicefs.nativeio.Residency;
import io.rsplicefs.nativeio.Splice;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import jnr.ffi.Pointer;
import jnr.ffi.types.mode_t;
import jnr.ffi.types.off_t;
import jnr.ffi.types.size_t;
import ru.serce.jnrfuse.FuseFillDir;
import ru.serce.jnrfuse.FuseStubFS;
import ru.serce.jnrfuse.struct.FuseFileInfo;
import ru.serce.jnrfuse.struct.Statvfs;
import ru.serce.jnrfuse.struct.Timespec;

/**
 * The FUSE callbacks: a passthrough mirror of a {@link BackingStore} whose
 * reads are answered by the configured {@link Reader}. Every callback returns
 * 0 or -errno and catches every Throwable (counted, returned as -EIO): jffi
 * would turn an escaping exception into 0, i.e. success.
 */
public class RspliceFs extends FuseStubFS {
    /** Seen only by this process: the gift probe reads it (see GiftProbe). */
    static final String PROBE_PATH = "/.rsplicefs-gift-probe";

    private final BackingStore store;
    private final MountConfig config;
    private final FsStats stats;
    private final Handles handles = new Handles();
    private final DonationSampler sampler;
    private final GiftReader giftReader;
    /** Null when stable replies are off. */
    private final ReplyGuard replyGuard;
    private final FreshPageFlush freshPageFlush;
    private final CountDownLatch initialized = new CountDownLatch(1);
    private final int ownPid = (int) ProcessHandle.current().pid();
    private volatile ReadPath effectivePath;
    private volatile Reader reader;
    private volatile GiftProbe.ProbeFile probeFile;
    private volatile boolean loopEnded;

    /** A callback body: returns 0 or a positive count, throws NativeIoException for -errno. */
    @FunctionalInterface
    private interface Op {
        int run() throws Exception;
    }

    public RspliceFs(BackingStore store, MountConfig config, FsStats stats) {
        this.store = store;
        this.config = config;
        this.stats = stats;
        this.sampler = new DonationSampler(config.donate() ? config.sampleEvery() : 0);
        this.giftReader = new GiftReader(config.spliceWrite());
        this.replyGuard = config.stableReplies() ? new ReplyGuard() : null;
        this.freshPageFlush = config.donate() ? FreshPageFlush.in(scratchDirs(config)) : null;
        if (freshPageFlush != null) {
            stats.freshPageFlush(freshPageFlush);
        }
        if (replyGuard != null) {
            stats.replyGuard(replyGuard);
        }
        useReadPath(config.readPath() == ReadPath.GIFT && !config.forceGift() ? ReadPath.RSPLICE : config.readPath());
    }

    /** Switches the read path (the gift probe's outcome decides whether gift is used). */
    final void useReadPath(ReadPath p) {
        boolean sw = config.spliceWrite();
        Reader r = switch (p) {
            case COPY -> new CopyReader("copy path");
            case FD -> new FdReader(sw);
            case RSPLICE -> new RspliceReader(sw, freshPageFlush);
            case GIFT -> giftReader;
            case AUTO -> new AutoReader(new RspliceReader(sw, freshPageFlush));
        };
        this.effectivePath = p;
        this.reader = r;
        stats.mountInfo("readPath", p.id());
    }

    /** Where the LRU flush may pin its unlinked scratch page: the backing root first, then temp dirs. */
    private static List<Path> scratchDirs(MountConfig config) {
        List<Path> dirs = new ArrayList<>();
        dirs.add(config.source());
        dirs.add(Path.of("/var/tmp"));
        dirs.add(Path.of(System.getProperty("java.io.tmpdir")));
        return dirs;
    }

    /** Called once the loop has ended: frees what the read paths hold. */
    void closeResources() {
        if (freshPageFlush != null) {
            freshPageFlush.close();
        }
    }

    ReadPath effectivePath() {
        return effectivePath;
    }

    GiftReader giftReader() {
        return giftReader;
    }

    void probeFile(GiftProbe.ProbeFile f) {
        this.probeFile = f;
    }

    CountDownLatch initialized() {
        return initialized;
    }

    int openHandles() {
        return handles.size();
    }

    /** Called by FuseMount once libfuse's loop has returned: the mount is gone. */
    void loopEnded() {
        loopEnded = true;
    }

    /**
     * jnr-fuse registers a JVM shutdown hook that calls this, and on Linux it
     * starts {@code fusermount -u -z} without waiting for it. Once the loop has
     * ended there is nothing of ours to unmount, and that late lazy unmount
     * could detach a newer mount at the same mount point; so it is skipped.
     */
    @Override
    public void umount() {
        if (!loopEnded) {
            super.umount();
        }
    }

    /**
     * Every callback starts here: the worker is back, so its previous reply has
     * been sent. Returns the worker's tid (one gettid per callback, shared by the
     * guard and the sampler), or 0 when neither keeps state per worker.
     */
    private int workerBack() {
        if (replyGuard == null && !sampler.active()) {
            return 0;
        }
        int tid = Threads.currentTid();
        if (replyGuard != null) {
            replyGuard.enter(tid);
        }
        sampler.workerBack(tid);
        return tid;
    }

    private static FileKey keyOf(FileStat s) {
        return new FileKey(s.dev(), s.ino());
    }

    private int guard(String op, Op body) {
        try {
            workerBack();
            return body.run();
        } catch (NativeIoException e) {
            return -e.errno();
        } catch (Throwable t) {
            return failed(op, t);
        }
    }

    private int failed(String op, Throwable t) {
        try {
            stats.callbackFailure(op, t);
            if (config.debug()) {
                t.printStackTrace();
            }
        } catch (Throwable ignored) {
            // counting must never turn the -EIO into something else
        }
        return -Errno.EIO;
    }

    /** The probe file exists only for this process: FUSE's context pid is the calling thread's id. */
    private boolean isProbe(String path) {
        if (probeFile == null || !PROBE_PATH.equals(path)) {
            return false;
        }
        long tid = getContext().pid.get();
        return tid == ownPid || java.nio.file.Files.exists(java.nio.file.Path.of("/proc/self/task/" + tid));
    }

    private static void fill(ru.serce.jnrfuse.struct.FileStat st, FileStat s) {
        st.st_dev.set(s.dev());
        st.st_ino.set(s.ino());
        st.st_mode.set(s.mode());
        st.st_nlink.set(s.nlink());
        st.st_uid.set(s.uid());
        st.st_gid.set(s.gid());
        st.st_rdev.set(s.rdev());
        st.st_size.set(s.size());
        st.st_blksize.set(s.blksize());
        st.st_blocks.set(s.blocks());
        st.st_atim.tv_sec.set(s.atimeSec());
        st.st_atim.tv_nsec.set(s.atimeNsec());
        st.st_mtim.tv_sec.set(s.mtimeSec());
        st.st_mtim.tv_nsec.set(s.mtimeNsec());
        st.st_ctim.tv_sec.set(s.ctimeSec());
        st.st_ctim.tv_nsec.set(s.ctimeNsec());
    }

    @Override
    public Pointer init(Pointer conn) {
        initialized.countDown();
        return null;
    }

    @Override
    public void destroy(Pointer initResult) {
        // libfuse releases every open file before destroy; nothing is left to close here.
    }

    @Override
    public int getattr(String path, ru.serce.jnrfuse.struct.FileStat stat) {
        return guard("getattr", () -> {
            if (isProbe(path)) {
                fill(stat, probeFile.stat());
                return 0;
            }
            fill(stat, store.stat(path));
            return 0;
        });
    }

    @Override
    public int fgetattr(String path, ru.serce.jnrfuse.struct.FileStat stat, FuseFileInfo fi) {
        return guard("fgetattr", () -> {
            Handle h = handles.get(fi.fh.get());
            if (h == null) {
                return getattr(path, stat);
            }
            fill(stat, io.rsplicefs.nativeio.AtFiles.fstat(h.file.fd()));
            return 0;
        });
    }

    @Override
    public int readdir(String path, Pointer buf, FuseFillDir filler, @off_t long offset, FuseFileInfo fi) {
        return guard("readdir", () -> {
            String[] names = store.list(path);
            filler.apply(buf, ".", null, 0);
            filler.apply(buf, "..", null, 0);
            for (String n : names) {
                if (filler.apply(buf, n, null, 0) != 0) {
                    break;
                }
            }
            return 0;
        });
    }

    @Override
    public int readlink(String path, Pointer buf, @size_t long size) {
        return guard("readlink", () -> {
            if (size <= 0) {
                return -Errno.EINVAL;
            }
            byte[] target = store.readlink(path);
            int n = (int) Math.min(target.length, size - 1);
            buf.put(0, target, 0, n);
            buf.putByte(n, (byte) 0);
            return 0;
        });
    }

    private int openHandle(OpenFile f, FuseFileInfo fi) throws NativeIoException {
        if (config.donate() && effectivePath != ReadPath.COPY) {
            // ext4 on 6.x caches sequentially read files in large folios, which are never moved;
            // random advice keeps this fd's cache in order-0 pages (cost: no backing readahead).
            Residency.fadvise(f.fd(), 0, 0, Residency.Advice.RANDOM);
        }
        fi.fh.set(handles.add(new Handle(f, keyOf(io.rsplicefs.nativeio.AtFiles.fstat(f.fd())))));
        return 0;
    }

    @Override
    public int open(String path, FuseFileInfo fi) {
        return guard("open", () -> {
            if (isProbe(path)) {
                OpenFile probe = probeFile.open();
                fi.fh.set(handles.add(new Handle(probe, keyOf(io.rsplicefs.nativeio.AtFiles.fstat(probe.fd())))));
                return 0;
            }
            return openHandle(store.open(path, fi.flags.get()), fi);
        });
    }

    @Override
    public int create(String path, @mode_t long mode, FuseFileInfo fi) {
        return guard("create", () -> openHandle(store.create(path, fi.flags.get(), (int) mode), fi));
    }

    @Override
    public int read_buf(String path, Pointer bufp, @size_t long size, @off_t long off, FuseFileInfo fi) {
        ReadPath readPath = effectivePath;
        ReadCounters counters = stats.of(readPath);
        boolean held = false;
        int tid = 0;
        try {
            tid = workerBack();
            Handle h = handles.get(fi.fh.get());
            if (h == null) {
                counters.request();
                counters.error();
                return -Errno.EBADF;
            }
            if (isProbeHandle(h)) {
                readPath = ReadPath.GIFT;
                counters = stats.of(readPath);
            }
            counters.request();
            Reader r = readPath == ReadPath.GIFT ? giftReader : reader;
            if (replyGuard != null && readPath != ReadPath.COPY && readPath != ReadPath.GIFT) {
                // the reply will reference backing pages until libfuse has sent it
                replyGuard.readBegin(h.key, off, size, tid);
                held = true;
            }
            long n = r.read(h.file, bufp, size, off, counters);
            if (readPath != ReadPath.COPY && readPath != ReadPath.GIFT) {
                sampler.afterFill(h, off, n, counters, tid);
            }
            return 0;
        } catch (NativeIoException e) {
            abortHold(held, tid);
            counters.error();
            return -e.errno();
        } catch (Throwable t) {
            abortHold(held, tid);
            counters.error();
            return failed("read_buf", t);
        }
    }

    private void abortHold(boolean held, int tid) {
        if (held) {
            replyGuard.readAbort(tid);
        }
    }

    private boolean isProbeHandle(Handle h) {
        GiftProbe.ProbeFile p = probeFile;
        return p != null && p.owns(h.file);
    }

    @Override
    public int read(String path, Pointer buf, @size_t long size, @off_t long offset, FuseFileInfo fi) {
        // Only used if libfuse ever bypasses read_buf; reads straight into libfuse's buffer.
        return guard("read", () -> {
            Handle h = handles.get(fi.fh.get());
            if (h == null) {
                return -Errno.EBADF;
            }
            return (int) Splice.preadFully(h.file.fd(), buf.address(), size, offset);
        });
    }

    @Override
    public int write(String path, Pointer buf, @size_t long size, @off_t long offset, FuseFileInfo fi) {
        try {
            workerBack();
            Handle h = handles.get(fi.fh.get());
            if (h == null) {
                return -Errno.EBADF;
            }
            long n;
            if (replyGuard == null) {
                n = Splice.pwriteFully(h.file.fd(), buf.address(), size, offset);
            } else {
                try (ReplyGuard.WriteHold hold = replyGuard.write(h.key, offset, size)) {
                    n = Splice.pwriteFully(h.file.fd(), buf.address(), size, offset);
                }
            }
            stats.written(n);
            return (int) n;
        } catch (NativeIoException e) {
            return -e.errno();
        } catch (Throwable t) {
            return failed("write", t);
        }
    }

    @Override
    public int release(String path, FuseFileInfo fi) {
        return guard("release", () -> {
            Handle h = handles.remove(fi.fh.get());
            if (h != null) {
                sampler.release(h);
                h.close();
            }
            return 0;
        });
    }

    @Override
    public int flush(String path, FuseFileInfo fi) {
        return 0; // writes go straight to the backing fd; close() of it happens in release
    }

    @Override
    public int fsync(String path, int isdatasync, FuseFileInfo fi) {
        return guard("fsync", () -> {
            Handle h = handles.get(fi.fh.get());
            if (h == null) {
                return -Errno.EBADF;
            }
            io.rsplicefs.nativeio.AtFiles.fsync(h.file.fd(), isdatasync != 0);
            return 0;
        });
    }

    @Override
    public int truncate(String path, @off_t long size) {
        return guard("truncate", () -> {
            if (replyGuard == null) {
                store.truncate(path, size);
                return 0;
            }
            try (ReplyGuard.WriteHold hold = replyGuard.write(keyOf(store.stat(path)), size, Long.MAX_VALUE)) {
                store.truncate(path, size);
            }
            return 0;
        });
    }

    @Override
    public int ftruncate(String path, @off_t long size, FuseFileInfo fi) {
        return guard("ftruncate", () -> {
            Handle h = handles.get(fi.fh.get());
            if (h == null) {
                return truncate(path, size);
            }
            if (replyGuard == null) {
                io.rsplicefs.nativeio.AtFiles.ftruncate(h.file.fd(), size);
                return 0;
            }
            try (ReplyGuard.WriteHold hold = replyGuard.write(h.key, size, Long.MAX_VALUE)) {
                io.rsplicefs.nativeio.AtFiles.ftruncate(h.file.fd(), size);
            }
            return 0;
        });
    }

    @Override
    public int mkdir(String path, @mode_t long mode) {
        return guard("mkdir", () -> {
            store.mkdir(path, (int) mode);
            return 0;
        });
    }

    @Override
    public int unlink(String path) {
        return guard("unlink", () -> {
            store.unlink(path);
            return 0;
        });
    }

    @Override
    public int rmdir(String path) {
        return guard("rmdir", () -> {
            store.rmdir(path);
            return 0;
        });
    }

    @Override
    public int rename(String oldpath, String newpath) {
        return guard("rename", () -> {
            store.rename(oldpath, newpath);
            return 0;
        });
    }

    @Override
    public int symlink(String oldpath, String newpath) {
        return guard("symlink", () -> {
            store.symlink(oldpath, newpath);
            return 0;
        });
    }

    @Override
    public int link(String oldpath, String newpath) {
        return guard("link", () -> {
            store.link(oldpath, newpath);
            return 0;
        });
    }

    @Override
    public int chmod(String path, @mode_t long mode) {
        return guard("chmod", () -> {
            store.chmod(path, (int) mode);
            return 0;
        });
    }

    @Override
    public int chown(String path, long uid, long gid) {
        return guard("chown", () -> {
            store.chown(path, (int) uid, (int) gid);
            return 0;
        });
    }

    @Override
    public int utimens(String path, Timespec[] timespec) {
        return guard("utimens", () -> {
            store.utimens(path, timespec[0].tv_sec.get(), timespec[0].tv_nsec.longValue(),
                    timespec[1].tv_sec.get(), timespec[1].tv_nsec.longValue());
            return 0;
        });
    }

    @Override
    public int access(String path, int mask) {
        return guard("access", () -> {
            if (isProbe(path)) {
                return 0;
            }
            store.access(path, mask);
            return 0;
        });
    }

    @Override
    public int statfs(String path, Statvfs stbuf) {
        return guard("statfs", () -> {
            FsStat s = store.statfs();
            stbuf.f_bsize.set(s.bsize());
            stbuf.f_frsize.set(s.frsize());
            stbuf.f_blocks.set(s.blocks());
            stbuf.f_bfree.set(s.bfree());
            stbuf.f_bavail.set(s.bavail());
            stbuf.f_files.set(s.files());
            stbuf.f_ffree.set(s.ffree());
            stbuf.f_favail.set(s.favail());
            stbuf.f_fsid.set(s.fsid());
            stbuf.f_flag.set(s.flag());
            stbuf.f_namemax.set(s.namemax());
            return 0;
        });
    }

    private static boolean isUserXattr(String name) {
        return name.startsWith("user.");
    }

    /** Copies value into libfuse's buffer following the getxattr size protocol. */
    private static int xattrReply(byte[] value, Pointer buf, long size) {
        if (size == 0) {
            return value.length;
        }
        if (size < value.length) {
            return -Errno.ERANGE;
        }
        buf.put(0, value, 0, value.length);
        return value.length;
    }

    @Override
    public int getxattr(String path, String name, Pointer value, @size_t long size) {
        return guard("getxattr", () -> {
            if ("/".equals(path) && FsStats.XATTR.equals(name)) {
                return xattrReply(stats.toJson().getBytes(StandardCharsets.UTF_8), value, size);
            }
            if (!isUserXattr(name)) {
                // security.capability is asked on every write; answering it here keeps writes cheap.
                return -Errno.ENODATA;
            }
            return xattrReply(store.getxattr(path, name), value, size);
        });
    }

    @Override
    public int setxattr(String path, String name, Pointer value, @size_t long size, int flags) {
        return guard("setxattr", () -> {
            if (!isUserXattr(name) || ("/".equals(path) && FsStats.XATTR.equals(name))) {
                return -Errno.EOPNOTSUPP;
            }
            byte[] v = new byte[(int) size];
            value.get(0, v, 0, v.length);
            store.setxattr(path, name, v, flags);
            return 0;
        });
    }

    @Override
    public int listxattr(String path, Pointer list, @size_t long size) {
        return guard("listxattr", () -> {
            byte[] all = store.listxattr(path);
            // keep only user.* names (NUL-separated), the namespace this mirror passes through
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            int start = 0;
            for (int i = 0; i < all.length; i++) {
                if (all[i] == 0) {
                    String n = new String(all, start, i - start, StandardCharsets.UTF_8);
                    if (isUserXattr(n)) {
                        out.write(all, start, i - start + 1);
                    }
                    start = i + 1;
                }
            }
            return xattrReply(out.toByteArray(), list, size);
        });
    }

    @Override
    public int removexattr(String path, String name) {
        return guard("removexattr", () -> {
            if (!isUserXattr(name)) {
                return -Errno.EOPNOTSUPP;
            }
            store.removexattr(path, name);
            return 0;
        });
    }
}
