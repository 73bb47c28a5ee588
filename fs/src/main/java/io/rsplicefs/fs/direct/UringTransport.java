package io.rsplicefs.fs.direct;

import io.rsplicefs.fs.Transport;
import io.rsplicefs.fs.stats.MountStats;
import io.rsplicefs.nativeio.FuseRing;
import io.rsplicefs.nativeio.NativeIoException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The io_uring transport of one mount (FUSE over io_uring, Linux 6.14+): at
 * INIT it decides whether to ask for FUSE_OVER_IO_URING, and makes one ring
 * per queue before it does (a connection that agreed to io_uring holds every
 * new request until all queues have entries, so nothing that can fail may
 * come between the INIT reply and the registrations); after the INIT reply it
 * starts a {@link RingWorker} per queue. The kernel keeps one queue per
 * possible CPU and puts a request on the queue of the CPU its caller runs
 * on. INIT, INTERRUPT and FORGET still come over /dev/fuse, so the /dev/fuse
 * workers keep running. Where the kernel or its settings refuse, the mount is
 * served over /dev/fuse, and why is said once on stderr and kept for stats.
 */
final class UringTransport {
    /**
     * Workers per queue, each with a ring of its own: the kernel hands a
     * queue's requests to whichever of its entries is free, so the readahead
     * of one reader (all on its CPU's queue) is served by several threads.
     */
    static final int WORKERS_PER_QUEUE = Integer.getInteger("rsplicefs.uring.workersPerQueue", 2);
    /**
     * How many of a queue's workers are pinned to the queue's CPU (the rest run
     * where the scheduler puts them): "all", "one" or "none" (for measuring).
     */
    static final String PIN = System.getProperty("rsplicefs.uring.pin", "all");
    /**
     * Entries per worker. More would let the kernel queue the next request
     * while one is handled (rand4k was faster with 2), but the kernel hands a
     * request to any free entry of the queue: one in the ring of a worker busy
     * with a slow request waits behind it while other workers idle (a read
     * held by a stopped backing daemon then held up a stats read). With one,
     * a free entry is an idle worker.
     */
    static final int DEPTH = Integer.getInteger("rsplicefs.uring.depth", 1);
    private static final Path ENABLE = Path.of("/sys/module/fuse/parameters/enable_uring");
    private static final Path POSSIBLE = Path.of("/sys/devices/system/cpu/possible");

    private final List<FuseRing> rings = new ArrayList<>();
    private final List<RingWorker> workers = new CopyOnWriteArrayList<>();
    private final AtomicInteger registered = new AtomicInteger();
    private final LongAdder requests = new LongAdder();
    private final LongAdder lostEntries = new LongAdder();
    private volatile CountDownLatch settled = new CountDownLatch(0);
    private volatile String why = "";
    private volatile boolean used;
    private volatile int queues;
    /** Rings per queue and entries per ring on this mount (zero copy: one ring of one entry per queue). */
    private int perQueue = WORKERS_PER_QUEUE;
    private int depth = DEPTH;
    /** Whether the rings are made for zero-copy queues (their buffer tables taken). */
    private boolean zeroCopyQueues;
    /** Why the rings are not made for zero-copy queues although zero copy was wanted, or null. */
    private String zeroCopyWhy;
    private final UringZeroCopy zeroCopy;

    /** @param zeroCopy told when the ring stops serving the mount after INIT */
    UringTransport(UringZeroCopy zeroCopy) {
        this.zeroCopy = zeroCopy;
    }

    /**
     * At INIT, before the reply: the flags to add to the reply
     * (FUSE_OVER_IO_URING, and FUSE_HAS_IO_URING_BUFPOOL for zero-copy
     * queues), with the rings made; or 0 (the reason kept) when the kernel did
     * not offer it or the rings cannot be made.
     * <p>
     * Zero copy needs one ring per queue (a bufpool queue is bound to the ring
     * that sent its ADD_QUEUE: commands from another get EXDEV), whose payload
     * buffers are the queue's bufpool, registered as slot 0 of the ring's
     * buffer table (the kernel refuses a zero-copy queue an unregistered pool),
     * each of exactly the kernel's max_payload_sz. One entry per ring: the pool
     * then has one buffer, at offset 0, which is the entry's. A table the
     * kernel refuses (RLIMIT_MEMLOCK) leaves plain rings, with the reason.
     */
    long negotiate(long offered, int payloadBytes) {
        if ((offered & FuseRing.INIT_FLAG) == 0) {
            fallBack(kernelReason());
            return 0;
        }
        int n;
        try {
            n = possibleCpus();
        } catch (IOException | RuntimeException e) {
            fallBack("cannot count the possible CPUs (" + POSSIBLE + "): " + e.getMessage());
            return 0;
        }
        if (zeroCopy.wantsQueues(offered)) {
            try {
                for (int i = 0; i < n; i++) {
                    FuseRing r = FuseRing.open(1, Math.max(MIN_PAYLOAD, payloadBytes)); // max_payload_sz
                    rings.add(r);
                    r.usePayloadsAsPool();
                }
                perQueue = 1;
                depth = 1;
                zeroCopyQueues = true;
                queues = n;
                return FuseRing.INIT_FLAG | FuseRing.BUFPOOL_INIT_FLAG;
            } catch (NativeIoException e) {
                rings.forEach(FuseRing::close);
                rings.clear();
                zeroCopyWhy = "no zero-copy queues: " + e.getMessage();
                System.err.println("rsplicefs: uring-zc: " + zeroCopyWhy);
            }
        }
        try {
            for (int i = 0; i < n * WORKERS_PER_QUEUE; i++) {
                rings.add(FuseRing.open(DEPTH, payloadBytes));
            }
        } catch (NativeIoException e) {
            rings.forEach(FuseRing::close);
            rings.clear();
            fallBack(e.getMessage() + " (io_uring refused: see /proc/sys/kernel/io_uring_disabled)");
            return 0;
        }
        queues = n;
        return FuseRing.INIT_FLAG;
    }

    /** The kernel's smallest max_payload_sz: a zero-copy pool buffer must be exactly that size. */
    private static final int MIN_PAYLOAD = 8192;

    /** Why the queues are not zero-copy though zero copy was wanted (for the INIT decision), or null. */
    String zeroCopyWhy() {
        return zeroCopyWhy;
    }

    /** A zero-copy queue's setup command was refused: said once, and no open is zero-copied. */
    void zeroCopyRefused(String why) {
        System.err.println("rsplicefs: uring-zc: " + why);
        zeroCopy.queueRefused(why);
    }

    UringZeroCopy zeroCopy() {
        return zeroCopy;
    }

    /** After the INIT reply (the connection is initialized): a worker per queue registers its entries. */
    void start(DirectSession session, int devFd) {
        settled = new CountDownLatch(rings.size());
        for (int i = 0; i < rings.size(); i++) {
            int q = i / perQueue;
            boolean pin = PIN.equals("all") || PIN.equals("one") && i % perQueue == 0;
            RingWorker w = new RingWorker(session, this, rings.get(i), devFd, q, pin, zeroCopyQueues);
            workers.add(w);
            session.ringWorkerStarted();
            Thread t = new Thread(w, "rsplicefs-uring-q" + q + "-" + i % perQueue);
            t.setDaemon(true);
            t.start();
        }
        rings.clear(); // each worker owns and closes its ring now
    }

    /**
     * Waits (bounded) until every worker knows whether its registration was
     * taken, so that a mount reported ready reports the transport it uses.
     */
    void awaitSettled(long millis) {
        try {
            settled.await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A worker's registration was taken or refused, or the worker ended before it knew: once per worker. */
    void settled() {
        settled.countDown();
    }

    List<RingWorker> workers() {
        return workers;
    }

    void registered(int qid) {
        if (registered.incrementAndGet() == queues * perQueue && why.isEmpty()) {
            used = true;
        }
    }

    /** A registration the kernel refused: it goes on over /dev/fuse (it dropped io_uring for the connection). */
    void refused(int qid, int errno) {
        used = false;
        fallBack(new NativeIoException("FUSE_IO_URING_CMD_REGISTER on queue " + qid, errno).getMessage());
    }

    void workerFailed(int qid, Throwable t) {
        used = false;
        fallBack("queue " + qid + " failed: " + t);
    }

    /** A worker that could not be pinned (its CPU offline, a cpuset without it) still serves, unpinned. */
    void notPinned(int qid, NativeIoException e) {
        System.err.println("rsplicefs: io_uring queue " + qid + " served unpinned: " + e.getMessage());
    }

    void countRequest() {
        requests.increment();
        if (!used && why.isEmpty()) {
            // The kernel sends over the ring only once every queue has entries: this is proof even before the
            // last worker to register has counted itself in.
            used = true;
        }
    }

    void lostEntry() {
        lostEntries.increment();
    }

    /**
     * Ends the connection through fusectl (/sys/fs/fuse/connections/N/abort)
     * when a queue's worker cannot go on: the kernel would otherwise queue
     * requests for that CPU with nobody to take them. Falls back to a lazy unmount.
     */
    void abortConnection(DirectSession session) {
        if (!KernelMount.abort(session.mountpoint())) {
            session.forceEnd();
        }
    }

    private void fallBack(String reason) {
        if (why.isEmpty()) {
            why = reason;
            System.err.println("rsplicefs: --transport=uring: serving over /dev/fuse instead: " + reason);
        }
        zeroCopy.transportFellBack(reason);
    }

    /** Why the ring does not serve the mount ("" while it may). */
    String why() {
        return why;
    }

    /** Why the kernel did not offer FUSE_OVER_IO_URING in INIT. */
    static String kernelReason() {
        if (!Files.exists(ENABLE)) {
            return "this kernel has no FUSE over io_uring (Linux 6.14+ built with CONFIG_FUSE_IO_URING)";
        }
        try {
            String v = Files.readString(ENABLE).trim();
            if (v.equals("N") || v.equals("0")) {
                return "the fuse module's enable_uring is N (as root: echo Y > " + ENABLE + ")";
            }
        } catch (IOException e) {
            return "the kernel did not offer FUSE_OVER_IO_URING (" + ENABLE + ": " + e.getMessage() + ")";
        }
        return "the kernel did not offer FUSE_OVER_IO_URING in INIT";
    }

    /** num_possible_cpus(), the kernel's queue count: "0-3", "0,2-5". */
    static int possibleCpus() throws IOException {
        int n = 0;
        for (String part : Files.readString(POSSIBLE).trim().split(",")) {
            int dash = part.indexOf('-');
            n += dash < 0 ? 1 : Integer.parseInt(part.substring(dash + 1)) - Integer.parseInt(part.substring(0, dash)) + 1;
        }
        return n;
    }

    /** For stats: what was asked, what serves, why not the ring. */
    MountStats.RingStats snapshot(Transport asked) {
        return new MountStats.RingStats(asked.id(), used ? "uring" : "dev", why, used ? queues : 0,
                perQueue * depth,
                requests.sum(), lostEntries.sum());
    }

    boolean used() {
        return used;
    }
}
