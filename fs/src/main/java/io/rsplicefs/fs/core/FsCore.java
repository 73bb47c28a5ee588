package io.rsplicefs.fs.core;

import io.rsplicefs.fs.Engine;
import io.rsplicefs.fs.Errno;
import io.rsplicefs.fs.MountConfig;
import io.rsplicefs.fs.read.AutoReader;
import io.rsplicefs.fs.read.CopyReader;
import io.rsplicefs.fs.read.FdReader;
import io.rsplicefs.fs.read.FreshPageFlush;
import io.rsplicefs.fs.read.GiftReader;
import io.rsplicefs.fs.read.ReadPath;
import io.rsplicefs.fs.read.ReplyMemory;
import io.rsplicefs.fs.read.Reader;
import io.rsplicefs.fs.read.RspliceReader;
import io.rsplicefs.fs.read.SpliceSupport;
import io.rsplicefs.fs.reply.ReadReply;
import io.rsplicefs.fs.stable.ReplyGuard;
import io.rsplicefs.fs.stats.FsStats;
import io.rsplicefs.fs.stats.MountStats;
import io.rsplicefs.fs.stats.ReadCounters;
import io.rsplicefs.fs.stats.WriteCounters;
import io.rsplicefs.fs.store.ByteSource;
import io.rsplicefs.fs.store.Creator;
import io.rsplicefs.fs.store.FileKey;
import io.rsplicefs.fs.store.Store;
import io.rsplicefs.fs.store.StoreFile;
import io.rsplicefs.fs.store.WritableStore;
import io.rsplicefs.fs.write.WritePath;
import io.rsplicefs.nativeio.Credentials;
import io.rsplicefs.nativeio.FileConstants;
import io.rsplicefs.nativeio.FileStat;
import io.rsplicefs.nativeio.FsStat;
import io.rsplicefs.nativeio.NativeIoException;
import io.rsplicefs.nativeio.Splice;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * The filesystem's operations in terms of a {@link Store}, with no FUSE
 * transport in sight: the read paths, stable replies, donation sampling,
 * the LRU flush, the xattr policy and the counters. A front end (jnr-fuse
 * today) translates requests into these calls and back; it owns only what
 * its transport dictates: argument and reply formats, and telling each
 * {@link ReadReply} when it was handed over and consumed.
 * <p>
 * Failures are {@link NativeIoException}s carrying the errno to answer; any
 * other exception is a bug the front end counts and answers with EIO.
 */
public final class FsCore {
    /** Seen only by this process: the gift probe reads it (see GiftProbe). */
    public static final String PROBE_PATH = "/.rsplicefs-gift-probe";


    private final Store store;
    private final MountConfig config;
    private final FsStats stats;
    private final Handles handles = new Handles();
    private final DonationSampler sampler;
    private final GiftReader giftReader;
    /** Null when stable replies are off. */
    private final ReplyGuard replyGuard;
    private final FreshPageFlush freshPageFlush;
    private final int ownPid = (int) ProcessHandle.current().pid();
    /** Root daemons create objects as their callers; others can only create them as themselves. */
    private final boolean createAsCaller = Credentials.fsuid() == 0;
    private final int ownGid = Credentials.fsgid();
    private volatile ReadPath effectivePath;
    private volatile Reader reader;
    private volatile GiftProbe.ProbeFile probeFile;
    /** Whether the front end told the kernel it handles POSIX ACLs (then system.posix_acl_* pass through). */
    private volatile boolean posixAcls;
    private final AtomicBoolean closed = new AtomicBoolean();

    public FsCore(Store store, MountConfig config, FsStats stats) {
        this.store = store;
        this.config = config;
        this.stats = stats;
        stats.store(store::counters);
        this.sampler = new DonationSampler(config.donate() ? config.sampleEvery() : 0);
        this.giftReader = new GiftReader(splicing(config));
        this.replyGuard = config.stableReplies() ? new ReplyGuard() : null;
        this.freshPageFlush = config.donate() ? FreshPageFlush.in(scratchDirs(config)) : null;
        if (freshPageFlush != null) {
            stats.freshPageFlush(freshPageFlush::snapshot);
        }
        if (replyGuard != null) {
            ReplyGuard g = replyGuard;
            stats.stableReplies(() -> new MountStats.StableRepliesStats(true, g.writesHeld(),
                    g.waitNanos() / 1000, g.timeouts(), g.heldReads()));
        }
        useReadPath(config.readPath() == ReadPath.GIFT && !config.forceGift() ? ReadPath.RSPLICE : config.readPath());
    }

    /** Switches the read path (the gift probe's outcome decides whether gift is used). */
    void useReadPath(ReadPath p) {
        SpliceSupport sw = splicing(config);
        this.reader = switch (p) {
            case COPY -> new CopyReader("copy path");
            case FD -> new FdReader(sw);
            case RSPLICE -> new RspliceReader(sw, freshPageFlush);
            case GIFT -> giftReader;
            // A file passed through (or zero-copied) is read by the kernel (into its pages by the ring); the
            // others are served as auto serves them.
            case PASSTHROUGH, URING_ZC, AUTO -> new AutoReader(new RspliceReader(sw, freshPageFlush));
        };
        this.effectivePath = p;
        MountStats.MountInfo info = stats.mountInfo();
        if (info != null) {
            stats.mountInfo(info.withReadPath(p.id()));
        }
    }

    /** What the mount's transport does with fd and pipe replies (decides what the counters call spliced). */
    private static SpliceSupport splicing(MountConfig config) {
        return config.engine() == Engine.DIRECT ? SpliceSupport.ALWAYS : SpliceSupport.libfuse(config.spliceWrite());
    }

    /** Where the LRU flush may pin its unlinked scratch page: the backing root first, then temp dirs. */
    private static List<Path> scratchDirs(MountConfig config) {
        return List.of(config.source(), Path.of("/var/tmp"), Path.of(System.getProperty("java.io.tmpdir")));
    }

    public ReadPath effectivePath() {
        return effectivePath;
    }

    public FsStats stats() {
        return stats;
    }

    GiftReader giftReader() {
        return giftReader;
    }

    void probeFile(GiftProbe.ProbeFile f) {
        this.probeFile = f;
    }

    /**
     * Whether a file of this mount may be opened for one request and closed
     * after it, so that a front end may let the kernel open files without
     * asking (FUSE's no_open): the store cannot change (an open sees what
     * any other would), and the read path keeps nothing per open (donation
     * prepares the file at open, the gift probe is told by its open).
     */
    public boolean opensPerRequest() {
        return store.unchanging() && !(store instanceof WritableStore) && !config.donate()
                && config.readPath() != ReadPath.GIFT;
    }

    /** Whether nothing the store serves can change while mounted ({@link Store#unchanging}). */
    public boolean unchanging() {
        return store.unchanging();
    }

    /** Whether the store's files are whole backing files the kernel could read itself (see Store). */
    public boolean wholeBackingFiles() {
        return store.wholeBackingFiles();
    }

    /**
     * A read of a file the kernel opened without asking (see
     * {@link #opensPerRequest}): the file is opened read-only for this reply
     * alone and closed when the reply is consumed, so an inflated member
     * stays pinned in its cache exactly as long as its bytes are in flight.
     */
    public ReadReply readUnopened(String path, long size, long off, Supplier<Caller> caller)
            throws NativeIoException, InterruptedException {
        long fh = open(path, FileConstants.O_RDONLY, caller);
        ReadReply reply;
        try {
            reply = read(fh, size, off);
        } catch (NativeIoException | InterruptedException | RuntimeException | Error e) {
            releaseQuietly(fh);
            throw e;
        }
        reply.onConsumed(() -> releaseQuietly(fh));
        return reply;
    }

    /**
     * Where a file's bytes lie ready in a backing fd ({@link Store#bytesAtHand}), for a front end that pushes
     * them to the kernel unasked; null unless the store cannot change.
     */
    public ByteSource.FdRange bytesAtHand(String path) throws NativeIoException {
        return store.unchanging() ? store.bytesAtHand(path) : null;
    }

    /** Releases a handle the core opened for itself; a read-only file that fails to close loses nothing. */
    public void releaseQuietly(long fh) {
        try {
            release(fh);
        } catch (NativeIoException ignored) {
            // nothing was written through it
        }
    }

    /** Files open for the kernel right now. */
    public int openHandles() {
        return handles.size();
    }

    /**
     * Whether read replies have something waiting for their consumption (the
     * stable-replies guard, the donation sampler): only then must a front end
     * that learns of consumption late keep track of them.
     */
    public boolean tracksReplies() {
        return replyGuard != null || sampler.active();
    }

    /**
     * For a front end that learns of consumption only by looking: a write that
     * waits for overlapping replies runs {@code sweep} to have those already
     * sent marked consumed.
     */
    public void consumptionSweeper(Runnable sweep) {
        if (replyGuard != null) {
            replyGuard.sweeper(sweep);
        }
    }

    /** Frees what the read paths hold and closes the store, once no request can come any more. Idempotent. */
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (freshPageFlush != null) {
            freshPageFlush.close();
        }
        try {
            store.close();
        } catch (NativeIoException ignored) {
            // nothing more can be done with a store that does not close
        }
    }

    private static NativeIoException errno(String call, int errno) {
        return new NativeIoException(call, errno);
    }

    private OpenHandle handle(long fh, String op) throws NativeIoException {
        OpenHandle h = handles.get(fh);
        if (h == null) {
            throw errno(op + " fh " + fh, Errno.EBADF);
        }
        return h;
    }

    private WritableStore writable(String op) throws NativeIoException {
        if (store instanceof WritableStore w) {
            return w;
        }
        throw errno(op, Errno.EROFS);
    }

    /**
     * The probe file exists only for this process: the context pid is the
     * calling thread's id. The caller is asked only then (it costs a native call).
     */
    private boolean isProbe(String path, Supplier<Caller> caller) {
        if (probeFile == null || !PROBE_PATH.equals(path)) {
            return false;
        }
        int pid = caller.get().pid();
        return pid == ownPid || Files.exists(Path.of("/proc/self/task/" + pid));
    }

    // ---- metadata ----

    public FileStat getattr(String path, Supplier<Caller> caller) throws NativeIoException {
        GiftProbe.ProbeFile p = probeFile;
        if (p != null && isProbe(path, caller)) {
            return p.stat();
        }
        return store.stat(path);
    }

    /**
     * The attributes of an open file (its own, not the path's: it may have been
     * renamed or unlinked); the path's when the handle is unknown.
     */
    public FileStat fgetattr(long fh, String path, Supplier<Caller> caller) throws NativeIoException {
        OpenHandle h = handles.get(fh);
        return h == null ? getattr(path, caller) : h.file.stat();
    }

    /** The names in a directory, without "." and "..". */
    public String[] readdir(String path) throws NativeIoException {
        return store.list(path);
    }

    public byte[] readlink(String path) throws NativeIoException {
        return store.readlink(path);
    }

    public void access(String path, int mask, Supplier<Caller> caller) throws NativeIoException {
        if (!isProbe(path, caller)) {
            store.access(path, mask);
        }
    }

    public FsStat statfs() throws NativeIoException {
        return store.statfs();
    }

    // ---- open files ----

    /**
     * Opens a file; returns the handle number the front end gives the kernel.
     * O_TRUNC truncates (a front end whose kernel sends it: atomic O_TRUNC);
     * the truncation is held against read replies in flight like a truncate.
     */
    public long open(String path, int flags, Supplier<Caller> caller)
            throws NativeIoException, InterruptedException {
        GiftProbe.ProbeFile p = probeFile;
        if (p != null && isProbe(path, caller)) {
            return handles.add(new OpenHandle(p.open()));
        }
        if ((flags & FileConstants.O_TRUNC) == 0) {
            return addHandle(store.open(path, flags));
        }
        writable("open O_TRUNC " + path);
        if (replyGuard == null) {
            return addHandle(store.open(path, flags));
        }
        FileStat s = store.stat(path);
        try (ReplyGuard.WriteHold hold = replyGuard.write(new FileKey(s.dev(), s.ino()), 0, Long.MAX_VALUE)) {
            return addHandle(store.open(path, flags));
        }
    }

    public long create(String path, int flags, int mode, Supplier<Caller> caller) throws NativeIoException {
        WritableStore w = writable("create " + path);
        return addHandle(w.create(path, flags, mode, creator(caller)));
    }

    /**
     * Whom a new object is made for. A root daemon makes it as the caller
     * (uid and gid of the request, the caller's supplementary groups), so it
     * gets the owner, group and mode bits the caller would get natively;
     * root callers of the daemon's own group need no switch. A daemon that
     * is not root cannot give objects away: they are its own (null).
     */
    private Creator creator(Supplier<Caller> caller) {
        if (!createAsCaller) {
            return null;
        }
        Caller c = caller.get();
        if (c.uid() == 0 && c.gid() == ownGid) {
            return null;
        }
        return new Creator(c.uid(), c.gid(), c.pid());
    }

    private long addHandle(StoreFile f) throws NativeIoException {
        try {
            if (config.donate() && effectivePath != ReadPath.COPY && f.source().canDonate()) {
                f.prepareForDonation();
            }
        } catch (NativeIoException | RuntimeException e) {
            f.close();
            throw e;
        }
        return handles.add(new OpenHandle(f));
    }

    /**
     * Fills the reply to a read of [off, off+size) by the read path in use.
     * The front end sends it and tells it when it was handed over and consumed.
     */
    public ReadReply read(long fh, long size, long off) throws NativeIoException, InterruptedException {
        ReadPath path = effectivePath;
        OpenHandle h = handles.get(fh);
        if (h != null && probeFile != null && probeFile.owns(h.file)) {
            path = ReadPath.GIFT;
        }
        ReadCounters counters = stats.of(path);
        counters.request();
        Runnable hold = null;
        try {
            if (h == null) {
                throw errno("read fh " + fh, Errno.EBADF);
            }
            Reader r = path == ReadPath.GIFT ? giftReader : reader;
            // Replies that reference backing pages: held against writes until consumed, sampled for donation.
            boolean references = path != ReadPath.COPY && path != ReadPath.GIFT && h.file.source().canSplice();
            if (replyGuard != null && references) {
                hold = replyGuard.holdRead(h.file.key(), off, size);
            }
            ReadReply reply = r.read(h.file.source(), size, off, counters);
            if (hold != null) {
                reply.onConsumed(hold);
            }
            if (references) {
                sampler.afterFill(h, off, reply, counters);
            }
            h.track(reply);
            return reply;
        } catch (NativeIoException | InterruptedException | RuntimeException | Error e) {
            if (hold != null) {
                hold.run();
            }
            counters.error();
            throw e;
        }
    }

    /**
     * The fd of an open file whose bytes are its whole backing file at offset
     * 0, which the kernel can then read and write itself (FUSE passthrough);
     * -1 for any other (an archive member's bytes lie inside another file).
     */
    public int wholeFileFd(long fh) throws NativeIoException {
        OpenHandle h = handle(fh, "passthrough");
        if (probeFile != null && probeFile.owns(h.file)) {
            return -1;
        }
        return h.file.source() instanceof ByteSource.FdRange r && r.base() == 0
                && r.length() == ByteSource.FdRange.UNBOUNDED ? r.fd() : -1;
    }

    /**
     * Where an open file's bytes lie in a backing fd (a directory file: the
     * whole fd; a stored archive member: its range), for the kernel's
     * zero-copy READs that the daemon fills from there; null for produced bytes.
     */
    public ByteSource.FdRange backingRange(long fh) throws NativeIoException {
        OpenHandle h = handle(fh, "zero copy");
        if (probeFile != null && probeFile.owns(h.file)) {
            return null;
        }
        return h.file.source() instanceof ByteSource.FdRange r ? r : null;
    }

    /**
     * Whether an open file's writes can go straight into a backing fd that the
     * transport writes itself (a directory file): the kernel's zero-copied
     * WRITEs, see {@link #writeInPlace}.
     */
    public boolean writesInPlace(long fh) throws NativeIoException {
        OpenHandle h = handle(fh, "zero copy");
        GiftProbe.ProbeFile p = probeFile;
        return (p == null || !p.owns(h.file)) && h.file.writesInPlace();
    }

    /**
     * Moves a write's bytes from where only the transport can reach them into
     * the backing file: {@code drain} writes {@code size} bytes at {@code off}
     * of the fd it is given (io_uring write-fixed from the writer's pages the
     * kernel registered). Guarded and counted as every write; returns the
     * bytes written, which may be fewer than {@code size}.
     */
    public long writeInPlace(long fh, long size, long off, InPlaceWrite drain)
            throws NativeIoException, InterruptedException {
        WriteCounters wc = stats.writes();
        try {
            OpenHandle h = handle(fh, "write");
            int fd = h.file.writeFd();
            long n;
            try (ReplyGuard.WriteHold hold = holdWrite(h, off, size)) {
                n = drain.write(fd, off, size);
            }
            wc.zeroCopied(n);
            return n;
        } catch (NativeIoException | RuntimeException e) {
            wc.error();
            throw e;
        }
    }

    /** Writes bytes the transport holds into {@code fd} at {@code off}; returns how many it wrote. */
    @FunctionalInterface
    public interface InPlaceWrite {
        long write(int fd, long off, long len) throws NativeIoException;
    }

    /** A read into the transport's own buffer (a front end that cannot take a {@link ReadReply}). */
    public long readInto(long fh, long address, long size, long off) throws NativeIoException {
        return CopyReader.fill(handle(fh, "read").file.source(), address, size, off);
    }

    /**
     * Writes {@code size} bytes at native {@code address} (a write request the
     * transport delivered in memory); returns how many were written.
     */
    public long write(long fh, long address, long size, long off) throws NativeIoException, InterruptedException {
        WriteCounters wc = stats.writes();
        try {
            OpenHandle h = handle(fh, "write");
            long n;
            try (ReplyGuard.WriteHold hold = holdWrite(h, off, size)) {
                n = h.file.write(address, size, off);
            }
            wc.copied(n, config.writePath() == WritePath.COPY ? "copy path"
                    : config.engine() == Engine.DIRECT ? "fallback: request read into memory"
                    : "memory buffer from libfuse");
            return n;
        } catch (NativeIoException | RuntimeException e) {
            wc.error();
            throw e;
        }
    }

    /**
     * Writes {@code size} bytes that wait in a pipe (a write request the
     * transport delivered as a pipe, e.g. libfuse's splice_read) by splicing
     * them into the store at {@code off}. Takes exactly {@code size} bytes out
     * of the pipe when it returns: what the splice leaves behind (refused,
     * short) is drained into memory and written from there, counted as a
     * fallback with its reason. On an exception the pipe may still hold bytes;
     * the transport must then discard it. Returns the bytes written.
     */
    public long writeFromPipe(long fh, int pipeFd, long size, long off)
            throws NativeIoException, InterruptedException {
        WriteCounters wc = stats.writes();
        try {
            OpenHandle h = handle(fh, "write");
            try (ReplyGuard.WriteHold hold = holdWrite(h, off, size)) {
                long done = 0;
                String fallback = null;
                try {
                    done = h.file.writeFromPipe(pipeFd, size, off);
                    if (done < size) {
                        fallback = "fallback: short splice";
                    }
                } catch (NativeIoException e) {
                    fallback = "fallback: splice " + e.errnoName();
                }
                if (fallback == null) {
                    wc.spliced(size);
                    return size;
                }
                drainAndWrite(h, pipeFd, size - done, off + done);
                wc.copied(size, fallback);
                return size;
            }
        } catch (NativeIoException | RuntimeException e) {
            wc.error();
            throw e;
        }
    }

    /** The bytes a splice left in the pipe: read into malloc'd memory (vmsplice from a read end copies out) and written. */
    private static void drainAndWrite(OpenHandle h, int pipeFd, long len, long off) throws NativeIoException {
        long mem = ReplyMemory.allocate(len);
        try {
            long got = 0;
            while (got < len) {
                long n;
                try {
                    n = Splice.vmsplice(pipeFd, mem + got, len - got, Splice.F_NONBLOCK);
                } catch (NativeIoException e) {
                    if (e.errno() != Errno.EAGAIN) {
                        throw e;
                    }
                    n = 0; // the pipe is empty: it held less than was declared
                }
                if (n == 0) {
                    break;
                }
                got += n;
            }
            if (got < len) {
                throw new NativeIoException("write " + h.file.path() + ": pipe held " + got + " of " + len
                        + " bytes", Errno.EIO);
            }
            h.file.write(mem, len, off);
        } finally {
            ReplyMemory.free(mem);
        }
    }

    /** The stable-replies hold for a write of the range; null when the guard is off (try-with-resources skips it). */
    private ReplyGuard.WriteHold holdWrite(OpenHandle h, long off, long size) throws InterruptedException {
        return replyGuard == null ? null : replyGuard.write(h.file.key(), off, size);
    }

    /**
     * fallocate(2) on an open file, with the client's mode (default, KEEP_SIZE,
     * PUNCH_HOLE, ZERO_RANGE: what the kernel forwards); the backing filesystem
     * decides what it supports. Changes bytes like a write, so it waits for
     * overlapping replies the same way.
     */
    public void fallocate(long fh, int mode, long off, long len) throws NativeIoException, InterruptedException {
        OpenHandle h = handle(fh, "fallocate");
        if (replyGuard == null) {
            h.file.fallocate(mode, off, len);
            return;
        }
        try (ReplyGuard.WriteHold hold = replyGuard.write(h.file.key(), off, len)) {
            h.file.fallocate(mode, off, len);
        }
    }

    /** SEEK_DATA / SEEK_HOLE on an open file (FUSE_LSEEK): the store says where data and holes are. */
    public long seek(long fh, long off, int whence) throws NativeIoException {
        return handle(fh, "lseek").file.seek(off, whence);
    }

    /** SEEK_DATA or SEEK_HOLE on a file the kernel opened without asking: by a handle opened for it alone. */
    public long seekUnopened(String path, long off, int whence, Supplier<Caller> caller)
            throws NativeIoException, InterruptedException {
        long fh = open(path, FileConstants.O_RDONLY, caller);
        try {
            return seek(fh, off, whence);
        } finally {
            releaseQuietly(fh);
        }
    }

    /**
     * copy_file_range between two open files, done by the kernel between the
     * backing fds; a write to the destination, so it waits for overlapping
     * replies like one. EOPNOTSUPP when a side has no fd (the kernel then copies itself).
     */
    public long copyFileRange(long fhIn, long offIn, long fhOut, long offOut, long len)
            throws NativeIoException, InterruptedException {
        OpenHandle in = handle(fhIn, "copy_file_range");
        OpenHandle out = handle(fhOut, "copy_file_range");
        if (!(in.file.source() instanceof ByteSource.FdRange src)) {
            throw errno("copy_file_range from " + in.file.path(), Errno.EOPNOTSUPP);
        }
        WriteCounters wc = stats.writes();
        try (ReplyGuard.WriteHold hold = holdWrite(out, offOut, len)) {
            long n = out.file.copyFrom(src, offIn, len, offOut);
            wc.copied(n, "copy_file_range in the kernel");
            return n;
        }
    }

    public void fsync(long fh, boolean dataOnly) throws NativeIoException {
        handle(fh, "fsync").file.fsync(dataOnly);
    }

    public void release(long fh) throws NativeIoException {
        OpenHandle h = handles.remove(fh);
        if (h != null) {
            h.close();
        }
    }

    /** Truncates an open file; the path when the handle is unknown. */
    public void ftruncate(long fh, String path, long size) throws NativeIoException, InterruptedException {
        OpenHandle h = handles.get(fh);
        if (h == null) {
            truncate(path, size);
            return;
        }
        StoreFile f = h.file;
        if (replyGuard == null) {
            f.truncate(size);
            return;
        }
        try (ReplyGuard.WriteHold hold = replyGuard.write(f.key(), size, Long.MAX_VALUE)) {
            f.truncate(size);
        }
    }

    // ---- changing the tree (EROFS on a read-only store) ----

    public void truncate(String path, long size) throws NativeIoException, InterruptedException {
        WritableStore w = writable("truncate " + path);
        if (replyGuard == null) {
            w.truncate(path, size);
            return;
        }
        FileStat s = store.stat(path);
        try (ReplyGuard.WriteHold hold = replyGuard.write(new FileKey(s.dev(), s.ino()), size, Long.MAX_VALUE)) {
            w.truncate(path, size);
        }
    }

    public void mkdir(String path, int mode, Supplier<Caller> caller) throws NativeIoException {
        WritableStore w = writable("mkdir " + path);
        w.mkdir(path, mode, creator(caller));
    }

    /**
     * FIFOs and Unix sockets for whoever the directory lets create; character
     * and block devices only for a root caller (the kernel checks CAP_MKNOD
     * before asking, this keeps the rule if it did not). The mount is nodev
     * unless mounted with -o dev, so devices made here cannot be opened through it.
     */
    public void mknod(String path, int mode, long rdev, Supplier<Caller> caller) throws NativeIoException {
        WritableStore w = writable("mknod " + path);
        int type = mode & FileConstants.S_IFMT;
        if ((type == FileConstants.S_IFCHR || type == FileConstants.S_IFBLK) && caller.get().uid() != 0) {
            throw errno("mknod " + path, Errno.EPERM);
        }
        w.mknod(path, mode, rdev, creator(caller));
    }

    public void unlink(String path) throws NativeIoException {
        writable("unlink " + path).unlink(path);
    }

    public void rmdir(String path) throws NativeIoException {
        writable("rmdir " + path).rmdir(path);
    }

    public void rename(String from, String to) throws NativeIoException {
        writable("rename " + from).rename(from, to);
    }

    /** rename with renameat2(2) flags: RENAME_NOREPLACE, RENAME_EXCHANGE. */
    public void rename(String from, String to, int flags) throws NativeIoException {
        writable("rename " + from).rename(from, to, flags);
    }

    public void symlink(String target, String linkPath, Supplier<Caller> caller) throws NativeIoException {
        WritableStore w = writable("symlink " + linkPath);
        w.symlink(target, linkPath, creator(caller));
    }

    public void link(String existing, String newPath) throws NativeIoException {
        writable("link " + newPath).link(existing, newPath);
    }

    public void chmod(String path, int mode) throws NativeIoException {
        writable("chmod " + path).chmod(path, mode);
    }

    public void chown(String path, int uid, int gid) throws NativeIoException {
        writable("chown " + path).chown(path, uid, gid);
    }

    public void utimens(String path, long atimeSec, long atimeNsec, long mtimeSec, long mtimeNsec)
            throws NativeIoException {
        writable("utimens " + path).utimens(path, atimeSec, atimeNsec, mtimeSec, mtimeNsec);
    }

    // ---- xattrs: the kernel's namespace rules, per caller; the stats on the root ----

    /** What a caller may do with an xattr name, as the kernel rules it for a native filesystem. */
    private enum Namespace {
        /** user.*: the kernel checks the file's permissions before asking; passed through. */
        USER,
        /** security.*: readable by all; written only by root (CAP_SYS_ADMIN, CAP_SETFCAP for capabilities). */
        SECURITY,
        /** trusted.*: root (CAP_SYS_ADMIN) only; invisible to others: absent on read, hidden from lists. */
        TRUSTED,
        /**
         * system.posix_acl_access and _default: served only when the front end told the kernel it handles
         * ACLs (FUSE_POSIX_ACL; libfuse 2.9 cannot). The kernel then checks ownership before a change.
         */
        POSIX_ACL,
        /** Other system.* names and anything else. */
        UNSUPPORTED;

        static Namespace of(String name) {
            if (name.equals(ACL_ACCESS) || name.equals(ACL_DEFAULT)) {
                return POSIX_ACL;
            }
            if (name.startsWith("user.")) {
                return USER;
            }
            if (name.startsWith("security.")) {
                return SECURITY;
            }
            if (name.startsWith("trusted.")) {
                return TRUSTED;
            }
            return UNSUPPORTED;
        }
    }

    static final String ACL_ACCESS = "system.posix_acl_access";
    static final String ACL_DEFAULT = "system.posix_acl_default";

    /**
     * Whether the backing store keeps POSIX ACLs: its root answers a read of
     * the access ACL (a value, or none: ENODATA) rather than EOPNOTSUPP.
     */
    public boolean storeHasPosixAcls() {
        try {
            store.getxattr("/", ACL_ACCESS);
            return store instanceof WritableStore;
        } catch (NativeIoException e) {
            return e.errno() == Errno.ENODATA && store instanceof WritableStore;
        }
    }

    /** From now on system.posix_acl_* are the backing file's (the front end agreed FUSE_POSIX_ACL). */
    public void servePosixAcls() {
        posixAcls = true;
    }

    private static boolean isStats(String path, String name) {
        return "/".equals(path) && MountStats.XATTR.equals(name);
    }

    /**
     * The daemon is root, so the backing filesystem would let every caller
     * through: the request's uid decides instead. Root callers are taken to
     * hold CAP_SYS_ADMIN (the FUSE context carries no capabilities).
     */
    private static boolean privileged(Supplier<Caller> caller) {
        return caller.get().uid() == 0;
    }

    public byte[] getxattr(String path, String name, Supplier<Caller> caller) throws NativeIoException {
        if (isStats(path, name)) {
            return stats.toJson().getBytes(StandardCharsets.UTF_8);
        }
        switch (Namespace.of(name)) {
            case UNSUPPORTED -> throw errno("getxattr " + name, Errno.EOPNOTSUPP);
            case TRUSTED -> {
                if (!privileged(caller)) {
                    throw errno("getxattr " + name, Errno.ENODATA);
                }
            }
            case POSIX_ACL -> {
                if (!posixAcls) {
                    throw errno("getxattr " + name, Errno.EOPNOTSUPP);
                }
                return aclOf(path, name);
            }
            default -> {
            }
        }
        return store.getxattr(path, name);
    }

    /**
     * An ACL for the kernel's permission checks: a part of the tree without
     * ACLs (another filesystem mounted below the root) has none (ENODATA); an
     * EOPNOTSUPP would fail every permission check on that file.
     */
    private byte[] aclOf(String path, String name) throws NativeIoException {
        try {
            return store.getxattr(path, name);
        } catch (NativeIoException e) {
            if (e.errno() == Errno.EOPNOTSUPP) {
                throw errno("getxattr " + name, Errno.ENODATA);
            }
            throw e;
        }
    }

    public void setxattr(String path, String name, byte[] value, int flags, Supplier<Caller> caller)
            throws NativeIoException {
        checkWrite("setxattr", path, name, caller);
        WritableStore w = writable("setxattr " + path);
        if (Namespace.of(name) == Namespace.POSIX_ACL) {
            // As the caller: the backing filesystem turns an access ACL into mode bits and drops the setgid
            // bit when the caller is neither in the file's group nor privileged, as it would natively. The
            // kernel checked ownership already, but only tells a daemon about the setgid bit with SETXATTR_EXT.
            w.setxattr(path, name, value, flags, creator(caller));
        } else {
            w.setxattr(path, name, value, flags);
        }
    }

    private void checkWrite(String op, String path, String name, Supplier<Caller> caller)
            throws NativeIoException {
        if (isStats(path, name)) {
            throw errno(op + " " + name, Errno.EOPNOTSUPP);
        }
        switch (Namespace.of(name)) {
            case UNSUPPORTED -> throw errno(op + " " + name, Errno.EOPNOTSUPP);
            case POSIX_ACL -> {
                if (!posixAcls) {
                    throw errno(op + " " + name, Errno.EOPNOTSUPP);
                }
            }
            case SECURITY, TRUSTED -> {
                if (!privileged(caller)) {
                    throw errno(op + " " + name, Errno.EPERM);
                }
            }
            default -> {
            }
        }
    }

    /**
     * The names this caller sees, NUL-separated: user.* and security.* for
     * all, trusted.* for root only, the POSIX ACLs when served, never the
     * stats xattr (it is not stored).
     */
    public byte[] listxattr(String path, Supplier<Caller> caller) throws NativeIoException {
        byte[] all = store.listxattr(path);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Boolean root = null;
        int start = 0;
        for (int i = 0; i < all.length; i++) {
            if (all[i] == 0) {
                String n = new String(all, start, i - start, StandardCharsets.UTF_8);
                boolean visible = switch (Namespace.of(n)) {
                    case USER, SECURITY -> true;
                    case TRUSTED -> root != null ? root : (root = privileged(caller));
                    case POSIX_ACL -> posixAcls;
                    case UNSUPPORTED -> false;
                };
                if (visible) {
                    out.write(all, start, i - start + 1);
                }
                start = i + 1;
            }
        }
        return out.toByteArray();
    }

    public void removexattr(String path, String name, Supplier<Caller> caller) throws NativeIoException {
        checkWrite("removexattr", path, name, caller);
        writable("removexattr " + path).removexattr(path, name);
    }
}
