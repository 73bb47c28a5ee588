package io.rsplicefs.it.kernellog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Runs after every other test class of the run and fails it if the run
 * added a warning, BUG, oops, hung-task report or page dump to the kernel
 * log, other than the gift page dumps of declared {@link GiftExperiment}s
 * (see KernelLogJudge for the exact rules). Shares the machine's log: a
 * gift experiment run by another process meanwhile is a finding too.
 */
@RunsLast
@Tag("kernel")
class KernelLogTest {

    @Test
    void theRunAddedNoWarningsOopsesOrPageDumpsToTheKernelLog() throws Exception {
        KernelLogWatch w = KernelLogWatch.running();
        if (w == null) {
            assumeTrue(Files.isReadable(Path.of("/dev/kmsg")), "cannot read /dev/kmsg (root needed)");
        }
        assertNotNull(w, "the kernel log was not watched: " + KernelLogWatch.unavailable());
        List<String> findings = w.findings();
        System.out.println(summary(w));
        assertEquals(0, findings.size(), () -> "the kernel log since the run started has:\n  "
                + String.join("\n  ", findings));
    }

    static String summary(KernelLogWatch w) {
        StringBuilder b = new StringBuilder("kernel log: ").append(w.records())
                .append(" records since the run started");
        Map<String, Long> lost = w.lostInWindows();
        w.giftDumps().forEach((window, dumps) -> b.append("\n  gift window ").append(window).append(": ").append(dumps)
                .append(" page dumps").append(lost.containsKey(window) ? " read, " + lost.get(window)
                        + " records overwritten before they were read" : ""));
        w.idleRefusals().forEach((test, dumps) -> b.append("\n  idle page-cache pages refused by fuse (donation on"
                + " pages DAMON marked idle) during ").append(test).append(": ").append(dumps));
        List<String> findings = w.findings();
        b.append("\n  findings: ").append(findings.size());
        findings.forEach(f -> b.append("\n    ").append(f));
        return b.toString();
    }
}
