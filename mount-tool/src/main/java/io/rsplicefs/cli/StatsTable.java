package io.rsplicefs.cli;

import io.rsplicefs.fs.stats.MountStats;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Renders a mount's counters for people: mount lines, the engine's lines when it keeps counters (direct),
 * then one row per read path.
 */
final class StatsTable {
    private static final String ROW = "%-11s %10s %10s %9s %9s %7s %14s  %s";

    private StatsTable() {
    }

    static String render(MountStats stats) {
        StringBuilder b = new StringBuilder();
        MountStats.MountInfo mount = stats.mount();
        b.append(String.format(Locale.ROOT, "mount       %s  (source %s, daemon pid %d)\n",
                mount.mountpoint(), mount.source(), mount.pid()));
        b.append(String.format(Locale.ROOT, "read path   %s (requested %s)   donate %s   splice_write %s\n",
                mount.readPath(), mount.requestedReadPath(), onOff(mount.donate()), onOff(mount.spliceWrite())));
        b.append(String.format(Locale.ROOT, "engine      %s   store %s\n", mount.engine(), mount.store()));
        b.append(String.format(Locale.ROOT, "options     %s\n", mount.fuseOptions()));
        MountStats.WriteStats w = stats.writes();
        b.append(String.format(Locale.ROOT, "writes      %d requests, %s MiB, write path %s: spliced %d, copied %d%s,"
                + "%s errors %d\n", w.requests(), mib(w.bytes()), mount.writePath(), w.splicedRequests(),
                w.copiedRequests(), w.copyReasons().isEmpty() ? "" : " (" + flat(w.copyReasons()) + ")",
                w.zeroCopiedRequests() > 0 ? " zero-copied " + w.zeroCopiedRequests() + "," : "", w.errors()));
        b.append(String.format(Locale.ROOT, "gift        %s\n", gift(stats.gift())));
        MountStats.StableRepliesStats st = stats.stableReplies();
        b.append(String.format(Locale.ROOT, "stable      %s\n", st.enabled()
                ? "on, writes held " + st.writesHeld() + ", waited " + st.waitMicros() + " us, timeouts "
                        + st.timeouts() + ", reads held now " + st.heldReads()
                : "off"));
        MountStats.FreshPageFlushStats f = stats.freshPageFlush();
        if (f != null) {
            b.append(String.format(Locale.ROOT, "lru flush   flushes %d, warm replies %d, failures %d, cachestat %s,"
                    + " scratch page %s\n", f.flushes(), f.warmReplies(), f.failures(), f.cachestat(), f.scratchPage()));
        }
        MountStats.PassthroughStats pt = stats.passthrough();
        if (pt != null && !pt.status().equals("off")) {
            b.append(String.format(Locale.ROOT, "passthrough %s: %d opens passed through, %d served by the daemon%s,"
                    + " %d backing files registered now\n", pt.status(), pt.opens(), pt.fallbacks(),
                    pt.fallbackReasons().isEmpty() ? "" : " (" + flat(pt.fallbackReasons()) + ")", pt.backingFiles()));
        }
        MountStats.ZeroCopyStats zc = stats.zeroCopy();
        if (zc != null && !zc.status().equals("off")) {
            b.append(String.format(Locale.ROOT, "uring-zc    %s: %d opens zero-copied, %d READs and %d WRITEs"
                    + " zero-copied, %d opens served by the daemon%s\n", zc.status(), zc.opens(), zc.zeroCopied(),
                    zc.zeroCopiedWrites(), zc.fallbacks(),
                    zc.fallbackReasons().isEmpty() ? "" : " (" + flat(zc.fallbackReasons()) + ")"));
        }
        b.append(String.format(Locale.ROOT, "failures    %s\n",
                stats.callbackFailures().isEmpty() ? "none" : flat(stats.callbackFailures())));
        if (stats.engine() != null) {
            b.append(EngineLines.render(stats.engine()));
        }
        b.append('\n');
        b.append(String.format(Locale.ROOT, ROW, "READPATH", "REQUESTS", "MiB", "SPLICED", "COPIED", "ERRORS",
                "MOVED/SAMPLED", "COPY REASONS")).append('\n');
        stats.readPaths().forEach((name, p) -> {
            String row = String.format(Locale.ROOT, ROW, name, p.requests(), mib(p.bytes()), p.spliceReplies(),
                    p.copyReplies(), p.errors(), p.donation().movedPages() + "/" + p.donation().sampledPages(),
                    flat(p.copyReasons()));
            b.append(row.stripTrailing()).append('\n');
        });
        return b.toString();
    }

    private static String gift(MountStats.GiftStats g) {
        if (g.probe().equals("not run")) {
            return "probe not run";
        }
        String s = "probe " + g.probe() + ", active " + onOff(g.active()) + (g.forced() ? " (forced)" : "");
        if (g.pagesMoved() >= 0) {
            s += ", " + g.pagesMoved() + " of " + g.pagesGifted() + " gifted pages moved";
        }
        return g.error() == null ? s : s + ", " + g.error();
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f", bytes / (1024.0 * 1024.0));
    }

    private static String onOff(boolean b) {
        return b ? "on" : "off";
    }

    /** "k: v, k: v" (copy reasons, failures). */
    private static String flat(Map<String, Long> m) {
        List<String> parts = new ArrayList<>();
        m.forEach((k, v) -> parts.add(k + ": " + v));
        return String.join(", ", parts);
    }
}
