package io.rsplicefs.it.direct;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.rsplicefs.fs.Engine;
import io.rsplicefs.fs.Transport;
import io.rsplicefs.fs.read.ReadPath;
import io.rsplicefs.fs.stats.MountStats;
import io.rsplicefs.it.support.EnableUring;
import io.rsplicefs.it.support.TestData;
import io.rsplicefs.it.support.TestMount;
import io.rsplicefs.it.support.UnalignedTar;
import io.rsplicefs.it.support.Uncached;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * auto on the direct engine's io_uring transport takes uring-zc where the
 * kernel grants it (FUSE 7.46, root: the 7.3 guest) and passthrough cannot
 * go: a stored archive member (a byte range of the archive) is read through
 * the reader's pages, every READ zero-copied. Directory files are still passed
 * through first. Where the kernel grants no zero copy (6.18 on the host)
 * nothing changes: the status says why once, no open is counted, the bytes are
 * served as auto served them before. Skipped without FUSE over io_uring (6.1).
 */
@Tag("fuse")
@Tag("kernel")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class UringZeroCopyAutoTest {
    static final String NO_KERNEL = "kernel offers no io_uring zero-copy (needs FUSE 7.46, Linux 7.3)";
    static final int[] SIZES = {1, 4097, (1 << 20) + 3};

    @TempDir
    Path dir;

    private static boolean granted(TestMount m) throws Exception {
        return m.stats().engine().kernelOffered().contains("HAS_IO_URING_BUFPOOL")
                && "root".equals(System.getProperty("user.name"));
    }

    @Test
    void storedArchiveMembersAreZeroCopiedUnderAutoOnTheRing() throws Exception {
        assumeTrue(EnableUring.settable(), "no FUSE over io_uring here (Linux 6.14+) or enable_uring not settable");
        List<byte[]> data = UnalignedTar.make(dir, SIZES, 60);
        try (EnableUring on = EnableUring.set("Y");
             TestMount m = TestMount.ofArchive(dir.resolve("t.tar"), dir.resolve("mnt"), ReadPath.AUTO,
                     Duration.ofMinutes(3), c -> c.engine(Engine.DIRECT).transport(Transport.URING))) {
            for (int i = 0; i < SIZES.length; i++) {
                Path f = m.mountpoint().resolve("m" + i);
                byte[] want = data.get(i);
                assertEquals(-1, TestData.mismatch(want, 0, Files.readAllBytes(f), want.length), "m" + i);
                try (Uncached u = new Uncached(f, 1 << 20)) {
                    int off = want.length / 3;
                    byte[] got = u.readUncached(off, want.length - off);
                    assertEquals(want.length - off, got.length, "m" + i + " at " + off);
                    assertEquals(-1, TestData.mismatch(want, off, got, got.length), "m" + i + " at " + off);
                }
            }
            MountStats s = m.stats();
            MountStats.ZeroCopyStats zc = s.zeroCopy();
            long reads = s.engine().readSizes().values().stream().mapToLong(Long::longValue).sum();
            System.out.println("auto on the ring, archive: " + zc + "; passthrough " + s.passthrough() + "; READs "
                    + reads + "; ring " + s.engine().ring());
            assertEquals("auto", s.mount().readPath());
            assertEquals("uring", s.engine().ring().used(), "served over the ring");
            assertEquals(0, s.passthrough().opens(), "a member is a range of the archive: never passed through");
            if (granted(m)) {
                assertEquals("on", zc.status());
                assertTrue(zc.opens() >= SIZES.length, "the members' opens were zero-copied: " + zc);
                assertTrue(reads > 0);
                assertEquals(reads, zc.zeroCopied(), "every READ zero-copied: " + zc);
                assertTrue(zc.fallbackReasons().isEmpty(), "nothing copied: " + zc.fallbackReasons());
            } else {
                if (!s.engine().kernelOffered().contains("HAS_IO_URING_BUFPOOL")) {
                    assertEquals("unavailable: " + NO_KERNEL, zc.status());
                }
                assertEquals(new MountStats.ZeroCopyStats(zc.status(), 0, 0, 0, java.util.Map.of(), 0), zc,
                        "auto counts no open of a mount that cannot have zero copy");
                assertTrue(reads > 0, "the daemon served the READs as auto did before");
            }
            assertEquals(0, m.counters().errors());
        }
    }

    @Test
    void directoryFilesArePassedThroughFirst() throws Exception {
        assumeTrue(EnableUring.settable(), "no FUSE over io_uring here (Linux 6.14+) or enable_uring not settable");
        try (EnableUring on = EnableUring.set("Y");
             TestMount m = TestMount.of(dir, ReadPath.AUTO, false, Duration.ofMinutes(3),
                     c -> c.engine(Engine.DIRECT).transport(Transport.URING))) {
            byte[] a = TestData.write(m.source().resolve("a"), 4097, 1);
            byte[] b = TestData.bytes(8191, 2);
            Files.write(m.mountpoint().resolve("b"), b); // a create, writable
            assertEquals(-1, TestData.mismatch(a, 0, Files.readAllBytes(m.mountpoint().resolve("a")), a.length));
            assertEquals(-1, TestData.mismatch(b, 0, Files.readAllBytes(m.source().resolve("b")), b.length));
            MountStats s = m.stats();
            System.out.println("auto on the ring, directory: " + s.zeroCopy() + "; passthrough " + s.passthrough());
            assumeTrue("on".equals(s.passthrough().status()), "passthrough here: " + s.passthrough().status());
            assertTrue(s.passthrough().opens() >= 2, "both opens passed through: " + s.passthrough());
            assertEquals(0, s.zeroCopy().opens(), "passthrough comes before zero copy: " + s.zeroCopy());
            assertEquals(0, m.counters().errors());
        }
    }
}
