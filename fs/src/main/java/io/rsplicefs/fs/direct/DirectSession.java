package io.rsplicefs.fs.direct;

import io.rsplicefs.fs.EngineSession;
import io.rsplicefs.fs.Errno;
import io.rsplicefs.fs.MountConfig;
import io.rsplicefs.fs.MountException;
import io.rsplicefs.fs.Transport;
import io.rsplicefs.fs.core.FsCore;
import io.rsplicefs.fs.Unmounter;
import io.rsplicefs.fs.host.Capabilities;
import io.rsplicefs.fs.host.MountTable;
import io.rsplicefs.fs.stats.MountStats;
import io.rsplicefs.nativeio.FuseDevice;
import io.rsplicefs.nativeio.NativeIoException;
import io.rsplicefs.nativeio.Pipe;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The direct engine serving one mount: mounts /dev/fuse, answers INIT, runs
 * the workers (one per CPU unless told, each on its own clone of the device
 * fd) and ends when the connection does. It holds what all workers share:
 * the node table, the handlers, the counters.
 */
public final class DirectSession implements EngineSession {
    private static final int PAGE = 4096;
    /** Flags this engine asks for when the kernel offers them. */
    private static final long WANTED = Fuse.ASYNC_READ | Fuse.BIG_WRITES | Fuse.MAX_PAGES | Fuse.PARALLEL_DIROPS
            | Fuse.DO_READDIRPLUS | Fuse.READDIRPLUS_AUTO | Fuse.SPLICE_WRITE | Fuse.SPLICE_MOVE | Fuse.SPLICE_READ
            | Fuse.ASYNC_DIO | Fuse.INIT_EXT | Fuse.ATOMIC_O_TRUNC;
    /** Asked together when the backing store keeps POSIX ACLs (see {@link #posixAcls}). */
    private static final long ACLS = Fuse.POSIX_ACL | Fuse.DONT_MASK;

    private final FsCore core;
    private final MountConfig config;
    private final Timeouts timeouts;
    private final NodeTable nodes = new NodeTable();
    private final EngineCounters counters = new EngineCounters();
    private final Dispatcher dispatcher;
    private final DirOps dirs;
    private final Passthrough passthrough;
    private final UringZeroCopy zeroCopy;
    private final UnaskedOpens unaskedOpens;
    private final StoreAhead storeAhead;
    private final CreationUmask umask = new CreationUmask();
    private final int maxRequestBytes;
    private final long wanted;
    private final int threads;
    private final List<Worker> workers = new CopyOnWriteArrayList<>();
    private final List<Integer> fds = new ArrayList<>();
    private final AtomicInteger alive = new AtomicInteger();
    private final CountDownLatch initialized = new CountDownLatch(1);
    private final CountDownLatch ended = new CountDownLatch(1);
    /** The io_uring transport when asked for (--transport=uring), else null. */
    private final UringTransport uring;
    private volatile Throwable failure;
    private volatile String protocol = "";
    private volatile long maxReadahead;
    private volatile List<String> offered = List.of();
    private volatile List<String> accepted = List.of();
    private volatile int agreedMaxWrite;

    /** {@code keepCache}: libfuse's kernel_cache, every open keeps the file's pages (FOPEN_KEEP_CACHE). */
    private DirectSession(FsCore core, MountConfig config, Timeouts timeouts, boolean keepCache) {
        this.core = core;
        this.config = config;
        this.timeouts = timeouts;
        this.maxRequestBytes = requestLimit(config.maxRequestBytes());
        this.wanted = WANTED | (config.writebackCache() ? Fuse.WRITEBACK_CACHE : 0);
        this.threads = config.threads() > 0 ? config.threads()
                : config.singleThreaded() ? 1 : Runtime.getRuntime().availableProcessors();
        Operations tree = new Operations(core, nodes, umask);
        this.passthrough = new Passthrough(core, core.stats().passthrough(), config.readPath().passesThrough(),
                passthroughUnavailable(core, config));
        // auto takes zero copy where the ring it was given can have it (a mount-wide "no" is said once, in
        // the status, not counted per open as for uring-zc, which was asked for by name).
        boolean autoZeroCopy = config.readPath().zeroCopiesWhereItCan(config.transport() == Transport.URING);
        this.zeroCopy = new UringZeroCopy(core.stats().zeroCopy(), config.readPath().zeroCopies() || autoZeroCopy,
                autoZeroCopy, Capabilities.hasSysAdmin() ? null : UringZeroCopy.NOT_PRIVILEGED);
        this.unaskedOpens = new UnaskedOpens(core, passthrough, zeroCopy, config.directIo());
        this.storeAhead = new StoreAhead(core, nodes, config.storeAheadFiles());
        FileOps files = new FileOps(core, nodes, tree, counters, passthrough, zeroCopy, unaskedOpens, storeAhead,
                config.directIo(), keepCache, config.writebackCache(), umask);
        this.dirs = new DirOps(core, nodes, tree);
        this.dispatcher = new Dispatcher(core, tree, files, dirs, this, counters);
        // uring-zc implies the ring: zero copy exists only on FUSE-over-io_uring queues.
        this.uring = config.transport() == Transport.URING || config.readPath().zeroCopies()
                ? new UringTransport(zeroCopy) : null;
        core.stats().engine(this::snapshot);
    }

    /** Why this mount cannot pass files through whatever the kernel offers, or null. */
    private static String passthroughUnavailable(FsCore core, MountConfig config) {
        if (!core.wholeBackingFiles()) {
            return "the store's files are bytes inside another file (archive members), not whole files";
        }
        if (config.writebackCache()) {
            return "the writeback cache is on (the kernel does not pass files through with it)";
        }
        return Capabilities.hasSysAdmin() ? null : "registering backing files needs CAP_SYS_ADMIN";
    }

    /**
     * The largest request asked for: a whole number of pages, and small
     * enough that a reply (header page, payload, one page for an unaligned
     * range) fits the largest pipe this process may make: without
     * CAP_SYS_RESOURCE (even root in a container may lack it) that is
     * pipe-max-size, 1 MiB by default, which leaves 1016 KiB for the payload.
     */
    private static int requestLimit(int wanted) {
        int pages = Math.max(32, Math.min(wanted / PAGE, 256));
        if (!Capabilities.hasSysResource()) {
            pages = Math.min(pages, Math.max(32, Pipe.maxCapacity() / PAGE - 2));
        }
        return pages * PAGE;
    }

    /** Mounts and starts the workers; returns at once (FuseMount waits for {@link #initialized}). */
    public static DirectSession start(FsCore core, MountConfig config, List<String> options) throws MountException {
        List<String> kernelOptions = new ArrayList<>();
        Timeouts timeouts = Timeouts.take(options, kernelOptions);
        boolean keepCache = kernelOptions.remove("kernel_cache");
        KernelMount.Plan plan = KernelMount.plan(kernelOptions);
        int master = KernelMount.mount(config.mountpoint(), plan);
        DirectSession s = new DirectSession(core, config, timeouts, keepCache);
        s.fds.add(master);
        // FUSE_DEV_IOC_CLONE needs the mounted fd; a kernel without it (none since 4.2) shares the master fd.
        for (int i = 1; i < s.threads; i++) {
            try {
                s.fds.add(FuseDevice.cloneOf(master));
            } catch (NativeIoException e) {
                s.fds.add(master);
            }
        }
        boolean spliceRequests = config.writePath().splices();
        int requestBytes = s.maxRequestBytes + PAGE; // the largest WRITE and its headers
        for (int i = 0; i < s.threads; i++) {
            Worker w = new Worker(s, s.fds.get(i), requestBytes, spliceRequests);
            s.workers.add(w);
            s.alive.incrementAndGet();
            Thread t = new Thread(w, "rsplicefs-direct-" + i);
            t.setDaemon(true);
            t.start();
        }
        return s;
    }

    Dispatcher dispatcher() {
        return dispatcher;
    }

    Timeouts timeouts() {
        return timeouts;
    }

    FsCore core() {
        return core;
    }

    EngineCounters counters() {
        return counters;
    }

    boolean donate() {
        return config.donate();
    }

    /**
     * INIT: fuse_init_in is major, minor, max_readahead, flags, flags2 (7.36+).
     * A kernel with a newer major is told 7 and asks again; an older major
     * cannot be served. Asks for what both sides have: async reads, big
     * writes up to {@link MountConfig#maxRequestBytes} (MAX_PAGES), splice,
     * parallel dirops, readdirplus, atomic O_TRUNC (OPEN carries O_TRUNC, no
     * SETATTR before it), POSIX ACLs where the store has them, FUSE
     * passthrough when the read path passes files through; the writeback
     * cache only when the mount asks for it.
     */
    void init(Request q, Reply out) throws NativeIoException {
        int major = q.u32(0);
        int minor = q.u32(4);
        int readahead = q.u32(8);
        long flags = q.u32(12) & 0xffffffffL;
        if (major < Fuse.KERNEL_VERSION) {
            failure = new MountException("the kernel speaks FUSE " + major + "." + minor + "; 7.x is needed");
            throw new NativeIoException("INIT " + major + "." + minor, Errno.EPROTO);
        }
        if (major > Fuse.KERNEL_VERSION) {
            out.u32(Fuse.KERNEL_VERSION).u32(Fuse.KERNEL_MINOR).zeros(Fuse.INIT_OUT - 8).send();
            return;
        }
        if ((flags & Fuse.INIT_EXT) != 0 && q.bodyLength() >= 20) {
            flags |= (q.u32(16) & 0xffffffffL) << 32;
        }
        long agreed = flags & (wanted | (passthrough.ask() ? Fuse.PASSTHROUGH : 0));
        if ((flags & ACLS) == ACLS && posixAcls()) {
            agreed |= ACLS;
        }
        int maxPages = (agreed & Fuse.MAX_PAGES) != 0 ? maxRequestBytes / PAGE : 32;
        int maxWrite = maxPages * PAGE;
        long ring = 0;
        if (uring != null) {
            ring = uring.negotiate(flags, maxWrite); // the rings are made before the reply commits to them
            agreed |= ring;
        }
        zeroCopy.atInit(flags, ring != 0, uring == null ? "not asked" : uring.why(),
                uring == null ? null : uring.zeroCopyWhy());
        out.u32(Fuse.KERNEL_VERSION).u32(Fuse.KERNEL_MINOR).u32(readahead).u32((int) agreed)
                .u32(16 | (12 << 16)) // max_background, congestion_threshold (u16 each)
                .u32(maxWrite).u32(1) // time_gran: nanoseconds
                .u32(maxPages) // max_pages (u16), map_alignment (u16) 0
                .u32((int) (agreed >>> 32)) // flags2
                .u32((agreed & Fuse.PASSTHROUGH) != 0 ? Passthrough.MAX_STACK_DEPTH : 0)
                .zeros(24);
        if (minor < 23) {
            throw new NativeIoException("INIT: kernel FUSE 7." + minor + " is older than 7.23", Errno.EPROTO);
        }
        protocol = "7." + minor + " (engine 7." + Fuse.KERNEL_MINOR + ")";
        maxReadahead = readahead;
        offered = InitFlags.names(flags);
        accepted = InitFlags.names(agreed);
        agreedMaxWrite = maxWrite;
        passthrough.agreed((agreed & Fuse.PASSTHROUGH) != 0, fds.get(0));
        if ((agreed & ACLS) == ACLS) { // before the reply: the kernel's next request may use them
            core.servePosixAcls();
            umask.takeFromRequests();
        }
        out.send();
        if (uring == null) { // notifications beside a ring's traffic are not tried
            storeAhead.start(fds.get(0));
        }
        if (uring != null && (agreed & Fuse.OVER_IO_URING) != 0) {
            uring.start(this, fds.get(0));
            uring.awaitSettled(5000); // ready means the transport is decided (requests wait for the ring anyway)
        }
        // The kernel took the reply inline: its read-ahead is set now, and can be widened.
        maxReadahead = ReadAhead.widen(config.mountpoint(), config.readAheadBytes() < 0 ? maxWrite
                : config.readAheadBytes(), readahead);
        initialized.countDown();
    }

    /**
     * Whether to ask for POSIX_ACL (the kernel then checks permissions with
     * ACLs, caches them, reads and writes them as system.posix_acl_* xattrs)
     * and DONT_MASK (it sends the caller's umask unapplied: a parent's default
     * ACL must win over it, see {@link CreationUmask}). Only where the store
     * keeps ACLs, and with default_permissions, which POSIX_ACL turns on anyway.
     */
    private boolean posixAcls() {
        return config.defaultPermissions() && core.storeHasPosixAcls();
    }

    /**
     * INTERRUPT (fuse_interrupt_in: the unique of the request to interrupt):
     * the worker handling it is interrupted (a wait in the stable-replies
     * guard gives up, EINTR) and answers it; no reply to the interrupt
     * itself. Not being handled yet: EAGAIN, the kernel asks again.
     */
    void interrupt(Request q, Reply out) {
        long target = q.u64(0);
        counters.interrupt();
        for (Worker w : workers) {
            if (w.interruptIfHandling(target)) {
                out.noReply();
                return;
            }
        }
        for (RingWorker w : uring == null ? List.<RingWorker>of() : uring.workers()) {
            if (w.interruptIfHandling(target)) {
                out.noReply();
                return;
            }
        }
        out.error(Errno.EAGAIN);
    }

    void workerFailed(Throwable t) {
        if (failure == null) {
            failure = t;
        }
    }

    void workerEnded(Worker w) {
        oneEnded();
    }

    /** A ring worker counts as alive like a /dev/fuse worker: the fds stay open until the last one ends. */
    void ringWorkerStarted() {
        alive.incrementAndGet();
    }

    void ringWorkerEnded() {
        oneEnded();
    }

    java.nio.file.Path mountpoint() {
        return config.mountpoint();
    }

    private void oneEnded() {
        if (alive.decrementAndGet() == 0) {
            if (failure != null) {
                forceEnd(); // the workers failed, the connection did not end: leave no dead mount behind
            }
            storeAhead.close();
            for (int fd : fds.stream().distinct().toList()) {
                KernelMount.closeQuietly(fd);
            }
            ended.countDown();
        }
    }

    @Override
    public boolean initialized() {
        return initialized.getCount() == 0;
    }

    @Override
    public CountDownLatch ended() {
        return ended;
    }

    @Override
    public Throwable failure() {
        return failure;
    }

    /** A lazy detach: the connection ends once the last open file on it is closed. */
    @Override
    public void forceEnd() {
        if (!MountTable.isMounted(config.mountpoint())) {
            return;
        }
        try {
            Unmounter.unmount(config.mountpoint(), true);
        } catch (MountException e) {
            System.err.println("rsplicefs: " + e.getMessage());
        }
    }

    @Override
    public String describe() {
        return "the direct engine";
    }

    MountStats.EngineStats snapshot() {
        String transport = uring != null && uring.used() ? "uring" : "dev";
        MountStats.RingStats ring = uring != null ? uring.snapshot(Transport.URING)
                : new MountStats.RingStats("dev", "dev", "", 0, 0, 0, 0);
        return new MountStats.EngineStats("direct", protocol, transport, threads, agreedMaxWrite, maxReadahead, offered,
                accepted, counters.requestsByOpcode(), counters.readSizes(), counters.writeSizes(),
                counters.unknownOpcodes(), counters.malformedRequests(), counters.replyFailures(),
                counters.interrupts(), nodes.size(), nodes.outstandingLookups(), nodes.lookupsTotal(),
                nodes.forgetsTotal(), unaskedOpens.status(), unaskedOpens.served(),
                storeAhead.summary(), ring);
    }
}
