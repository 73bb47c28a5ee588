package io.rsplicefs.fs.direct;

import io.rsplicefs.fs.core.FsCore;
import io.rsplicefs.fs.stats.PassthroughCounters;
import io.rsplicefs.nativeio.FuseDevice;
import io.rsplicefs.nativeio.NativeIoException;
import java.util.HashMap;
import java.util.Map;

/**
 * FUSE passthrough (kernel 6.9+, protocol 7.40) on the direct engine: an
 * open of a file whose bytes are a whole backing file is answered with
 * FOPEN_PASSTHROUGH and a backing id, and the kernel then reads, writes and
 * maps the backing file itself (opening its own backing file with the
 * caller's open flags and the credentials the daemon registered the id with).
 *
 * <p>The kernel's rules (fs/fuse/iomode.c): an inode is either in
 * passthrough mode (it has passthrough opens) or in cached mode (it has
 * opens the daemon serves through the page cache), never both. An open
 * answered against the inode's mode fails in the caller with EIO: a
 * daemon-served open while passthrough opens are held, or a passthrough open
 * while daemon-served ones are (ETXTBSY inside the kernel); a passthrough
 * open with a different backing file than the inode's fails too (EBUSY
 * inside). The mode ends with the last open of its kind (RELEASE). So the
 * backing id is kept per node, shared by all its passthrough handles, and
 * closed when the last of them is released; and a node with daemon-served
 * handles (its BACKING_OPEN failed once, say) stays daemon-served until the
 * last of those is released, even where a later BACKING_OPEN would work.
 * Anything else falls back to the daemon's read paths for the whole mount or
 * the one file, counted with the reason.
 */
final class Passthrough {
    /** Backing files may sit on a filesystem that stacks nothing (ext4, xfs, tmpfs ...). */
    static final int MAX_STACK_DEPTH = 1;

    private final FsCore core;
    private final PassthroughCounters counters;
    private final boolean wanted;
    private final Map<Long, Backing> byNode = new HashMap<>();
    private final Map<Long, Long> nodeOfHandle = new HashMap<>();
    /** Nodes in the kernel's cached mode: their daemon-served handles, by count. */
    private final Map<Long, Integer> servedByNode = new HashMap<>();
    private final Map<Long, Long> nodeOfServedHandle = new HashMap<>();
    private volatile int devFd = -1;
    /** Why the mount cannot pass through; null when it can (or does not want to). */
    private volatile String unavailable;

    private static final class Backing {
        final int id;
        int handles;

        Backing(int id) {
            this.id = id;
        }
    }

    /**
     * @param wanted whether the read path passes files through where it can
     * @param whyNot why it cannot on this mount before INIT is even seen
     *     (not CAP_SYS_ADMIN, writeback cache), or null
     */
    Passthrough(FsCore core, PassthroughCounters counters, boolean wanted, String whyNot) {
        this.core = core;
        this.counters = counters;
        this.wanted = wanted;
        this.unavailable = whyNot;
        counters.status(!wanted ? "off" : whyNot != null ? "unavailable: " + whyNot : "on");
    }

    /** Whether INIT should ask the kernel for FUSE_PASSTHROUGH. */
    boolean ask() {
        return wanted && unavailable == null;
    }

    /** INIT's outcome: whether the kernel agreed, and an fd of the connection for the backing ioctls. */
    void agreed(boolean kernelAgreed, int connectionFd) {
        devFd = connectionFd;
        if (ask() && !kernelAgreed) {
            unavailable = "the kernel offers no FUSE passthrough (needs 6.9+ with CONFIG_FUSE_PASSTHROUGH)";
            counters.status("unavailable: " + unavailable);
        }
    }

    /** The mount-wide status line ("off", "on", "unavailable: why"). */
    String status() {
        return counters.status();
    }

    /**
     * The backing id for an open reply of handle {@code fh} on node
     * {@code nodeid}, or 0 when the daemon serves the file (the reason is
     * counted).
     */
    int open(long nodeid, long fh) throws NativeIoException {
        if (!wanted) {
            return 0;
        }
        String why = unavailable;
        if (why != null) {
            counters.fellBack(why);
            return 0;
        }
        int fd = core.wholeFileFd(fh);
        synchronized (this) {
            Backing b = byNode.get(nodeid);
            if (b == null) {
                if (servedByNode.containsKey(nodeid)) {
                    return served(nodeid, fh, "the file is open without passthrough (the kernel refuses mixing)");
                }
                if (fd < 0) {
                    return served(nodeid, fh, "not a whole file (bytes inside another file)");
                }
                try {
                    b = new Backing(FuseDevice.backingOpen(devFd, fd));
                } catch (NativeIoException e) {
                    return served(nodeid, fh, "FUSE_DEV_IOC_BACKING_OPEN " + e.errnoName());
                }
                counters.backingOpened();
                byNode.put(nodeid, b);
            }
            b.handles++;
            nodeOfHandle.put(fh, nodeid);
            counters.opened();
            return b.id;
        }
    }

    /** A daemon-served open of a node that may pass through: counted, and the node kept in cached mode. */
    private int served(long nodeid, long fh, String why) {
        counters.fellBack(why);
        servedByNode.merge(nodeid, 1, Integer::sum);
        nodeOfServedHandle.put(fh, nodeid);
        return 0;
    }

    /** RELEASE of {@code fh}: the node's backing id is closed with its last passthrough handle. */
    void release(long fh) {
        synchronized (this) {
            Long served = nodeOfServedHandle.remove(fh);
            if (served != null) {
                servedByNode.computeIfPresent(served, (n, c) -> c > 1 ? c - 1 : null);
                return;
            }
            Long nodeid = nodeOfHandle.remove(fh);
            if (nodeid == null) {
                return;
            }
            Backing b = byNode.get(nodeid);
            if (b != null && --b.handles == 0) {
                byNode.remove(nodeid);
                counters.backingClosed();
                try {
                    FuseDevice.backingClose(devFd, b.id);
                } catch (NativeIoException e) {
                    // Only when the connection is ending (ENODEV): the kernel drops its ids with it.
                }
            }
        }
    }
}
