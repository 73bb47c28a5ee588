package io.rsplicefs.it.direct;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.rsplicefs.fs.Engine;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * FUSE io_uring zero copy at work (FUSE 7.46, Linux 7.3, root: the 7.3 guest,
 * vagrant/kernel-matrix.sh --kernels 7.3 --tests uring): READs come as the
 * reader's own pages, filled by a read-fixed from the backing fd, and are
 * byte-exact for sizes around a page, past a request and 64 MiB, read sequentially
 * (page cache) and at random offsets (from the daemon again), on a directory
 * file and on stored tar members whose data is not page-aligned; every READ
 * is counted as zero-copied, none copied. Skipped where the kernel offers no
 * bufpool (6.18 on the host: UringZeroCopyTest checks the reason there).
 */
@Tag("fuse")
@Tag("kernel")
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class UringZeroCopyReadsTest {
    /** UringZeroCopyTest's sizes and 64 MiB (64 READs of a request each, readahead permitting). */
    static final int[] SIZES = {0, 1, 4095, 4096, 4097, (1 << 20) + 3, 64 << 20};

    @TempDir
    Path dir;

    @Test
    void aDirectoryFileIsReadThroughTheReadersPages() throws Exception {
        assumeTrue(isRoot(), "zero-copy queues need CAP_SYS_ADMIN");
        // Before any data is made: a kernel without FUSE over io_uring (6.1) cannot have zero copy, and making
        // 64 MiB of files costs minutes in an emulated guest.
        assumeTrue(EnableUring.settable(), "no FUSE over io_uring here (Linux 6.14+) or enable_uring not settable");
        try (EnableUring on = EnableUring.settable() ? EnableUring.set("Y") : null;
             TestMount m = TestMount.of(dir, ReadPath.URING_ZC, false, Duration.ofMinutes(5),
                     c -> c.engine(Engine.DIRECT))) {
            assumeOffered(m);
            List<byte[]> data = new ArrayList<>();
            for (int i = 0; i < SIZES.length; i++) {
                data.add(TestData.write(m.source().resolve("f" + i), SIZES[i], 70 + i));
            }
            readAll(m.mountpoint(), "f", data);
            check(m, SIZES.length);
        }
    }

    @Test
    void storedTarMembersAtUnalignedOffsetsAreReadThroughTheReadersPages() throws Exception {
        assumeTrue(isRoot(), "zero-copy queues need CAP_SYS_ADMIN");
        // Before any data is made: a kernel without FUSE over io_uring (6.1) cannot have zero copy, and making
        // 64 MiB of files costs minutes in an emulated guest.
        assumeTrue(EnableUring.settable(), "no FUSE over io_uring here (Linux 6.14+) or enable_uring not settable");
        List<byte[]> data = UnalignedTar.make(dir, SIZES, 90);
        try (EnableUring on = EnableUring.settable() ? EnableUring.set("Y") : null;
             TestMount m = TestMount.ofArchive(dir.resolve("t.tar"), dir.resolve("mnt"), ReadPath.URING_ZC,
                     Duration.ofMinutes(5), c -> c.engine(Engine.DIRECT))) {
            assumeOffered(m);
            readAll(m.mountpoint(), "m", data);
            check(m, SIZES.length);
        }
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static void assumeOffered(TestMount m) throws Exception {
        MountStats.EngineStats e = m.stats().engine();
        assumeTrue(e.kernelOffered().contains("HAS_IO_URING_BUFPOOL"),
                "the kernel offers no io_uring bufpool (FUSE 7.46, Linux 7.3): " + e.protocol());
    }

    /** Each file whole (sequential, through the page cache), then at random offsets from the daemon. */
    private static void readAll(Path mnt, String prefix, List<byte[]> data) throws Exception {
        Random r = new Random(5);
        for (int i = 0; i < data.size(); i++) {
            byte[] want = data.get(i);
            Path f = mnt.resolve(prefix + i);
            assertEquals(-1, TestData.mismatch(want, 0, Files.readAllBytes(f), want.length),
                    prefix + i + ": " + want.length + " bytes");
            if (want.length == 0) {
                continue;
            }
            try (Uncached u = new Uncached(f, 1 << 20)) {
                for (int k = 0; k < 8; k++) {
                    int off = r.nextInt(want.length);
                    int len = 1 + r.nextInt(Math.min(want.length - off, 300_000));
                    byte[] got = u.readUncached(off, len);
                    assertEquals(len, got.length, prefix + i + " at " + off);
                    assertEquals(-1, TestData.mismatch(want, off, got, len), prefix + i + " at " + off);
                }
            }
        }
    }

    private static void check(TestMount m, int files) throws Exception {
        MountStats s = m.stats();
        MountStats.ZeroCopyStats zc = s.zeroCopy();
        long reads = s.engine().readSizes().values().stream().mapToLong(Long::longValue).sum();
        System.out.println("uring-zc: " + zc + "; READs " + reads + " " + s.engine().readSizes() + "; ring "
                + s.engine().ring());
        assertEquals("on", zc.status());
        assertTrue(zc.opens() >= files - 1, "the opens were answered with FOPEN_IO_URING_ZERO_COPY: " + zc);
        assertTrue(zc.zeroCopied() > 0, "READs came as the reader's pages: " + zc);
        assertTrue(zc.fallbackReasons().keySet().stream().noneMatch(k -> k.startsWith("read copied")),
                "no READ copied: " + zc.fallbackReasons());
        assertEquals(reads, zc.zeroCopied(), "every READ zero-copied");
        assertEquals(0, m.counters().errors());
    }
}
