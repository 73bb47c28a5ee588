package io.rsplicefs.it.kernellog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The judge's rules on records as this machine (6.18) logged them; no kernel involved. */
class KernelLogJudgeTest {
    static final String REASON = "page dumped because: fuse: trying to steal weird page";
    /** A refused gifted page: anonymous. */
    static final List<String> GIFT_DUMP = List.of(
            "page: refcount:1 mapcount:0 mapping:0000000000000000 index:0x7f41ac6a2 pfn:0x108c97",
            "memcg:ffff888104cb9180",
            "anon flags: 0x17fff800020025(locked|referenced|lru|swapbacked|node=0|zone=2|lastcpupid=0xffff)",
            "raw: 0017fff800020025 ffffea000449dfc8 ffffea0005637d08 ffff888102c1e271",
            "raw: 00000007f41ac6a2 0000000000000000 00000001ffffffff ffff888104cb9180", REASON);
    /** A donated page-cache page that DAMON had marked idle (seen during the quick suite). */
    static final List<String> IDLE_DUMP = List.of(
            "page: refcount:1 mapcount:0 mapping:0000000000000000 index:0x171b pfn:0x27ca82",
            "memcg:ffff88813da6abc0",
            "flags: 0x17fff800400025(locked|referenced|lru|idle|node=0|zone=2|lastcpupid=0xffff)",
            "raw: 0017fff800400025 ffffea0009f21ac8 ffffea0009f2a0c8 0000000000000000",
            "raw: 000000000000171b 0000000000000000 00000001ffffffff ffff88813da6abc0", REASON);

    private long seq;

    private void log(KernelLogJudge j, List<String> lines) {
        for (String l : lines) {
            j.record(new KmsgRecord(seq++, 0, 4, l));
        }
    }

    @Test
    void giftDumpsPassOnlyInsideAGiftWindow() {
        KernelLogJudge j = new KernelLogJudge();
        j.enterWindow("w", 0);
        log(j, GIFT_DUMP);
        log(j, GIFT_DUMP);
        j.leaveWindow(0);
        assertEquals(List.of(), j.findings());
        assertEquals(Map.of("w", 2), j.giftDumps());
        log(j, GIFT_DUMP);
        assertEquals(6, j.findings().size(), "outside a window every line of the dump is a finding");
    }

    @Test
    void idlePageCachePagesPassAnywhereButDirtyOrMappedOnesDoNot() {
        KernelLogJudge j = new KernelLogJudge();
        j.test("T");
        log(j, IDLE_DUMP);
        assertEquals(List.of(), j.findings());
        assertEquals(Map.of("T", 1), j.idleRefusals());
        log(j, IDLE_DUMP.stream().map(l -> l.replace("|idle|", "|dirty|idle|")).toList());
        log(j, IDLE_DUMP.stream().map(l -> l.replace("mapcount:0", "mapcount:1")).toList());
        log(j, IDLE_DUMP.stream().map(l -> l.replace("|idle|", "|")).toList());
        assertEquals(18, j.findings().size(), String.join("\n", j.findings()));
    }

    @Test
    void warningsInsideAGiftWindowAreStillFindings() {
        KernelLogJudge j = new KernelLogJudge();
        j.enterWindow("w", 0);
        log(j, List.of("------------[ cut here ]------------", "WARNING: CPU: 1 PID: 42 at fs/fuse/dev.c:1 x"));
        j.leaveWindow(512);
        assertEquals(2, j.findings().size());
        assertTrue(j.findings().get(1).contains("[in gift window w]"), j.findings().get(1));
    }

    @Test
    void lostRecordsAreFindingsUnlessInAWindowWithTheTaintUnchanged() {
        KernelLogJudge j = new KernelLogJudge();
        j.enterWindow("w", 0);
        j.lost(10, 19);
        j.leaveWindow(0);
        assertEquals(List.of(), j.findings());
        assertEquals(Map.of("w", 10L), j.lostInWindows());
        j.enterWindow("v", 0);
        j.lost(30, 39);
        j.leaveWindow(512);
        j.lost(50, 50);
        assertEquals(2, j.findings().size(), String.join("\n", j.findings()));
    }

    @Test
    void userSpaceRecordsAndOrdinaryKernelMessagesAreIgnored() {
        KernelLogJudge j = new KernelLogJudge();
        j.record(new KmsgRecord(1, 1, 4, "WARNING: written by a program to /dev/kmsg"));
        j.record(new KmsgRecord(2, 0, 6, "EXT4-fs (vdb): mounted filesystem"));
        assertEquals(List.of(), j.findings());
        assertEquals(KmsgRecord.parse("4,70315,12731128394,-;" + REASON + "\n SUBSYSTEM=x\n"),
                new KmsgRecord(70315, 0, 4, REASON));
    }
}
