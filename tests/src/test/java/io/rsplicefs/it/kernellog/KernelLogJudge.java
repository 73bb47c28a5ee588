package io.rsplicefs.it.kernellog;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Decides which kernel log records the test suite may not cause.
 *
 * Not allowed anywhere: warnings, BUGs, oopses, hung-task and lockup
 * reports, and page dumps. Inside a declared gift window (a test marked
 * {@link GiftExperiment}) exactly one thing is allowed: the page dump that
 * fuse prints when it refuses a gifted page. On 6.18 that is five records,
 * "page: refcount:... pfn:...", "memcg:...", "anon flags: 0x...(...)",
 * "raw: ..." twice, closed by "page dumped because: fuse: trying to steal
 * weird page" (6.1 prints "page:ADDR refcount:..." and no memcg line).
 * Dump lines are held until their closing reason line (dumps of two CPUs
 * may interleave) and accepted only if that reason is fuse's and the window
 * is open; dump lines left without a reason when a window opens or closes
 * are findings. One more dump is allowed anywhere: a page-cache page that
 * fuse refused only because it was marked idle (IdleRefusal); those are
 * counted per test. Only the kernel's own records (facility 0) are judged,
 * and each finding names the test during which it was logged.
 */
final class KernelLogJudge implements KmsgReader.Sink {
    static final String GIFT_REASON = "page dumped because: fuse: trying to steal weird page";
    /** The body lines of mm/debug.c's dump_page. */
    static final Pattern DUMP_BODY = Pattern.compile("^(page: ?[0-9a-f]* ?refcount:\\d+ |head: |memcg:[0-9a-f]+$"
            + "|(anon |ksm )?flags: 0x[0-9a-f]+\\(|page_type: |raw: [0-9a-f]{16} |aops:)");
    static final Pattern OFFENDING = Pattern.compile("WARNING|\\bBUG\\b|Oops|cut here|Call Trace|general protection"
            + "|blocked for more than|soft lockup|hard LOCKUP|page dumped because|steal weird page");
    static final int MAX_FINDINGS = 200;

    private String window;
    private final List<KmsgRecord> pendingDump = new ArrayList<>();
    private final List<String> findings = new ArrayList<>();
    private int moreFindings;
    private final Map<String, Integer> giftDumps = new LinkedHashMap<>();
    private final Map<String, Long> lostInWindow = new LinkedHashMap<>();
    private final Map<String, Integer> idleRefusals = new LinkedHashMap<>();
    private String test;
    private long taintAtOpen;
    private long records;

    @Override
    public void record(KmsgRecord r) {
        records++;
        if (!r.fromKernel()) {
            return;
        }
        String t = r.text();
        if (DUMP_BODY.matcher(t).find()) {
            pendingDump.add(r);
        } else if (t.equals(GIFT_REASON) && window != null) {
            giftDumps.merge(window, 1, Integer::sum);
            pendingDump.clear();
        } else if (t.equals(GIFT_REASON) && IdleRefusal.matches(pendingDump)) {
            idleRefusals.merge(String.valueOf(test), 1, Integer::sum);
            pendingDump.clear();
        } else if (t.startsWith("page dumped because: ")) {
            flagPending("of a page dump");
            flag(r, "");
        } else if (OFFENDING.matcher(t).find()) {
            flag(r, "");
        }
    }

    /**
     * Records overwritten before they were read. Outside a window that is a
     * finding. Inside a gift window the dumps come faster than any reader is
     * sure to keep up with (a 128 KiB reply is 32 dumps, 192 records), so
     * the loss is counted and the kernel's taint mask decides when the
     * window closes: a warning, BUG, oops, bad page or lockup would have
     * changed it.
     */
    @Override
    public void lost(long from, long to) {
        if (window == null) {
            add((to - from + 1) + " records (seq " + from + ".." + to + ") were overwritten before they were read;"
                    + " they cannot be checked");
        } else {
            lostInWindow.merge(window, to - from + 1, Long::sum);
        }
    }

    void unreadable(String why) {
        add("the kernel log could not be read" + where() + ": " + why);
    }

    void enterWindow(String label, long taint) {
        flagPending("without its reason line");
        window = label;
        taintAtOpen = taint;
        giftDumps.putIfAbsent(label, 0);
    }

    void leaveWindow(long taint) {
        flagPending("without its reason line");
        long lost = lostInWindow.getOrDefault(window, 0L);
        if (lost > 0 && taint != taintAtOpen) {
            add(lost + " records were overwritten before they were read in gift window " + window + " and the kernel"
                    + " taint mask changed from " + taintAtOpen + " to " + taint + ": a warning, BUG or oops may be"
                    + " among them");
        }
        window = null;
    }

    /** The test running now (null between tests): findings name it. */
    void test(String name) {
        test = name;
    }

    /** Idle page-cache pages fuse refused (see IdleRefusal), per test. */
    Map<String, Integer> idleRefusals() {
        return idleRefusals;
    }

    /** Records lost inside each gift window (with the taint mask unchanged, or a finding says so). */
    Map<String, Long> lostInWindows() {
        return lostInWindow;
    }

    /** What was found so far (dump lines still waiting for their reason count as found). */
    List<String> findings() {
        List<String> all = new ArrayList<>(findings);
        for (KmsgRecord r : pendingDump) {
            all.add(r + "  (page dump line without its reason line)");
        }
        if (moreFindings > 0) {
            all.add("... and " + moreFindings + " more");
        }
        return all;
    }

    /** Accepted gift page dumps per declared window. */
    Map<String, Integer> giftDumps() {
        return giftDumps;
    }

    long records() {
        return records;
    }

    private void flagPending(String why) {
        for (KmsgRecord r : pendingDump) {
            flag(r, "  (page dump line " + why + ")");
        }
        pendingDump.clear();
    }

    private void flag(KmsgRecord r, String note) {
        add(r + note + where());
    }

    private String where() {
        return window != null ? "  [in gift window " + window + "]" : test != null ? "  [during " + test + "]" : "";
    }

    private void add(String finding) {
        if (findings.size() < MAX_FINDINGS) {
            findings.add(finding);
        } else {
            moreFindings++;
        }
    }
}
