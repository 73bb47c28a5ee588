package io.rsplicefs.it.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.rsplicefs.fs.read.ReadPath;
import io.rsplicefs.fs.stats.MountStats;
import io.rsplicefs.it.support.TestMount;
import io.rsplicefs.it.support.TimeScale;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * fio writes 64 MiB with crc32c verify headers through the mount, then a
 * second fio run (page cache invalidated, so every read reaches the daemon)
 * reads it back and verifies every block, for each read path.
 */
@Tag("fuse")
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class FioVerifyTest {
    @TempDir
    Path dir;

    static boolean fioInstalled() {
        try {
            return new ProcessBuilder("fio", "--version").start().waitFor() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    @ParameterizedTest
    @EnumSource(value = ReadPath.class, names = {"COPY", "FD", "RSPLICE", "AUTO", "PASSTHROUGH"})
    void fioVerifiesEveryBlockReadBack(ReadPath path) throws Exception {
        assumeTrue(fioInstalled(), "fio is not installed (apt-get install fio)");
        try (TestMount m = TestMount.of(dir, path, false, Duration.ofMinutes(2), null)) {
            List<String> common = List.of("--name=verify", "--directory=" + m.mountpoint(), "--filename=fio.dat",
                    "--size=64m", "--bs=128k", "--ioengine=psync", "--direct=0", "--verify=crc32c",
                    "--verify_fatal=1", "--verify_state_save=0", "--randrepeat=1", "--rw=randwrite");
            fio(common, "--do_verify=0");
            long before = m.counters().bytes();
            String out = fio(common, "--verify_only", "--invalidate=1");
            long served = m.counters().bytes() - before;
            MountStats.PassthroughStats pt = m.stats().passthrough();
            System.out.printf("fio verify %s: daemon served %d bytes for the verify pass; passthrough %s%n",
                    path.id(), served, pt);
            if (pt.status().equals("on")) {
                assertEquals(0, served, "passed through: the kernel read the backing file itself");
                assertTrue(pt.opens() >= 2, pt.toString());
            } else {
                assertTrue(served >= 64L << 20, "the verify reads reached the daemon: " + served);
            }
            assertEquals(0, m.counters().errors());
            assertTrue(!out.contains("verify: bad"), out);
        }
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
