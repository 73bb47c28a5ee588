package io.rsplicefs.it.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.jr.ob.JSON;
import io.rsplicefs.it.kernellog.GiftExperiment;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * rsplicefs probe through the shaded jar. What a kernel does with donated or gifted pages differs between
 * kernels (that is what the probe is for), so those verdicts are checked against the figures behind them;
 * what the filesystem itself decides (copy copies, fd/rsplice/auto hand libfuse a pipe or fd) is exact.
 */
@Tag("fuse")
@Timeout(120)
class ProbeCommandTest extends CliTestBase {
    static final List<String> SETUPS = List.of("copy", "fd", "fd+donate", "rsplice", "rsplice+donate", "auto",
            "auto+donate", "passthrough", "uring-zc", "gift");

    /** The gift setup mounts with gift and splice_move: up to two page dumps in the kernel log. */
    @Test
    @GiftExperiment
    @SuppressWarnings("unchecked")
    void measuresEverySetupWithVerdictsTheFiguresBackUp() throws Exception {
        Cli.Result r = cli.run("probe", "--json", "--dir", dir("probe").toString(), "--size", "2").succeeds();
        Map<String, Object> json = JSON.std.mapFrom(r.out());
        assertEquals(2L << 20, ((Number) json.get("fileBytes")).longValue(), r::describe);
        // What the kernel offers beyond splice, said by probe as by --version.
        for (String k : List.of("passthrough", "ioUring")) {
            assertTrue(json.get(k) instanceof String v && !v.isBlank(), () -> k + ": " + r.describe());
        }
        List<Map<String, Object>> setups = (List<Map<String, Object>>) json.get("setups");
        assertEquals(SETUPS, setups.stream().map(s -> s.get("setup")).toList(), r::describe);
        for (Map<String, Object> s : setups) {
            String name = (String) s.get("setup");
            String verdict = (String) s.get("verdict");
            assertEquals(true, s.get("dataOk"), () -> name + ": " + s);
            long pages = number(s, "pages");
            long spliced = number(s, "splicedReplies");
            long copied = number(s, "copiedReplies");
            boolean passthroughOn = s.get("passthrough").equals("on");
            if (name.equals("uring-zc")) {
                // The kernel's zero copy where it is granted (FUSE 7.46, root, enable_uring Y: the 7.3 guest),
                // else served as auto serves without passthrough, with the reason.
                boolean on = s.get("zeroCopy").equals("on") && number(s, "zeroCopiedReads") > 0;
                assertEquals(on ? "zero-copied" : "spliced", verdict, s::toString);
                assertEquals("off", s.get("passthrough"), s::toString);
                if (on) {
                    assertEquals(number(s, "readRequests"), number(s, "zeroCopiedReads"), s::toString);
                    assertEquals(0, spliced + copied, () -> "the daemon copied or spliced: " + s);
                } else {
                    assertTrue(((String) s.get("zeroCopy")).startsWith("unavailable: "), s::toString);
                    assertTrue(((String) s.get("detail")).contains("uring-zc unavailable: "), s::toString);
                    assertEquals(0, copied, s::toString);
                }
                continue;
            }
            if (name.startsWith("auto") || name.equals("passthrough")) {
                // These pass whole files through where the kernel and the daemon can; the kernel then reads alone.
                assertEquals(passthroughOn ? "passed-through" : name.equals("passthrough") ? "spliced" : verdict,
                        verdict, s::toString);
                assertEquals(passthroughOn ? 1 : 0, number(s, "passedThroughOpens"), s::toString);
                if (passthroughOn) {
                    assertEquals(0, spliced + copied, () -> "the daemon answered reads: " + s);
                    continue;
                }
                assertTrue(name.startsWith("auto") || ((String) s.get("passthrough")).startsWith("unavailable: "),
                        s::toString);
            } else {
                assertEquals("off", s.get("passthrough"), s::toString);
            }
            assertTrue(spliced + copied > 0, () -> name + " answered no read: " + s);
            switch (name) {
                case "copy" -> {
                    assertEquals("copied", verdict, s::toString);
                    assertEquals(0, spliced, s::toString);
                    assertEquals(Set.of("copy path"), ((Map<String, Object>) s.get("copyReasons")).keySet());
                }
                case "fd", "rsplice", "auto", "passthrough" -> {
                    assertEquals("spliced", verdict, s::toString);
                    assertEquals(0, copied, s::toString);
                }
                case "gift" -> {
                    Map<String, Object> gift = (Map<String, Object>) s.get("gift");
                    boolean refused = number(gift, "pagesMoved") < number(gift, "pagesGifted");
                    assertEquals(refused, verdict.equals("refused"), s::toString);
                    assertEquals(refused ? "rsplice" : "gift", s.get("servedBy"), s::toString);
                }
                default -> { // donation: moved only when the counters and mincore both say so
                    long moved = number(s, "movedPages");
                    long left = number(s, "pagesLeftBackingCache");
                    String expected = moved > 0 && left > 0 ? (left >= 0.9 * pages ? "moved" : "partly-moved")
                            : "spliced";
                    assertEquals(expected, verdict, s::toString);
                    assertTrue(moved <= number(s, "sampledPages"), s::toString);
                }
            }
        }
    }

    @Test
    void badInputIsRefusedWithAMessage() throws Exception {
        cli.run("probe", "--size", "0").usageError("--size");
        cli.run("probe", "--dir", base.resolve("missing").toString()).failsWith("is not a directory");
        cli.run("probe", "--bogus").usageError("--bogus");
    }

    private static long number(Map<String, Object> m, String key) {
        return ((Number) m.get(key)).longValue();
    }
}
