package io.rsplicefs.it.direct;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rsplicefs.fs.Engine;
import io.rsplicefs.fs.read.ReadPath;
import io.rsplicefs.fs.stats.MountStats;
import io.rsplicefs.it.support.EnableUring;
import io.rsplicefs.it.support.TestData;
import io.rsplicefs.it.support.TestMount;
import io.rsplicefs.it.support.Uncached;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The read path uring-zc (FUSE io_uring zero copy, FUSE 7.46, Linux 7.3):
 * on every kernel its reads are byte-exact, and where zero copy cannot be had
 * (no 7.46, the jnr-fuse engine, no CAP_SYS_ADMIN: see UringZeroCopyCliTest)
 * each open is served by the other read paths and counted with the reason.
 * On the host (6.18) that reason is the kernel's; the 7.3 guest
 * (vagrant/kernel-matrix.sh --kernels 7.3 --tests uring) sees the rest.
 */
@Tag("fuse")
@Tag("kernel")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class UringZeroCopyTest {
    static final String NO_KERNEL = "kernel offers no io_uring zero-copy (needs FUSE 7.46, Linux 7.3)";
    /** Sizes around a page and past a request: empty, one byte, a page and its neighbours, 1 MiB + 3. */
    static final int[] SIZES = {0, 1, 4095, 4096, 4097, (1 << 20) + 3};

    @TempDir
    Path dir;

    @Test
    void readsAreByteExactAndEveryOpenWithoutZeroCopyIsCountedWithItsReason() throws Exception {
        // With the ring allowed where it can be, so that only the kernel's protocol (or this build) decides.
        try (EnableUring on = EnableUring.settable() ? EnableUring.set("Y") : null;
             TestMount m = TestMount.of(dir, ReadPath.URING_ZC, false, Duration.ofMinutes(2),
                     c -> c.engine(Engine.DIRECT))) {
            byte[][] data = new byte[SIZES.length][];
            for (int i = 0; i < SIZES.length; i++) {
                data[i] = TestData.write(m.source().resolve("f" + i), SIZES[i], 40 + i);
            }
            for (int i = 0; i < SIZES.length; i++) {
                Path f = m.mountpoint().resolve("f" + i);
                assertEquals(-1, TestData.mismatch(data[i], 0, Files.readAllBytes(f), SIZES[i]), "size " + SIZES[i]);
                if (SIZES[i] > 0) { // again from the daemon, at an odd offset
                    try (Uncached u = new Uncached(f, 1 << 20)) {
                        int off = SIZES[i] / 3;
                        byte[] got = u.readUncached(off, SIZES[i] - off);
                        assertEquals(SIZES[i] - off, got.length, "length at " + off + " of " + SIZES[i]);
                        assertEquals(-1, TestData.mismatch(data[i], off, got, got.length), "bytes at " + off);
                    }
                }
            }
            MountStats s = m.stats();
            MountStats.EngineStats e = s.engine();
            MountStats.ZeroCopyStats zc = s.zeroCopy();
            System.out.println("uring-zc: " + zc + "; ring " + e.ring() + "; offered " + e.kernelOffered());
            assertEquals("uring-zc", s.mount().readPath());
            assertEquals("uring-zc", s.mount().requestedReadPath());
            assertEquals("uring", e.ring().asked(), "uring-zc asks for the ring transport");
            String why;
            if (!e.kernelOffered().contains("HAS_IO_URING_BUFPOOL")) {
                why = NO_KERNEL;
            } else if (!e.ring().used().equals("uring")) {
                why = "the io_uring transport does not serve this mount: " + e.ring().why();
            } else {
                // 7.3 with the ring up: zero copy is on (UringZeroCopyReadsTest counts its READs).
                assertEquals("on", zc.status());
                assertTrue(zc.opens() >= SIZES.length, "the opens were answered with zero copy: " + zc);
                assertEquals(0, m.counters().errors());
                return;
            }
            assertEquals("unavailable: " + why, zc.status());
            assertEquals(0, zc.opens(), "no open asked for zero copy");
            assertEquals(0, zc.zeroCopied());
            assertTrue(zc.fallbacks() >= SIZES.length, "every open counted: " + zc);
            assertEquals(Map.of(why, zc.fallbacks()), zc.fallbackReasons());
            assertTrue(m.counters().requests() > 0, "the daemon served the reads");
            assertEquals(0, m.counters().errors());
        }
    }

    @Test
    void theJnrFuseEngineSaysItHasNoRing() throws Exception {
        try (TestMount m = TestMount.of(dir, ReadPath.URING_ZC, false, Duration.ofMinutes(2),
                c -> c.engine(Engine.JNR_FUSE))) {
            byte[] data = TestData.write(m.source().resolve("f"), 4097, 7);
            assertEquals(-1, TestData.mismatch(data, 0, Files.readAllBytes(m.mountpoint().resolve("f")), 4097));
            assertEquals("unavailable: the jnr-fuse engine (libfuse 2.9) has no FUSE over io_uring",
                    m.stats().zeroCopy().status());
        }
    }
}
