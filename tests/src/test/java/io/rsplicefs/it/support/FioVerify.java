package io.rsplicefs.it.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * fio's data check through a mount: random writes of blocks that carry a
 * crc32c header, then a second run that only reads them back (its page cache
 * dropped first) and checks every block. Used by the tests that must show the
 * bytes survive a write path and a read path together.
 */
public final class FioVerify {
    private FioVerify() {
    }

    public static boolean installed() {
        try {
            return new ProcessBuilder("fio", "--version").start().waitFor() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    /**
     * Writes {@code size} (fio's notation, "64m") in blocks of {@code bs} as
     * fio.dat in {@code dir}, then verifies it; fails the test on a bad block
     * or a failed fio. Returns how much {@code served} (a byte counter of the
     * daemon) grew during the verify pass.
     */
    public static long writeThenVerify(Path dir, String size, String bs, LongSupplier served) throws Exception {
        List<String> common = List.of("--name=verify", "--directory=" + dir, "--filename=fio.dat",
                "--size=" + size, "--bs=" + bs, "--ioengine=psync", "--direct=0", "--verify=crc32c",
                "--verify_fatal=1", "--verify_state_save=0", "--randrepeat=1", "--rw=randwrite");
        fio(common, "--do_verify=0");
        long before = served.getAsLong();
        String out = fio(common, "--verify_only", "--invalidate=1");
        long grew = served.getAsLong() - before;
        assertFalse(out.contains("verify: bad"), out);
        return grew;
    }

    private static String fio(List<String> common, String... extra) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add("fio");
        cmd.addAll(common);
        cmd.addAll(List.of(extra));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(TimeScale.of(120), TimeUnit.SECONDS), "fio finished");
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + "\n" + out);
        return out;
    }
}
