package io.rsplicefs.fs.read;

import io.rsplicefs.fs.stats.ReadCounters;

/**
 * What the transport does with a reply handed over as an fd range or a
 * filled pipe, so that the counters say what really happens: libfuse 2.9
 * splices it only with splice_write and only from two pages up (smaller ones
 * it copies into memory); the direct engine splices every one.
 *
 * @param spliceWrite whether the transport splices replies at all
 * @param copiedBelow replies shorter than this are copied by the transport
 * @param reason      the reason counted for those
 */
public record SpliceSupport(boolean spliceWrite, long copiedBelow, String reason) {
    /** libfuse 2.9 (the jnr-fuse engine). */
    public static SpliceSupport libfuse(boolean spliceWrite) {
        return new SpliceSupport(spliceWrite, Reader.SPLICE_MIN, "under 2 pages (libfuse copies)");
    }

    /** A transport that splices every reply (the direct engine). */
    public static final SpliceSupport ALWAYS = new SpliceSupport(true, 0, "");

    /** Counts a reply of {@code n} bytes handed over as an fd or pipe. */
    void count(ReadCounters counters, long n) {
        if (!spliceWrite) {
            counters.copied(n, "splice_write off");
        } else if (n < copiedBelow) {
            counters.copied(n, reason);
        } else {
            counters.spliced(n);
        }
    }

    /** Whether a reply of {@code n} bytes reaches the kernel as pipe pages (and so could be moved). */
    boolean splices(long n) {
        return spliceWrite && n >= copiedBelow;
    }
}
