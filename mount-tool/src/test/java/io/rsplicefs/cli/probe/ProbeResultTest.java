package io.rsplicefs.cli.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rsplicefs.fs.read.ReadPath;
import io.rsplicefs.fs.stats.MountStats;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The uring-zc setup's verdict: zero-copied N/M from the counters, else what served and the reason. */
class ProbeResultTest {
    private static final ProbeSetup ZC = new ProbeSetup("uring-zc", ReadPath.URING_ZC, false);

    private static ProbeResult zc(long spliced, long zeroCopied, long reads, String status) {
        return new ProbeResult(ZC, null, true, ReadPath.URING_ZC, 1024, spliced, 0, Map.of(), 0, 0, 0,
                MountStats.GiftStats.NOT_RUN, 0, "off", zeroCopied, reads, status);
    }

    @Test
    void readsFilledInTheReadersPagesAreZeroCopied() {
        ProbeResult r = zc(0, 8, 8, "on");
        assertEquals("zero-copied 8/8", r.cell());
        assertTrue(r.detail().startsWith("8 of 8 READs zero-copied"), r.detail());
        assertEquals(8L, r.toMap().get("zeroCopiedReads"));
    }

    @Test
    void withoutZeroCopyTheVerdictIsWhatServedAndTheDetailSaysWhy() {
        ProbeResult r = zc(35, 0, 35, "unavailable: kernel offers no io_uring zero-copy (needs FUSE 7.46, Linux 7.3)");
        assertEquals("spliced 35/35", r.cell());
        assertTrue(r.detail().startsWith("uring-zc unavailable: kernel offers no io_uring zero-copy"), r.detail());
    }
}
