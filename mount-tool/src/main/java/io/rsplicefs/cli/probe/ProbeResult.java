package io.rsplicefs.cli.probe;

import io.rsplicefs.fs.read.ReadPath;
import io.rsplicefs.fs.stats.MountStats;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What one probe mount measured. Replies are counted by the filesystem ({@code spliced}: handed to libfuse as
 * a pipe or fd to splice into /dev/fuse; {@code copied}: bytes copied, with the reasons); {@code moved} of
 * {@code sampled} pages are the donation counters (every reply sampled); {@code left} is how many of the
 * backing file's {@code pages} had left its page cache after the read (mincore), the independent check that
 * pages were moved rather than copied.
 *
 * @param error why the setup could not be measured (the mount failed, the read failed), else null
 * @param served the read path that answered: a refused gift falls back to rsplice
 * @param gift the mount's gift measurement (not run unless the setup is gift)
 * @param passedThrough opens the kernel served itself (FUSE passthrough: no READ reached the daemon)
 * @param passthrough the mount's passthrough status: "off", "on" or "unavailable: why"
 * @param zeroCopied READs the kernel handed over as the reader's pages, filled by read-fixed (uring-zc)
 * @param reads READ requests that reached the daemon (direct engine; 0 for jnr-fuse)
 * @param zeroCopy the mount's uring-zc status: "off", "on" or "unavailable: why"
 */
public record ProbeResult(ProbeSetup setup, String error, boolean dataOk, ReadPath served, long pages, long spliced,
                          long copied, Map<String, Long> copyReasons, long sampled, long moved, long left,
                          MountStats.GiftStats gift, long passedThrough, String passthrough, long zeroCopied,
                          long reads, String zeroCopy) {
    /** At least this share of the backing pages must have left its cache to call a setup "moved". */
    static final double MOVED = 0.9;

    static ProbeResult failed(ProbeSetup setup, String error) {
        return new ProbeResult(setup, error, false, setup.path(), 0, 0, 0, Map.of(), 0, 0, 0,
                MountStats.GiftStats.NOT_RUN, 0, "off", 0, 0, "off");
    }

    /** Set-ups that cannot be measured or read wrong data make the probe fail; a copying kernel does not. */
    public boolean ok() {
        return error == null && dataOk;
    }

    /**
     * One word: passed-through (the kernel read the backing file itself), zero-copied (READs filled in the
     * reader's pages by io_uring read-fixed: uring-zc on FUSE 7.46), moved (donated pages left the
     * backing cache, at least 90% of them), partly-moved, spliced, copied, refused (gift: the kernel copies gifted pages, so gift fell back to {@link #served}), failed,
     * wrong-data.
     */
    public String verdict() {
        if (error != null) {
            return "failed";
        }
        if (!dataOk) {
            return "wrong-data";
        }
        if (setup.path() == ReadPath.GIFT && served != ReadPath.GIFT) {
            return "refused";
        }
        if (passedThrough > 0 && spliced + copied == 0) {
            return "passed-through";
        }
        if (zeroCopied > 0) {
            return "zero-copied";
        }
        if (setup.donate() && moved > 0 && left > 0) {
            return left >= MOVED * pages ? "moved" : "partly-moved";
        }
        return spliced > 0 ? "spliced" : "copied";
    }

    /** The verdict and its one figure, two words: "moved 100%", "spliced 32/32", "refused 0/2", "failed -". */
    public String cell() {
        long replies = spliced + copied;
        return verdict() + " " + switch (verdict()) {
            case "moved", "partly-moved" -> percent(left, pages);
            case "spliced" -> spliced + "/" + replies;
            case "copied" -> copied + "/" + replies;
            case "refused" -> gift.pagesMoved() + "/" + gift.pagesGifted();
            case "passed-through" -> "0/0";
            case "zero-copied" -> zeroCopied + "/" + reads;
            default -> "-";
        };
    }

    /** Everything measured, in words. */
    public String detail() {
        if (error != null) {
            return error;
        }
        StringBuilder b = new StringBuilder();
        if (!dataOk) {
            b.append("THE DATA READ BACK DIFFERS FROM THE FILE; ");
        }
        if (setup.path() == ReadPath.GIFT) {
            b.append("gift's mount-time check: ").append(gift.pagesMoved()).append(" of ")
                    .append(gift.pagesGifted()).append(" gifted pages moved; ")
                    .append(served.id()).append(" served the reads: ");
        }
        if (passedThrough > 0) {
            b.append(passedThrough).append(" open(s) passed through to the kernel (FUSE passthrough), ");
        } else if (passthrough.startsWith("unavailable")) {
            b.append("passthrough ").append(passthrough).append("; ");
        }
        if (zeroCopied > 0) {
            b.append(zeroCopied).append(" of ").append(reads)
                    .append(" READs zero-copied (read-fixed into the reader's pages), ");
        } else if (zeroCopy.startsWith("unavailable")) {
            b.append("uring-zc ").append(zeroCopy).append("; ");
        }
        b.append(spliced).append(" of ").append(spliced + copied).append(" replies spliced");
        if (copied > 0) {
            b.append(", ").append(copied).append(" copied ").append(copyReasons);
        }
        if (setup.donate()) {
            b.append("; ").append(moved).append(" of ").append(sampled).append(" sampled pages moved; ")
                    .append(left).append(" of ").append(pages)
                    .append(" backing pages left the backing file's cache (mincore)");
        }
        return b.toString();
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("setup", setup.name());
        m.put("readPath", setup.path().id());
        m.put("donate", setup.donate());
        m.put("verdict", verdict());
        m.put("detail", detail());
        if (error != null) {
            m.put("error", error);
            return m;
        }
        m.put("dataOk", dataOk);
        m.put("servedBy", served.id());
        m.put("pages", pages);
        m.put("splicedReplies", spliced);
        m.put("copiedReplies", copied);
        m.put("copyReasons", copyReasons);
        m.put("sampledPages", sampled);
        m.put("movedPages", moved);
        m.put("pagesLeftBackingCache", left);
        m.put("passedThroughOpens", passedThrough);
        m.put("passthrough", passthrough);
        m.put("zeroCopy", zeroCopy);
        m.put("zeroCopiedReads", zeroCopied);
        m.put("readRequests", reads);
        if (setup.path() == ReadPath.GIFT) {
            Map<String, Object> g = new LinkedHashMap<>();
            g.put("pagesGifted", gift.pagesGifted());
            g.put("pagesMoved", gift.pagesMoved());
            g.put("kernelMovesGiftedPages", gift.kernelMovesGiftedPages());
            g.put("active", gift.active());
            if (gift.error() != null) {
                g.put("error", gift.error());
            }
            m.put("gift", g);
        }
        return m;
    }

    private static String percent(long part, long whole) {
        return whole == 0 ? "-" : String.format(Locale.ROOT, "%.0f%%", 100.0 * part / whole);
    }
}
