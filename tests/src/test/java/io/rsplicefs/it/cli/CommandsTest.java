package io.rsplicefs.it.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rsplicefs.it.kernellog.GiftExperiment;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** --help and --version everywhere, and doctor's report. */
@Timeout(60)
class CommandsTest extends CliTestBase {
    private static final Pattern CHECK_LINE = Pattern.compile("^(OK|WARN|FAIL) +\\S.*\\S +\\S.*$");

    @Test
    void everyCommandHasHelpAndVersionOnStdout() throws Exception {
        for (String command : List.of("", "mount", "umount", "unmount", "stats", "doctor", "probe")) {
            String[] help = command.isEmpty() ? new String[] {"--help"} : new String[] {command, "--help"};
            Cli.Result h = cli.run(help).succeeds();
            assertTrue(h.out().startsWith("Usage: rsplicefs"), h::describe);
            assertEquals("", h.err(), h::describe);
            String[] version = command.isEmpty() ? new String[] {"--version"} : new String[] {command, "--version"};
            Cli.Result v = cli.run(version).succeeds();
            // the version, then one line each: the engine and the kernel's features (issue 19)
            List<String> lines = v.out().lines().toList();
            assertTrue(lines.get(0).matches("rsplicefs \\S+"), v::describe);
            assertEquals(List.of("engine", "kernel", "splice", "donation", "passthrough", "io_uring"),
                    lines.stream().skip(1).map(l -> l.split(" ")[0]).toList(), v::describe);
            assertTrue(lines.get(1).contains("jnr-fuse") && lines.get(1).contains("libfuse.so.2"), v::describe);
        }
    }

    /** doctor's gift check mounts with gift and splice_move: up to two page dumps in the kernel log. */
    @Test
    @GiftExperiment
    void doctorReportsOneCheckPerLineAndPassesHere() throws Exception {
        Cli.Result r = cli.run("doctor");
        List<String> lines = r.out().lines().toList();
        for (String line : lines) {
            assertTrue(CHECK_LINE.matcher(line).matches(), () -> "not a check line: '" + line + "'\n" + r.describe());
        }
        for (String name : List.of("/dev/fuse", "fusermount", "libfuse", "JNI helper", "pipe-max-size", "kernel",
                "passthrough", "io_uring", "splice replies", "rsplice+donate", "gift")) {
            assertTrue(lines.stream().anyMatch(l -> l.substring(4).trim().startsWith(name)),
                    () -> "no check '" + name + "'\n" + r.describe());
        }
        r.succeeds(); // this machine has what the default configuration needs
        assertTrue(lines.stream().noneMatch(l -> l.startsWith("FAIL")), r::describe);
        assertTrue(lines.stream().anyMatch(l -> l.contains("splice replies work")), r::describe);
    }
}
