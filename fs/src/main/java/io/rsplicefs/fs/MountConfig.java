package io.rsplicefs.fs;

import io.rsplicefs.fs.host.MountTable;
import io.rsplicefs.fs.read.ReadPath;
import io.rsplicefs.fs.write.WritePath;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything a mount is made of. Defaults: read path auto, write path auto, donation off,
 * splice_write on, default_permissions on, allow_other off, one donation
 * sample every 16 eligible replies.
 */
public final class MountConfig {
    /**
     * Files per store-ahead window unless told: 128 files of a directory cost
     * one READ (10,000 files in 100 directories by `find | xargs cat`: 1.08-1.11 s,
     * against 1.13-1.19 s with 32).
     */
    public static final int DEFAULT_STORE_AHEAD = 128;
    private final Path source;
    private final Path mountpoint;
    private ReadPath readPath = ReadPath.AUTO;
    private WritePath writePath = WritePath.AUTO;
    private boolean donate;
    private boolean forceGift;
    private boolean spliceWrite = true;
    private boolean defaultPermissions = true;
    private boolean debug;
    private boolean singleThreaded;
    private boolean stableReplies = true;
    private int sampleEvery = 16;
    private Path inflateCacheDir = Path.of("/var/tmp");
    private long inflateCacheBytes = 1L << 30;
    private int storeAheadFiles = DEFAULT_STORE_AHEAD;
    private final List<String> fuseOptions = new ArrayList<>();
    private Engine engine = Engine.DIRECT;
    private int threads;
    private int maxRequestBytes = 1 << 20;
    private boolean directIo;
    private Transport transport = Transport.DEV;
    private long readAheadBytes = -1;
    private boolean writebackCache;

    public MountConfig(Path source, Path mountpoint) {
        // mountinfo lists real paths; a missing path is reported by the mount's checks
        this.source = MountTable.canonical(source);
        this.mountpoint = MountTable.canonical(mountpoint);
    }

    public Path source() {
        return source;
    }

    public Path mountpoint() {
        return mountpoint;
    }

    public ReadPath readPath() {
        return readPath;
    }

    public MountConfig readPath(ReadPath p) {
        this.readPath = p;
        return this;
    }

    public WritePath writePath() {
        return writePath;
    }

    /** How write payloads reach the store; splice and auto ask libfuse for splice_read. */
    public MountConfig writePath(WritePath p) {
        this.writePath = p;
        return this;
    }

    /** splice_move: let the kernel move backing pages into the FUSE cache (fd, rsplice, auto). */
    public boolean donate() {
        return donate;
    }

    public MountConfig donate(boolean d) {
        this.donate = d;
        return this;
    }

    /** Use gift even when the mount-time probe shows the kernel refuses gifted pages. */
    public boolean forceGift() {
        return forceGift;
    }

    public MountConfig forceGift(boolean f) {
        this.forceGift = f;
        return this;
    }

    public boolean spliceWrite() {
        return spliceWrite;
    }

    public MountConfig spliceWrite(boolean s) {
        this.spliceWrite = s;
        return this;
    }

    public boolean defaultPermissions() {
        return defaultPermissions;
    }

    public MountConfig defaultPermissions(boolean d) {
        this.defaultPermissions = d;
        return this;
    }

    public boolean debug() {
        return debug;
    }

    public MountConfig debug(boolean d) {
        this.debug = d;
        return this;
    }

    /** Who speaks the FUSE protocol. */
    public Engine engine() {
        return engine;
    }

    public MountConfig engine(Engine e) {
        this.engine = e;
        return this;
    }

    /**
     * Worker threads of the direct engine (0: one per CPU). The jnr-fuse
     * engine can honour only 1 ({@link #singleThreaded}).
     */
    public int threads() {
        return threads;
    }

    public MountConfig threads(int n) {
        this.threads = n;
        return this;
    }

    /** The largest READ and WRITE request the direct engine asks the kernel for (FUSE_MAX_PAGES), in bytes. */
    public int maxRequestBytes() {
        return maxRequestBytes;
    }

    public MountConfig maxRequestBytes(int n) {
        this.maxRequestBytes = n;
        return this;
    }

    /**
     * Direct engine: open files with FOPEN_DIRECT_IO (no FUSE page cache: each
     * read goes to the daemon, the reply lands in the reader's buffer). Off by default; for measuring.
     */
    public boolean directIo() {
        return directIo;
    }

    public MountConfig directIo(boolean d) {
        this.directIo = d;
        return this;
    }

    /** Direct engine: /dev/fuse (the default) or FUSE over io_uring, which falls back to /dev/fuse where refused. */
    public Transport transport() {
        return transport;
    }

    public MountConfig transport(Transport t) {
        this.transport = t;
        return this;
    }

    /**
     * Direct engine: the mount's read-ahead window (its bdi's read_ahead_kb, set
     * after INIT, root only). -1 (the default): as large as the largest
     * request, so sequential reads come as requests of that size; 0: the
     * kernel's own (128 KiB).
     */
    public long readAheadBytes() {
        return readAheadBytes;
    }

    public MountConfig readAheadBytes(long n) {
        this.readAheadBytes = n;
        return this;
    }

    /**
     * Direct engine: ask the kernel for FUSE_WRITEBACK_CACHE. Writes then land in the
     * kernel's page cache and reach the daemon later, merged (at writeback, fsync, close);
     * the kernel keeps size and mtime itself and may read through a write-only handle.
     * Off by default; libfuse 2.9 (the jnr-fuse engine) has no such mode.
     */
    public boolean writebackCache() {
        return writebackCache;
    }

    public MountConfig writebackCache(boolean w) {
        this.writebackCache = w;
        return this;
    }

    /** libfuse's single-threaded loop (-s) instead of its on-demand worker threads. */
    public boolean singleThreaded() {
        return singleThreaded;
    }

    public MountConfig singleThreaded(boolean s) {
        this.singleThreaded = s;
        return this;
    }

    /**
     * Hold writes and truncates through the mount back until overlapping spliced
     * replies have been sent (see ReplyGuard). On by default; off only to measure.
     */
    public boolean stableReplies() {
        return stableReplies;
    }

    public MountConfig stableReplies(boolean s) {
        this.stableReplies = s;
        return this;
    }

    /** Sample one in N eligible replies for donation evidence (1 = every reply, 0 = never). */
    public int sampleEvery() {
        return sampleEvery;
    }

    public MountConfig sampleEvery(int n) {
        this.sampleEvery = n;
        return this;
    }

    /** Where an archive's deflated members are inflated (unlinked files; a disk, not tmpfs). */
    public Path inflateCacheDir() {
        return inflateCacheDir;
    }

    public MountConfig inflateCacheDir(Path d) {
        this.inflateCacheDir = d;
        return this;
    }

    /** How many bytes of inflated members nobody has open stay cached. */
    public long inflateCacheBytes() {
        return inflateCacheBytes;
    }

    public MountConfig inflateCacheBytes(long n) {
        this.inflateCacheBytes = n;
        return this;
    }

    /**
     * The direct engine's read-ahead across the small files of a directory
     * of a store that cannot change (an archive): files per window, pushed
     * into the kernel's cache in listing order after a READ (0: off).
     */
    public int storeAheadFiles() {
        return storeAheadFiles;
    }

    public MountConfig storeAheadFiles(int n) {
        this.storeAheadFiles = n;
        return this;
    }

    /** Extra libfuse -o options, passed through as given. */
    public List<String> fuseOptions() {
        return fuseOptions;
    }

    public MountConfig fuseOption(String opt) {
        fuseOptions.add(opt);
        return this;
    }

    /**
     * The options of a direct-engine mount (libfuse's names, translated by the
     * engine): the mount table's names and the permission model, then the user's.
     */
    public List<String> directOptions() {
        List<String> o = new ArrayList<>();
        o.add("fsname=rsplicefs");
        o.add("subtype=rsplicefs");
        if (defaultPermissions) {
            o.add("default_permissions");
        }
        o.addAll(fuseOptions);
        return o;
    }

    /** The -o options handed to libfuse. */
    List<String> libfuseOptions() {
        List<String> o = new ArrayList<>();
        o.add("fsname=rsplicefs");
        o.add("subtype=rsplicefs");
        o.add("max_read=131072");
        o.add("big_writes");
        o.add("use_ino");
        if (spliceWrite) {
            o.add("splice_write");
        }
        if (writePath.splices()) {
            o.add("splice_read");
        }
        if (donate) {
            o.add("splice_move");
        }
        if (defaultPermissions) {
            o.add("default_permissions");
        }
        o.addAll(fuseOptions);
        return o;
    }
}
