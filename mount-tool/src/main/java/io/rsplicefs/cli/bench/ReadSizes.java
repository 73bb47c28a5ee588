package io.rsplicefs.cli.bench;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The READ request sizes the kernel sent, as the direct engine counts them
 * (MountStats.EngineStats.readSizes: buckets "<=128KiB" ... "<=1024KiB",
 * ">1024KiB", powers of two, each holding the sizes above the bucket before
 * it). The jnr-fuse engine keeps no such counts: libfuse 2.9 caps a READ at
 * 128 KiB (max_read), which the report states instead, and the fuse
 * tracepoints measure the mean where they can.
 */
final class ReadSizes {
    /** What the report says for a jnr-fuse target: libfuse 2.9's cap, not a measurement. */
    static final String LIBFUSE_CAP = "≤128 KiB (libfuse 2.9)";

    private ReadSizes() {
    }

    /**
     * The bucket of a size, named as the direct engine names them (EngineCounters): "<=1KiB", "<=2KiB", ...
     * "<=1024KiB", ">1024KiB".
     */
    static String bucket(long bytes) {
        long limit = 1;
        while (limit < 1024 && bytes > limit * 1024) {
            limit <<= 1;
        }
        return bytes > limit * 1024 ? ">1024KiB" : "<=" + limit + "KiB";
    }

    /** The counts added between {@code before} and {@code after}; buckets that did not grow are left out. */
    static Map<String, Long> minus(Map<String, Long> after, Map<String, Long> before) {
        Map<String, Long> d = new TreeMap<>(ReadSizes::byKib);
        after.forEach((k, n) -> {
            long v = n - before.getOrDefault(k, 0L);
            if (v > 0) {
                d.put(k, v);
            }
        });
        return d;
    }

    /** The counts of several histograms together. */
    static Map<String, Long> sum(Collection<Map<String, Long>> all) {
        Map<String, Long> s = new TreeMap<>(ReadSizes::byKib);
        for (Map<String, Long> m : all) {
            m.forEach((k, n) -> s.merge(k, n, Long::sum));
        }
        return s;
    }

    /** The same in size order with readable names, for JSON. */
    static Map<String, Long> readable(Map<String, Long> m) {
        Map<String, Long> sorted = new TreeMap<>(ReadSizes::byKib);
        sorted.putAll(m);
        Map<String, Long> out = new LinkedHashMap<>();
        sorted.forEach((k, n) -> out.put(label(k), n));
        return out;
    }

    /**
     * The most common bucket and its share, e.g. "≤1 MiB (97 %)"; the larger
     * bucket on a tie (the size a sequential reader reaches); null for none.
     */
    static String modal(Map<String, Long> m) {
        long total = m.values().stream().mapToLong(Long::longValue).sum();
        if (total == 0) {
            return null;
        }
        String best = null;
        long bestN = -1;
        for (String k : List.copyOf(m.keySet())) {
            long n = m.get(k);
            if (n > bestN || (n == bestN && byKib(k, best) > 0)) {
                best = k;
                bestN = n;
            }
        }
        return label(best) + String.format(Locale.ROOT, " (%.0f %%)", 100.0 * bestN / total);
    }

    /** "<=1024KiB" -> "≤1 MiB", "<=128KiB" -> "≤128 KiB", ">1024KiB" -> ">1 MiB"; anything else as it is. */
    static String label(String bucket) {
        long kib = kib(bucket);
        if (kib < 0) {
            return bucket;
        }
        String size = kib >= 1024 && kib % 1024 == 0 ? kib / 1024 + " MiB" : kib + " KiB";
        return (bucket.startsWith(">") ? ">" : "≤") + size;
    }

    /** The KiB of a bucket name, or -1 when it is not one. */
    private static long kib(String bucket) {
        String s = bucket.startsWith("<=") ? bucket.substring(2) : bucket.startsWith(">") ? bucket.substring(1) : "";
        if (!s.endsWith("KiB")) {
            return -1;
        }
        try {
            return Long.parseLong(s.substring(0, s.length() - 3));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Size order: "<=N" before ">N" for the same N; unknown names last, by name. */
    private static int byKib(String a, String b) {
        long ka = kib(a);
        long kb = kib(b);
        if (ka < 0 || kb < 0) {
            return ka < 0 && kb < 0 ? a.compareTo(b) : ka < 0 ? 1 : -1;
        }
        int c = Long.compare(ka, kb);
        if (c != 0) {
            return c;
        }
        return Boolean.compare(a.startsWith(">"), b.startsWith(">"));
    }
}
