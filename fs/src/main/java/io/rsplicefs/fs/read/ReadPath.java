package io.rsplicefs.fs.read;

import java.util.Locale;

/** The read paths, one vocabulary for code, CLI, stats and docs. */
public enum ReadPath {
    /** Classic: bytes pread into malloc'd memory that libfuse writes out. */
    COPY,
    /** read_buf hands libfuse the backing fd and offset; libfuse splices it. */
    FD,
    /** The filesystem fills its own per-worker pipe from the store and hands libfuse the pipe (reverse splice). */
    RSPLICE,
    /** Experiment: bytes produced in a page arena, vmspliced with SPLICE_F_GIFT. Never a default. */
    GIFT,
    /**
     * FUSE passthrough (kernel 6.9+, direct engine, CAP_SYS_ADMIN): a file
     * that is a whole backing file is opened with the kernel reading and
     * writing the backing file itself; the daemon sees the open, no reads.
     * Files that cannot be passed through are served as by {@link #AUTO}.
     */
    PASSTHROUGH,
    /**
     * FUSE io_uring zero copy (FUSE 7.46, Linux 7.3+, direct engine over the
     * io_uring transport, CAP_SYS_ADMIN, enable_uring on): the kernel hands
     * the daemon the reader's own page-cache pages as an io_uring registered
     * buffer and the daemon fills them from the backing fd with a read-fixed,
     * never mapping them. Implies the io_uring transport. Where the kernel,
     * the engine or the daemon's privileges do not allow it, files are served
     * as by {@link #AUTO} without passthrough, and why is counted.
     */
    URING_ZC,
    /**
     * The best available per file and request: passthrough where it works;
     * else, on the direct engine's io_uring transport with a kernel that
     * grants zero copy (FUSE 7.46, CAP_SYS_ADMIN), uring-zc where the file's
     * bytes lie in a backing fd; else reverse splice, with fallbacks.
     */
    AUTO;

    /** The name used everywhere: "copy", "fd", "rsplice", "gift", "passthrough", "uring-zc", "auto". */
    public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Whether the read path wants the kernel's io_uring zero copy (and so the io_uring transport). */
    public boolean zeroCopies() {
        return this == URING_ZC;
    }

    /**
     * Whether the read path takes the kernel's io_uring zero copy where it
     * can without asking for it: auto, when the io_uring transport was asked
     * for anyway ({@code ringTransport}); it does not make a ring for it.
     */
    public boolean zeroCopiesWhereItCan(boolean ringTransport) {
        return this == AUTO && ringTransport;
    }

    /** Whether files of this path are passed through to the kernel where they can be. */
    public boolean passesThrough() {
        return this == PASSTHROUGH || this == AUTO;
    }

    /** Parses an id; throws IllegalArgumentException listing the valid ones. */
    public static ReadPath parse(String id) {
        for (ReadPath p : values()) {
            if (p.id().equals(id.trim().toLowerCase(Locale.ROOT))) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown read path '" + id + "' (expected one of: copy, fd, rsplice, gift, passthrough, uring-zc, auto)");
    }
}
