package io.rsplicefs.fs;

import java.util.Locale;

/** Who speaks the FUSE protocol for a mount: one vocabulary for code, CLI, stats and docs. */
public enum Engine {
    /** libfuse 2.9 through jnr-ffi (protocol 7.19 callbacks by path): the reference. */
    JNR_FUSE("jnr-fuse"),
    /** The protocol spoken by this project's own code over /dev/fuse (io.rsplicefs.fs.direct). */
    DIRECT("direct");

    private final String id;

    Engine(String id) {
        this.id = id;
    }

    /** The name used everywhere: "jnr-fuse", "direct". */
    public String id() {
        return id;
    }

    /** Parses an id; throws IllegalArgumentException listing the valid ones. */
    public static Engine parse(String id) {
        for (Engine e : values()) {
            if (e.id.equals(id.trim().toLowerCase(Locale.ROOT))) {
                return e;
            }
        }
        throw new IllegalArgumentException("unknown engine '" + id + "' (expected one of: jnr-fuse, direct)");
    }
}
