package io.rsplicefs.it.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.rsplicefs.fs.read.ReadPath;
import io.rsplicefs.fs.stats.ReadCounters;
import io.rsplicefs.it.support.Backing;
import io.rsplicefs.it.support.KernelMoves;
import io.rsplicefs.it.support.TestData;
import io.rsplicefs.it.support.TestMount;
import io.rsplicefs.it.support.TimeScale;
import io.rsplicefs.it.support.Uncached;
import io.rsplicefs.nativeio.AtFiles;
import io.rsplicefs.nativeio.FileConstants;
import io.rsplicefs.nativeio.PageArena;
import io.rsplicefs.nativeio.PageFrames;
import io.rsplicefs.nativeio.Residency;
import io.rsplicefs.nativeio.Splice;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Donation is measured, on this kernel: pages moved by SPLICE_F_MOVE leave
 * the backing file's page cache (mincore), and the FUSE file's cached pages
 * are the very frames the backing file had (pagemap, root only). The
 * filesystem's own counters must agree with what the test measured.
 */
@Tag("fuse")
@Timeout(value = 3, unit = TimeUnit.MINUTES)
@Tag("kernel")
class DonationTest {
    static final int SIZE = 64 << 20;
    /** Cold reads of the same file, each must meet the criterion. */
    static final int ROUNDS = 3;
    /** Fraction of pages a single read under load reliably moves (for tests that only need "still moving"). */
    static final double MOVED_FLOOR = 0.6;

    @TempDir
    Path dir;

    /** Buffered sequential read of the whole FUSE file (kernel readahead requests), cache dropped first. */
    static byte[] readThrough(Path f, int size) throws Exception {
        byte[] all = new byte[size];
        try (Uncached u = new Uncached(f, 1 << 20)) {
            u.dropCache();
            int off = 0;
            while (off < size) {
                byte[] got = u.read(off, 1 << 20);
                if (got.length == 0) {
                    break;
                }
                System.arraycopy(got, 0, all, off, got.length);
                off += got.length;
            }
        }
        return all;
    }

    static void awaitReleased(TestMount m) throws InterruptedException {
        // FUSE release is asynchronous to close(); the last donation sample is checked on release.
        long deadline = System.nanoTime() + TimeScale.of(10_000_000_000L);
        while (m.fuse().openHandles() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }

    @Test
    void rspliceWithDonationLeavesTheBackingFileUncached() throws Exception {
        try (TestMount m = TestMount.of(dir, ReadPath.RSPLICE, true, Duration.ofMinutes(2), c -> c.sampleEvery(1))) {
            Path backing = m.source().resolve("big");
            byte[] want = TestData.write(backing, SIZE, 1);
            long pages = Backing.pages(SIZE);
            for (int round = 1; round <= ROUNDS; round++) {
                Backing.evict(backing);
                assertTrue(Backing.residentPages(backing, SIZE) < pages / 100, "backing file starts uncached");
                ReadCounters c = m.counters();
                long sampled0 = c.sampledPages();
                long moved0 = c.movedPages();

                byte[] got = readThrough(m.mountpoint().resolve("big"), SIZE);
                assertEquals(-1, TestData.mismatch(want, 0, got, SIZE), "bytes read through the mount");
                awaitReleased(m);

                long resident = Backing.residentPages(backing, SIZE);
                double measured = 1.0 - (double) resident / pages;
                long sampled = c.sampledPages() - sampled0;
                long moved = c.movedPages() - moved0;
                double counted = (double) moved / Math.max(1, sampled);
                System.out.printf("donation round %d: %d of %d backing pages left the cache (%.1f%%);"
                        + " counters: %d of %d sampled pages moved; %s%n", round, pages - resident, pages,
                        100 * measured, moved, sampled, m.stats().freshPageFlush());
                assertTrue(sampled >= pages / 2, "samples: " + c.snapshot());
                assertTrue(Math.abs(counted - measured) < 0.1,
                        "counters (" + counted + ") agree with mincore (" + measured + ")");
                KernelMoves.assumeSome(Math.max(moved, pages - resident), pages, "a donating read, round " + round);
                // The criterion, every round: at most 10% of the backing file left resident.
                // Without the LRU flush (FreshPageFlush) 5-22% stayed behind on 6.18, more under load.
                assertTrue(resident <= pages / 10, "round " + round + ": " + resident + " of " + pages
                        + " backing pages still resident after a donating read");
            }
        }
    }

    /**
     * At the default sampling (one reply in 16) the counters must agree with
     * mincore too. They did not when a sample was checked as soon as the next
     * reply on its handle started: with several workers the sampled reply was
     * often still in flight, and 59% was counted for a file that had moved
     * entirely.
     */
    @Test
    void countersAtDefaultSamplingAgreeWithMincore() throws Exception {
        try (TestMount m = TestMount.of(dir, ReadPath.RSPLICE, true, Duration.ofMinutes(2), c -> { })) {
            Path backing = m.source().resolve("big");
            byte[] want = TestData.write(backing, SIZE, 4);
            long pages = Backing.pages(SIZE);
            Backing.evict(backing);
            byte[] got = readThrough(m.mountpoint().resolve("big"), SIZE);
            assertEquals(-1, TestData.mismatch(want, 0, got, SIZE));
            awaitReleased(m);
            double measured = 1.0 - (double) Backing.residentPages(backing, SIZE) / pages;
            ReadCounters c = m.counters();
            double counted = (double) c.movedPages() / Math.max(1, c.sampledPages());
            System.out.printf("default sampling: %d of %d sampled pages moved; mincore: %.1f%% left%n",
                    c.movedPages(), c.sampledPages(), 100 * measured);
            assertTrue(c.sampledPages() >= pages / 16 / 2, "samples: " + c.snapshot());
            assertTrue(Math.abs(counted - measured) < 0.1,
                    "counters (" + counted + ") agree with mincore (" + measured + ")");
        }
    }

    @Test
    void withoutDonationTheBackingFileStaysResident() throws Exception {
        try (TestMount m = TestMount.of(dir, ReadPath.RSPLICE, false, Duration.ofMinutes(2), c -> c.sampleEvery(1))) {
            Path backing = m.source().resolve("big");
            byte[] want = TestData.write(backing, SIZE, 2);
            Backing.evict(backing);
            byte[] got = readThrough(m.mountpoint().resolve("big"), SIZE);
            assertEquals(-1, TestData.mismatch(want, 0, got, SIZE));
            awaitReleased(m);
            long pages = Backing.pages(SIZE);
            long resident = Backing.residentPages(backing, SIZE);
            assertTrue(resident >= pages * 9 / 10, "without splice_move the backing copy stays: " + resident
                    + " of " + pages);
            assertEquals(0, m.counters().sampledPages(), "no donation sampling without donation");
        }
    }

    @Test
    void donatedFramesAreTheBackingFilesFrames() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "page frame numbers need root");
        int size = 16 << 20;
        int pages = size / PageArena.PAGE_SIZE;
        try (TestMount m = TestMount.of(dir, ReadPath.RSPLICE, true, Duration.ofMinutes(2), c -> c.sampleEvery(1))) {
            Path backing = m.source().resolve("pfn");
            byte[] want = TestData.write(backing, size, 3);
            Backing.evict(backing);
            long[] before = backingFramesAsOrderZeroPages(backing, size);

            Path fuseFile = m.mountpoint().resolve("pfn");
            long[] after;
            try (Uncached u = new Uncached(fuseFile, 1 << 20)) {
                u.dropCache();
                for (int off = 0; off < size; off += 1 << 20) {
                    byte[] got = u.read(off, 1 << 20);
                    assertEquals(-1, TestData.mismatch(want, off, got, got.length));
                }
                long map = PageFrames.mapFile(u.fd(), 0, size);
                try {
                    PageFrames.touch(map, size); // native: a Java-mode fault here could stall the in-process daemon
                    after = PageFrames.of(map, pages);
                } finally {
                    PageFrames.unmap(map, size);
                }
            }
            int same = 0;
            for (int i = 0; i < pages; i++) {
                if (before[i] != 0 && before[i] == after[i]) {
                    same++;
                }
            }
            System.out.printf("pagemap: %d of %d FUSE pages are the backing file's frames%n", same, pages);
            awaitReleased(m);
            KernelMoves.assumeSome(Math.max(same, m.counters().movedPages()), pages, "pagemap after a donating read");
            assertTrue(same >= pages * 9 / 10, same + " of " + pages + " FUSE pages are the backing file's frames");
            ReadCounters c = m.counters();
            double movedRatio = (double) c.movedPages() / c.sampledPages();
            assertTrue(Math.abs(movedRatio - (double) same / pages) < 0.1,
                    "counters (" + c.movedPages() + "/" + c.sampledPages() + ") agree with pagemap (" + same + "/"
                            + pages + ")");
        }
    }

    /**
     * Reads the backing file page by page with POSIX_FADV_RANDOM, so its cache is
     * order-0 pages (ext4 would otherwise use large folios, which the kernel never
     * moves), and returns their frames. The mapping is gone when this returns.
     */
    private static long[] backingFramesAsOrderZeroPages(Path f, int size) throws Exception {
        int fd = AtFiles.openat(-100, f.toString(), FileConstants.O_RDONLY | FileConstants.O_CLOEXEC, 0);
        try (PageArena page = PageArena.allocate(1)) {
            Residency.fadvise(fd, 0, 0, Residency.Advice.RANDOM);
            for (long off = 0; off < size; off += PageArena.PAGE_SIZE) {
                Splice.preadFully(fd, page.address(), PageArena.PAGE_SIZE, off);
            }
            long map = PageFrames.mapFile(fd, 0, size);
            try {
                PageFrames.touch(map, size);
                return PageFrames.of(map, size / PageArena.PAGE_SIZE);
            } finally {
                PageFrames.unmap(map, size);
            }
        } finally {
            AtFiles.close(fd);
        }
    }
}
