package io.rsplicefs.fs.direct;

import io.rsplicefs.fs.stats.ZeroCopyCounters;
import io.rsplicefs.nativeio.FuseRing;

/**
 * FUSE io_uring zero copy (protocol 7.46, Linux 7.3) on the direct engine:
 * decides, once per mount, whether the read path uring-zc can have it, and
 * answers each open accordingly. It needs the io_uring transport serving the
 * mount, a kernel that offers FUSE_HAS_IO_URING_BUFPOOL in INIT (zero copy
 * exists only on bufpool queues), and CAP_SYS_ADMIN (the kernel refuses
 * FUSE_URING_ZERO_COPY queues to others with EPERM). Where one is missing the
 * mount's files are served by the other read paths, and each open that
 * wanted zero copy is counted with the reason (see docs/uring-zero-copy.md).
 */
final class UringZeroCopy {
    static final String NO_KERNEL = "kernel offers no io_uring zero-copy (needs FUSE 7.46, Linux 7.3)";
    static final String NOT_PRIVILEGED = "zero-copy queues need CAP_SYS_ADMIN";
    /**
     * Every precondition holds, but this build does not set up bufpool and
     * zero-copy queues yet (issue 20's third stage): said, not hidden.
     */
    static final String NOT_BUILT = "this build does not set up zero-copy queues yet (the kernel and the daemon"
            + " would allow it)";

    private final ZeroCopyCounters counters;
    private final boolean wanted;
    /** Why the mount cannot zero-copy; null while it still may (or does not want to). */
    private volatile String unavailable;
    /** INIT decided: from then on a transport that stops serving ends zero copy too. */
    private volatile boolean decided;

    /**
     * @param wanted whether the read path is uring-zc
     * @param whyNot why it cannot on this mount whatever the kernel offers (privileges), or null
     */
    UringZeroCopy(ZeroCopyCounters counters, boolean wanted, String whyNot) {
        this.counters = counters;
        this.wanted = wanted;
        this.unavailable = whyNot;
        counters.status(!wanted ? "off" : whyNot != null ? "unavailable: " + whyNot : "on");
    }

    /**
     * At INIT, after the transport's decision: what the kernel offered, and
     * whether the ring serves the mount ({@code transportWhy}: why not, when it does not).
     */
    void atInit(long offered, boolean ringAgreed, String transportWhy) {
        decided = true;
        if (!wanted || unavailable != null) {
            return;
        }
        if ((offered & FuseRing.BUFPOOL_INIT_FLAG) == 0) {
            unavailable(NO_KERNEL);
        } else if (!ringAgreed) {
            unavailable("the io_uring transport does not serve this mount: " + transportWhy);
        } else {
            unavailable(NOT_BUILT);
        }
    }

    /** The ring transport stopped serving the mount after INIT (a queue's registration was refused). */
    void transportFellBack(String why) {
        if (decided && wanted && unavailable == null) {
            unavailable("the io_uring transport does not serve this mount: " + why);
        }
    }

    private void unavailable(String why) {
        unavailable = why;
        counters.status("unavailable: " + why);
    }

    /** The open flag for a new handle (FOPEN_IO_URING_ZERO_COPY), or 0 with the reason counted. */
    int openFlags() {
        if (!wanted) {
            return 0;
        }
        String why = unavailable;
        if (why != null) {
            counters.fellBack(why);
            return 0;
        }
        counters.opened();
        return FuseRing.FOPEN_ZERO_COPY;
    }

    String status() {
        return counters.status();
    }
}
