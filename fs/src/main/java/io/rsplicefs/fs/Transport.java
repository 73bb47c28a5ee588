package io.rsplicefs.fs;

import java.util.Locale;

/** How the direct engine and the kernel exchange FUSE requests and replies: one vocabulary for code, CLI, stats and docs. */
public enum Transport {
    /** read(2) and write(2)/splice(2) on /dev/fuse: every kernel. */
    DEV("dev"),
    /** FUSE over io_uring (Linux 6.14+, enable_uring=Y): per-CPU queues of ring entries; falls back to dev. */
    URING("uring");

    private final String id;

    Transport(String id) {
        this.id = id;
    }

    /** The name used everywhere: "dev", "uring". */
    public String id() {
        return id;
    }

    /** Parses an id; throws IllegalArgumentException listing the valid ones. */
    public static Transport parse(String id) {
        for (Transport t : values()) {
            if (t.id.equals(id.trim().toLowerCase(Locale.ROOT))) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown transport '" + id + "' (expected one of: dev, uring)");
    }
}
