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
    /** The best available per request and store, with fallbacks. */
    AUTO;

    /** The name used everywhere: "copy", "fd", "rsplice", "gift", "auto". */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses an id; throws IllegalArgumentException listing the valid ones. */
    public static ReadPath parse(String id) {
        for (ReadPath p : values()) {
            if (p.id().equals(id.trim().toLowerCase(Locale.ROOT))) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown read path '" + id + "' (expected one of: copy, fd, rsplice, gift, auto)");
    }
}
