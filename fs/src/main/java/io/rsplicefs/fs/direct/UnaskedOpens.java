package io.rsplicefs.fs.direct;

import io.rsplicefs.fs.core.FsCore;
import java.util.concurrent.atomic.LongAdder;

/**
 * FUSE's no_open: once an OPEN is answered ENOSYS, the kernel opens every
 * later file of the mount itself, with no OPEN and no RELEASE, handle 0 and
 * FOPEN_KEEP_CACHE. A file read once then costs one READ instead of three
 * requests, which is most of what a small member of an archive costs.
 * Taken only where an open tells the kernel nothing and keeps nothing: the
 * core may open files per request (a store that cannot change, no donation,
 * no gift probe), and no open reply would carry a flag (no passthrough, no
 * io_uring zero copy, no direct_io). A request on handle 0 is then served
 * without one: a READ from where the bytes lie, or by a handle opened for it
 * alone (FsCore.readUnopened, seekUnopened); an FSYNC has nothing to sync.
 */
final class UnaskedOpens {
    static final String ASKED = "asked";
    static final String NOT_ASKED = "not asked (no_open: the kernel opens files itself, handle 0)";

    private final FsCore core;
    private final Passthrough passthrough;
    private final UringZeroCopy zeroCopy;
    private final boolean directIo;
    private final LongAdder served = new LongAdder();
    private volatile boolean taken;

    UnaskedOpens(FsCore core, Passthrough passthrough, UringZeroCopy zeroCopy, boolean directIo) {
        this.core = core;
        this.passthrough = passthrough;
        this.zeroCopy = zeroCopy;
        this.directIo = directIo;
    }

    /**
     * At an OPEN (INIT has settled passthrough and zero copy by then): whether
     * to answer it ENOSYS, after which the kernel asks no more.
     */
    boolean declineOpen() {
        if (!taken && core.opensPerRequest() && !passthrough.ask()
                && !zeroCopy.flagsOpens() && !directIo) {
            taken = true;
        }
        return taken;
    }

    /**
     * Whether a request's handle is the kernel's own: handle numbers start at
     * 1, and once opens are not asked every file has handle 0.
     */
    boolean unopened(long fh) {
        if (fh == 0 && taken) {
            served.increment();
            return true;
        }
        return false;
    }

    String status() {
        return taken ? NOT_ASKED : ASKED;
    }

    /** Requests on handle 0: on files the kernel opened itself. */
    long served() {
        return served.sum();
    }
}
