package io.rsplicefs.cli.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What to run. Target ids: native, the rsplicefs read paths (copy, fd,
 * rsplice, auto, gift), any of them with "+donate", "+noguard", "+single", and the peers bindfs and
 * passthrough_ll.
 */
public record BenchConfig(long size, int rounds, int randRuntime, List<Job> jobs, List<String> targets,
                          boolean installPeers, boolean forceGift, Path dir, Path out, boolean warmup, boolean trace,
                          int nativeLoops, List<String> daemonJvmOptions, String commandLine) {

    public static final List<String> READ_PATHS = List.of("copy", "fd", "rsplice", "auto", "gift");
    public static final List<String> DEFAULT_RSPLICEFS = List.of("copy", "fd", "rsplice", "rsplice+donate", "auto");

    /** The default target list for these switches. */
    public static List<String> defaultTargets(boolean withPeers, boolean forceGift) {
        List<String> t = new ArrayList<>();
        t.add("native");
        t.addAll(DEFAULT_RSPLICEFS);
        if (forceGift) {
            t.add("gift");
        }
        if (withPeers) {
            t.addAll(PeerSetup.IDS);
        }
        return t;
    }

    /**
     * Checks and normalizes a target list: known ids, no duplicates, native
     * first (every ratio needs it, so it is added when missing), gift only
     * when forced. Throws IllegalArgumentException with the reason.
     */
    public static List<String> checkTargets(List<String> asked, boolean forceGift) {
        Set<String> out = new LinkedHashSet<>();
        out.add("native");
        for (String raw : asked) {
            String t = raw.trim();
            if (t.isEmpty()) {
                continue;
            }
            if (!t.equals("native") && !PeerSetup.IDS.contains(t)) {
                Variant v = Variant.parse(t);
                if (v == null) {
                    throw new IllegalArgumentException("unknown target '" + t + "' (expected native, one of "
                            + String.join(", ", READ_PATHS) + " optionally with +donate, +noguard, +single,"
                            + " bindfs, passthrough_ll)");
                }
                if (v.path().equals("gift") && !forceGift) {
                    throw new IllegalArgumentException("the gift read path is measured only with --force-gift"
                            + " (this kernel copies gifted pages and logs a page dump for some of them)");
                }
                if (v.path().equals("copy") && v.donate()) {
                    throw new IllegalArgumentException("copy+donate: the copy path has no pages to donate");
                }
            }
            out.add(t);
        }
        return new ArrayList<>(out);
    }

    /**
     * A rsplicefs target id taken apart: the read path, then modifiers in any
     * order: "+donate" (--donate), "+noguard" (--no-stable-replies, to
     * measure what stable replies cost) and "+single" (--threads 1: libfuse's
     * single-threaded loop).
     */
    record Variant(String path, boolean donate, boolean stableReplies, boolean singleThreaded) {
        /** The variant named by a target id, or null when it names none. */
        static Variant parse(String target) {
            String[] parts = target.split("\\+", -1);
            if (!READ_PATHS.contains(parts[0])) {
                return null;
            }
            boolean donate = false;
            boolean stable = true;
            boolean single = false;
            for (int i = 1; i < parts.length; i++) {
                switch (parts[i]) {
                    case "donate" -> {
                        if (donate) {
                            return null;
                        }
                        donate = true;
                    }
                    case "noguard" -> {
                        if (!stable) {
                            return null;
                        }
                        stable = false;
                    }
                    case "single" -> {
                        if (single) {
                            return null;
                        }
                        single = true;
                    }
                    default -> {
                        return null;
                    }
                }
            }
            return new Variant(parts[0], donate, stable, single);
        }
    }

    static boolean isRsplicefs(String target) {
        return Variant.parse(target) != null;
    }
}
