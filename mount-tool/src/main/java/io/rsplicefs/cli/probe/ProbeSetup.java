package io.rsplicefs.cli.probe;

import io.rsplicefs.fs.read.ReadPath;
import java.util.List;

/** One mount configuration the probe tries: a read path, with or without donation (splice_move). */
public record ProbeSetup(String name, ReadPath path, boolean donate) {
    /**
     * Every read path, and donation on top of those it applies to (uring-zc needs enable_uring Y, which the
     * probe does not set: where it is N the setup says so and is served as auto serves without passthrough). gift is tried with donation only (gifted
     * pages can only be moved with splice_move) and not forced: its own mount-time measurement decides.
     */
    public static final List<ProbeSetup> ALL = List.of(
            new ProbeSetup("copy", ReadPath.COPY, false),
            new ProbeSetup("fd", ReadPath.FD, false),
            new ProbeSetup("fd+donate", ReadPath.FD, true),
            new ProbeSetup("rsplice", ReadPath.RSPLICE, false),
            new ProbeSetup("rsplice+donate", ReadPath.RSPLICE, true),
            new ProbeSetup("auto", ReadPath.AUTO, false),
            new ProbeSetup("auto+donate", ReadPath.AUTO, true),
            new ProbeSetup("passthrough", ReadPath.PASSTHROUGH, false),
            new ProbeSetup("uring-zc", ReadPath.URING_ZC, false),
            new ProbeSetup("gift", ReadPath.GIFT, true));
}
