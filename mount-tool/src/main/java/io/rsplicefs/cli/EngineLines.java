package io.rsplicefs.cli;

import io.rsplicefs.fs.stats.MountStats;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The stats table's engine section, for an engine that keeps counters (direct; jnr-fuse's libfuse keeps its
 * own to itself): what it agreed with the kernel, the requests it saw, the READ sizes the kernel asked for,
 * the requests it refused and the nodes the kernel holds. Short enough for a terminal.
 */
final class EngineLines {
    /** Opcodes shown by name; the rest are summed as "other". */
    static final int TOP_OPCODES = 6;

    private EngineLines() {
    }

    static String render(MountStats.EngineStats e) {
        StringBuilder b = new StringBuilder();
        line(b, "protocol", e.protocol() + " over " + e.transport() + ", " + e.threads() + " thread"
                + (e.threads() == 1 ? "" : "s") + ", max request " + size(e.maxRequestBytes()) + ", max readahead "
                + size(e.maxReadahead()));
        MountStats.RingStats r = e.ring();
        if (r != null && !"dev".equals(r.asked())) {
            line(b, "transport", r.asked() + " asked, " + r.used() + " used"
                    + ("uring".equals(r.used()) ? ": " + r.queues() + " queues of " + r.depth() + " entries, "
                    + r.requests() + " requests over the ring" : "") + (r.why().isEmpty() ? "" : " (" + r.why() + ")"));
        }
        line(b, "init flags", e.accepted() == null || e.accepted().isEmpty() ? "none"
                : String.join(" ", e.accepted()));
        long total = e.requests() == null ? 0 : e.requests().values().stream().mapToLong(Long::longValue).sum();
        line(b, "requests", total + (total == 0 ? "" : ": " + top(e.requests(), TOP_OPCODES)));
        line(b, "read sizes", sizes(e.readSizes()));
        if (e.writeSizes() != null && !e.writeSizes().isEmpty()) {
            line(b, "write sizes", sizes(e.writeSizes()));
        }
        line(b, "refused", "unknown opcodes " + e.unknownOpcodes() + ", malformed " + e.malformedRequests()
                + ", reply failures " + e.replyFailures() + ", interrupts " + e.interrupts());
        if (e.opens() != null && !e.opens().equals("asked")) {
            line(b, "opens", e.opens() + ": " + e.unopenedRequests() + " requests on files the kernel opened itself");
        }
        if (e.storeAhead() != null && !e.storeAhead().equals("off")) {
            line(b, "store-ahead", e.storeAhead());
        }
        line(b, "nodes", e.nodes() + " held by the kernel, " + e.outstandingLookups() + " lookups outstanding ("
                + e.lookups() + " lookups, " + e.forgets() + " forgets)");
        return b.toString();
    }

    private static void line(StringBuilder b, String name, String text) {
        b.append(String.format(Locale.ROOT, "%-11s %s\n", name, text));
    }

    /** The {@code n} commonest opcodes, most first, then the rest as "other": "READ 4096, LOOKUP 12, other 3". */
    static String top(Map<String, Long> requests, int n) {
        List<Map.Entry<String, Long>> es = new ArrayList<>(requests.entrySet());
        es.sort(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()).thenComparing(Map.Entry.comparingByKey()));
        List<String> parts = new ArrayList<>();
        long other = 0;
        for (int i = 0; i < es.size(); i++) {
            if (i < n) {
                parts.add(es.get(i).getKey() + " " + es.get(i).getValue());
            } else {
                other += es.get(i).getValue();
            }
        }
        if (other > 0) {
            parts.add("other " + other);
        }
        return String.join(", ", parts);
    }

    /** "≤128 KiB: 12, ≤1 MiB: 4090" in the engine's (size) order; "none" when empty. */
    private static String sizes(Map<String, Long> m) {
        if (m == null || m.isEmpty()) {
            return "none";
        }
        List<String> parts = new ArrayList<>();
        m.forEach((k, v) -> parts.add(bucket(k) + ": " + v));
        return String.join(", ", parts);
    }

    /** "<=1024KiB" as "≤1 MiB"; a name it does not know as it is. */
    static String bucket(String k) {
        String digits = k.replaceAll("[^0-9]", "");
        if (digits.isEmpty() || !k.endsWith("KiB")) {
            return k;
        }
        long kib = Long.parseLong(digits);
        String size = kib >= 1024 && kib % 1024 == 0 ? kib / 1024 + " MiB" : kib + " KiB";
        return (k.startsWith(">") ? ">" : k.startsWith("<=") ? "≤" : "") + size;
    }

    /** Bytes as MiB or KiB when exact, else bytes. */
    static String size(long bytes) {
        if (bytes > 0 && bytes % (1 << 20) == 0) {
            return bytes / (1 << 20) + " MiB";
        }
        if (bytes > 0 && bytes % 1024 == 0) {
            return bytes / 1024 + " KiB";
        }
        return bytes + " bytes";
    }
}
