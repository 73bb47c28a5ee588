package io.rsplicefs.it.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.rsplicefs.fs.read.ReadPath;
import io.rsplicefs.fs.stats.MountStats;
import io.rsplicefs.it.support.FioVerify;
import io.rsplicefs.it.support.TestMount;
import java.nio.file.Path;
import java.time.Duration;
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

    @ParameterizedTest
    @EnumSource(value = ReadPath.class, names = {"COPY", "FD", "RSPLICE", "AUTO", "PASSTHROUGH"})
    void fioVerifiesEveryBlockReadBack(ReadPath path) throws Exception {
        assumeTrue(FioVerify.installed(), "fio is not installed (apt-get install fio)");
        try (TestMount m = TestMount.of(dir, path, false, Duration.ofMinutes(2), null)) {
            long served = FioVerify.writeThenVerify(m.mountpoint(), "64m", "128k", () -> m.counters().bytes());
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
        }
    }
}
