package io.rsplicefs.cli.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What to run. Target ids: native, the rsplicefs read paths (copy, fd,
 * rsplice, auto, gift), any of them with "+donate", and the peers bindfs and
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
                String path = t.endsWith("+donate") ? t.substring(0, t.length() - "+donate".length()) : t;
                if (!READ_PATHS.contains(path)) {
                    throw new IllegalArgumentException("unknown target '" + t + "' (expected native, one of "
                            + String.join(", ", READ_PATHS) + " optionally with +donate, bindfs, passthrough_ll)");
                }
                if (path.equals("gift") && !forceGift) {
                    throw new IllegalArgumentException("the gift read path is measured only with --force-gift"
                            + " (this kernel copies gifted pages and logs a page dump for some of them)");
                }
                if (path.equals("copy") && t.endsWith("+donate")) {
                    throw new IllegalArgumentException("copy+donate: the copy path has no pages to donate");
                }
            }
            out.add(t);
        }
        return new ArrayList<>(out);
    }

    /** The read path of a rsplicefs target id ("rsplice+donate" -> "rsplice"). */
    static String readPathOf(String target) {
        return target.endsWith("+donate") ? target.substring(0, target.length() - "+donate".length()) : target;
    }

    static boolean isRsplicefs(String target) {
        return READ_PATHS.contains(readPathOf(target));
    }
}
