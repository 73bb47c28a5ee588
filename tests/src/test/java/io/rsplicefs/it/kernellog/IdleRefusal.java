package io.rsplicefs.it.kernellog;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one fuse page dump that donation (splice_move of backing page-cache
 * pages, not gift) was seen to cause: a page-cache page that DAMON (or idle
 * page tracking) had marked idle. PG_idle is not among the flags
 * fuse_check_folio accepts, so the kernel refuses the page, dumps it and
 * copies instead; the reply is still right. Recognised only by its exact
 * shape: not anonymous, no mapping, not mapped, and no flag outside those
 * fuse accepts except "idle", which must be there.
 */
final class IdleRefusal {
    /** The flags fuse_check_folio lets through (6.x), as %pGp names them. */
    static final Set<String> ACCEPTED_BY_FUSE = Set.of("locked", "referenced", "lru", "active", "workingset",
            "reclaim", "waiters");
    static final Pattern PAGE =
            Pattern.compile("^page: ?[0-9a-f]* ?refcount:\\d+ mapcount:(\\d+) mapping:([0-9a-f]+) ");
    static final Pattern FLAGS = Pattern.compile("^((anon |ksm )?)flags: 0x[0-9a-f]+\\(([^)]*)\\)");

    private IdleRefusal() {
    }

    /** Whether the dump lines (without their reason line) are exactly this case. */
    static boolean matches(List<KmsgRecord> dump) {
        int pages = 0;
        int flags = 0;
        for (KmsgRecord r : dump) {
            Matcher p = PAGE.matcher(r.text());
            if (p.find()) {
                if (!p.group(1).equals("0") || !p.group(2).matches("0+")) {
                    return false;
                }
                pages++;
            }
            Matcher f = FLAGS.matcher(r.text());
            if (f.find()) {
                if (!f.group(1).isEmpty() || !onlyIdleBeyondAccepted(f.group(3))) {
                    return false;
                }
                flags++;
            }
        }
        return pages > 0 && pages == flags;
    }

    private static boolean onlyIdleBeyondAccepted(String names) {
        List<String> set = Arrays.stream(names.split("\\|")).filter(n -> !n.contains("=")).toList();
        return set.contains("idle") && set.stream().allMatch(n -> n.equals("idle") || ACCEPTED_BY_FUSE.contains(n));
    }
}
