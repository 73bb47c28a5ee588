package io.rsplicefs.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Renders the stats JSON (see FsStats.snapshot) for people: mount lines,
 * then one row per read path.
 */
final class StatsTable {
    private static final String ROW = "%-8s %10s %10s %9s %9s %7s %14s  %s";

    private StatsTable() {
    }

    static String render(Map<String, Object> stats) {
        StringBuilder b = new StringBuilder();
        Map<String, Object> mount = map(stats.get("mount"));
        b.append(String.format(Locale.ROOT, "mount       %s  (source %s, daemon pid %s)\n",
                mount.get("mountpoint"), mount.get("source"), mount.get("pid")));
        b.append(String.format(Locale.ROOT, "read path   %s (requested %s)   donate %s   splice_write %s\n",
                mount.get("readPath"), mount.get("requestedReadPath"), onOff(mount.get("donate")),
                onOff(mount.get("spliceWrite"))));
        b.append(String.format(Locale.ROOT, "options     %s\n", mount.get("fuseOptions")));
        Map<String, Object> writes = map(stats.get("writes"));
        b.append(String.format(Locale.ROOT, "writes      %s requests, %s MiB\n", writes.get("requests"),
                mib(writes.get("bytes"))));
        b.append(String.format(Locale.ROOT, "gift        %s\n", flat(map(stats.get("gift")))));
        b.append(String.format(Locale.ROOT, "stable      %s\n", flat(map(stats.get("stableReplies")))));
        if (stats.get("freshPageFlush") != null) {
            b.append(String.format(Locale.ROOT, "lru flush   %s\n", flat(map(stats.get("freshPageFlush")))));
        }
        Map<String, Object> failures = map(stats.get("callbackFailures"));
        b.append(String.format(Locale.ROOT, "failures    %s\n", failures.isEmpty() ? "none" : flat(failures)));
        b.append('\n');
        b.append(String.format(Locale.ROOT, ROW, "READPATH", "REQUESTS", "MiB", "SPLICED", "COPIED", "ERRORS",
                "MOVED/SAMPLED", "COPY REASONS")).append('\n');
        map(stats.get("readPaths")).forEach((name, v) -> {
            Map<String, Object> p = map(v);
            Map<String, Object> donation = map(p.get("donation"));
            Map<String, Object> reasons = map(p.get("copyReasons"));
            String row = String.format(Locale.ROOT, ROW, name, p.get("requests"), mib(p.get("bytes")),
                    p.get("spliceReplies"), p.get("copyReplies"), p.get("errors"),
                    donation.get("movedPages") + "/" + donation.get("sampledPages"),
                    reasons.isEmpty() ? "" : flat(reasons));
            b.append(row.stripTrailing()).append('\n');
        });
        return b.toString();
    }

    private static String mib(Object bytes) {
        long n = bytes instanceof Number num ? num.longValue() : 0;
        return String.format(Locale.ROOT, "%.1f", n / (1024.0 * 1024.0));
    }

    private static String onOff(Object b) {
        return Boolean.TRUE.equals(b) ? "on" : "off";
    }

    /** "k: v, k: v" (copy reasons, gift probe, failures). */
    private static String flat(Map<String, Object> m) {
        List<String> parts = new ArrayList<>();
        m.forEach((k, v) -> parts.add(k + ": " + v));
        return parts.stream().collect(Collectors.joining(", "));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }
}
