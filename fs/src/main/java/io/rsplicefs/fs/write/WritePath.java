package io.rsplicefs.fs.write;

import java.util.Locale;

/** The write paths, in the read paths' vocabulary style: one name for code, CLI, stats and docs. */
public enum WritePath {
    /** Classic: libfuse reads each WRITE request into its own memory; the filesystem pwrites it from there. */
    COPY,
    /**
     * libfuse splices the request from /dev/fuse into its per-thread pipe ({@code -o splice_read}); the
     * filesystem splices the payload from that pipe into the backing fd at the offset.
     */
    SPLICE,
    /** The default: splice where it works (writes libfuse hands over as memory, and refused splices, are copied). */
    AUTO;

    /** The name used everywhere: "copy", "splice", "auto". */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether libfuse is asked to deliver writes as a pipe ({@code -o splice_read}). */
    public boolean splices() {
        return this != COPY;
    }

    /** Parses an id; throws IllegalArgumentException listing the valid ones. */
    public static WritePath parse(String id) {
        for (WritePath p : values()) {
            if (p.id().equals(id.trim().toLowerCase(Locale.ROOT))) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown write path '" + id + "' (expected one of: copy, splice, auto)");
    }
}
