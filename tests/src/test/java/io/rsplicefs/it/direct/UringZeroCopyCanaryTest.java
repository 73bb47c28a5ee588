package io.rsplicefs.it.direct;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.rsplicefs.fs.Engine;
import io.rsplicefs.fs.direct.ZeroCopyPools;
import io.rsplicefs.fs.read.ReadPath;
import io.rsplicefs.fs.stats.MountStats;
import io.rsplicefs.it.support.EnableUring;
import io.rsplicefs.it.support.TestData;
import io.rsplicefs.it.support.TestMount;
import io.rsplicefs.it.support.Uncached;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Zero copy means the daemon never holds the file's bytes: with the bufpool
 * (the rings' payload buffers, slot 0 of each ring's buffer table) filled with
 * a canary pattern, files of several sizes read through uring-zc (whole, and
 * at random offsets from the daemon again) come back byte-exact, every READ
 * is counted zero-copied, and the pool still holds the canary everywhere but
 * in the few bytes small replies (OPEN, GETATTR) may take at the start of a
 * buffer. A READ served by copy would put the file's bytes at the start of
 * the buffer (at least 4 KiB for most of the files here). 7.3 guest only
 * (vagrant/kernel-matrix.sh --kernels 7.3 --tests uring); skipped where the
 * kernel offers no bufpool.
 */
@Tag("fuse")
@Tag("kernel")
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class UringZeroCopyCanaryTest {
    static final int[] SIZES = {1, 4097, 200_000, (1 << 20) + 3, 64 << 20};
    /** Bytes at the start of a pool buffer that non-READ replies may write (fuse_attr_out is 104). */
    static final int SMALL_REPLIES = 256;
    static final byte[] CANARY = "zc-canary:".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    @TempDir
    Path dir;

    @Test
    void theBufpoolNeverHoldsTheFilesBytes() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "zero-copy queues need CAP_SYS_ADMIN");
        // No mount on a kernel without FUSE over io_uring (6.1): it cannot have zero copy, and a mount costs
        // seconds in an emulated guest.
        assumeTrue(EnableUring.settable(), "no FUSE over io_uring here (Linux 6.14+) or enable_uring not settable");
        try (EnableUring on = EnableUring.settable() ? EnableUring.set("Y") : null;
             TestMount m = TestMount.of(dir, ReadPath.URING_ZC, false, Duration.ofMinutes(8),
                     c -> c.engine(Engine.DIRECT))) {
            MountStats.EngineStats e = m.stats().engine();
            assumeTrue(e.kernelOffered().contains("HAS_IO_URING_BUFPOOL"),
                    "the kernel offers no io_uring bufpool (FUSE 7.46, Linux 7.3): " + e.protocol());
            assertEquals("on", m.stats().zeroCopy().status());
            List<byte[]> data = new ArrayList<>();
            for (int i = 0; i < SIZES.length; i++) {
                data.add(TestData.write(m.source().resolve("f" + i), SIZES[i], 300 + i));
                assertEquals(SIZES[i], Files.size(m.mountpoint().resolve("f" + i))); // LOOKUP before the canary
            }
            List<ByteBuffer> pools = ZeroCopyPools.of(m.fuse());
            assertFalse(pools.isEmpty(), "the mount has zero-copy rings");
            long poolBytes = 0;
            for (ByteBuffer p : pools) {
                fill(p);
                poolBytes += p.capacity();
            }
            long readsBefore = reads(m.stats());
            long zcBefore = m.stats().zeroCopy().zeroCopied();
            Random r = new Random(11);
            for (int i = 0; i < SIZES.length; i++) {
                byte[] want = data.get(i);
                Path f = m.mountpoint().resolve("f" + i);
                assertEquals(-1, TestData.mismatch(want, 0, Files.readAllBytes(f), want.length), "f" + i);
                try (Uncached u = new Uncached(f, 1 << 20)) {
                    for (int k = 0; k < 6; k++) {
                        int off = r.nextInt(want.length);
                        int len = 1 + r.nextInt(Math.min(want.length - off, 1 << 20));
                        byte[] got = u.readUncached(off, len);
                        assertEquals(-1, TestData.mismatch(want, off, got, len), "f" + i + " at " + off);
                    }
                }
            }
            MountStats s = m.stats();
            long reads = reads(s) - readsBefore;
            long zc = s.zeroCopy().zeroCopied() - zcBefore;
            StringBuilder where = new StringBuilder();
            long touched = 0;
            for (int i = 0; i < pools.size(); i++) {
                ByteBuffer p = pools.get(i);
                int last = -1;
                long n = 0;
                for (int b = 0; b < p.capacity(); b++) {
                    if (p.get(b) != CANARY[b % CANARY.length]) {
                        last = b;
                        n++;
                    }
                }
                touched += n;
                where.append(" pool ").append(i).append(": ").append(n).append(" bytes changed, last at ")
                        .append(last);
                assertTrue(last < SMALL_REPLIES, "pool " + i + " of " + p.capacity() + " bytes: the canary was "
                        + "overwritten up to byte " + last + " (a READ's bytes in the daemon's memory?)");
            }
            System.out.println("uring-zc canary: " + pools.size() + " pools, " + poolBytes + " bytes;" + where
                    + "; READs " + reads + ", zero-copied " + zc + "; " + s.zeroCopy());
            assertTrue(reads > 0, "the reads reached the daemon");
            assertEquals(reads, zc, "every READ zero-copied");
            assertTrue(s.zeroCopy().fallbackReasons().keySet().stream().noneMatch(k -> k.startsWith("read copied")),
                    "no READ copied: " + s.zeroCopy().fallbackReasons());
            assertTrue(touched < (long) SMALL_REPLIES * pools.size(), "canary intact: " + where);
        }
    }

    private static void fill(ByteBuffer p) {
        for (int b = 0; b < p.capacity(); b++) {
            p.put(b, CANARY[b % CANARY.length]);
        }
    }

    private static long reads(MountStats s) {
        return s.engine().readSizes().values().stream().mapToLong(Long::longValue).sum();
    }
}
