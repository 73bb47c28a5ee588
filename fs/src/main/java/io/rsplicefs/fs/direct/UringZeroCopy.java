package io.rsplicefs.fs.direct;

import io.rsplicefs.fs.stats.ZeroCopyCounters;
import io.rsplicefs.nativeio.FuseRing;

/**
 * FUSE io_uring zero copy (protocol 7.46, Linux 7.3) on the direct engine:
 * decides, once per mount, whether the read path uring-zc (or auto on the
 * io_uring transport) can have it, and answers each open accordingly. It
 * needs the io_uring transport serving the mount, a kernel that offers
 * FUSE_HAS_IO_URING_BUFPOOL in INIT (zero copy exists only on bufpool
 * queues), and CAP_SYS_ADMIN (the kernel refuses FUSE_URING_ZERO_COPY queues
 * to others with EPERM). Where one is missing the mount's files are served by
 * the other read paths, and each open that wanted zero copy is counted with
 * the reason (auto: the status says it once; see docs/uring-zero-copy.md).
 */
final class UringZeroCopy {
    static final String NO_KERNEL = "kernel offers no io_uring zero-copy (needs FUSE 7.46, Linux 7.3)";
    static final String NOT_PRIVILEGED = "zero-copy queues need CAP_SYS_ADMIN";
    /** An open whose store gives no backing fd range (inflated archive data): nothing to read-fix from. */
    static final String NO_RANGE = "no backing range (produced bytes)";
    /**
     * An open that may write a file whose store takes no writes in place (no backing fd to write-fix
     * into); a read-only store refuses such opens before this, so it is a guard more than a reason.
     */
    static final String WRITABLE = "opened for writing, the store takes no writes in place";

    private final ZeroCopyCounters counters;
    private final boolean wanted;
    /** Chosen by auto (not asked for by name): opens of a mount that cannot have it are not counted. */
    private final boolean byAuto;
    /** Why the mount cannot zero-copy; null while it still may (or does not want to). */
    private volatile String unavailable;
    /** INIT decided: from then on a transport that stops serving ends zero copy too. */
    private volatile boolean decided;

    /**
     * @param wanted whether the read path is uring-zc, or auto on the io_uring transport
     * @param byAuto whether auto chose it (then a mount that cannot have it says so in the status only)
     * @param whyNot why it cannot on this mount whatever the kernel offers (privileges), or null
     */
    UringZeroCopy(ZeroCopyCounters counters, boolean wanted, boolean byAuto, String whyNot) {
        this.counters = counters;
        this.wanted = wanted;
        this.byAuto = byAuto;
        this.unavailable = whyNot;
        counters.status(!wanted ? "off" : whyNot != null ? "unavailable: " + whyNot : "on");
    }

    /** At INIT, before the transport makes its rings: whether to make them for zero-copy queues. */
    boolean wantsQueues(long offered) {
        return wanted && unavailable == null && (offered & FuseRing.BUFPOOL_INIT_FLAG) != 0;
    }

    /**
     * At INIT, after the transport's decision: what the kernel offered,
     * whether the ring serves the mount ({@code transportWhy}: why not, when
     * it does not), and why its queues are not zero-copy ({@code queueWhy},
     * null when they are being set up so).
     */
    void atInit(long offered, boolean ringAgreed, String transportWhy, String queueWhy) {
        decided = true;
        if (!wanted || unavailable != null) {
            return;
        }
        if ((offered & FuseRing.BUFPOOL_INIT_FLAG) == 0) {
            unavailable(NO_KERNEL);
        } else if (!ringAgreed) {
            unavailable("the io_uring transport does not serve this mount: " + transportWhy);
        } else if (queueWhy != null) {
            unavailable(queueWhy);
        }
    }

    /**
     * A queue's ADD_QUEUE or ADD_BUFPOOL was refused (before any REGISTER, so
     * before any open): the mount's opens are not zero-copied.
     */
    void queueRefused(String why) {
        if (wanted && unavailable == null) {
            unavailable(why);
        }
    }

    /** A READ the kernel handed over as the reader's pages, filled by a read-fixed. */
    void zeroCopied() {
        counters.zeroCopied();
    }

    /** A WRITE the kernel handed over as the writer's pages, drained by a write-fixed. */
    void zeroCopiedWrite() {
        counters.zeroCopiedWrite();
    }

    /** A zero-copied WRITE whose pages could not be drained, and why (answered with the errno). */
    void writeFailed(String why) {
        counters.writeFailed(why);
    }

    /** A READ of a zero-copy open that was copied, and why. */
    void copied(String why) {
        counters.copied(why);
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

    /** Whether an open reply may carry FOPEN_IO_URING_ZERO_COPY (decided at INIT). */
    boolean flagsOpens() {
        return wanted && unavailable == null;
    }

    /**
     * The open flag for a new handle (FOPEN_IO_URING_ZERO_COPY), or 0 with the
     * reason counted: for handles whose store gives a backing fd range to
     * read-fix from and, when they may write, a backing fd to write-fix into.
     */
    int openFlags(boolean backingRange, boolean readOnly, boolean writesInPlace) {
        if (!wanted) {
            return 0;
        }
        String why = unavailable;
        if (why != null) {
            if (!byAuto) {
                counters.fellBack(why);
            }
            return 0;
        }
        if (!backingRange) {
            why = NO_RANGE;
        } else if (!readOnly && !writesInPlace) {
            why = WRITABLE;
        }
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
