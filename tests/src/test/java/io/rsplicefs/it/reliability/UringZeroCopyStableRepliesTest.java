package io.rsplicefs.it.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.nio.file.ExtendedOpenOption;
import io.rsplicefs.fs.Engine;
import io.rsplicefs.fs.read.ReadPath;
import io.rsplicefs.fs.stats.MountStats;
import io.rsplicefs.it.support.EnableUring;
import io.rsplicefs.it.support.TestMount;
import io.rsplicefs.it.support.Uncached;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Stable replies on the zero-copy path (uring-zc, 7.3 guest): readers read
 * random page ranges of stamped pages through read-only opens (their READs
 * filled by a read-fixed from the backing file straight into their pages, the
 * kernel taking the pages as filled at COMMIT_AND_FETCH) while writers rewrite
 * whole pages of the same range, as StableRepliesTest does for the splicing
 * paths. The kernel holds the READ's folios locked from the request to the
 * commit; what that does and does not hold back is in docs/uring-zero-copy.md
 * ("When the kernel considers the client's pages filled"). Each pattern's torn
 * pages are printed; the assertions are what that section establishes.
 */
@Tag("fuse")
@Tag("kernel")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class UringZeroCopyStableRepliesTest {
    static final int PAGES = 256;
    static final Duration RUN = Duration.ofSeconds(Long.getLong("rsplicefs.stable.seconds", 6));

    enum Pattern {
        /** buffered write() through the mount: the kernel copies into the file's page cache, folio locked */
        BUFFERED_THROUGH_MOUNT,
        /** O_DIRECT write() through the mount: no page-cache folio, a WRITE to the daemon (pwrite to the backing file) */
        DIRECT_THROUGH_MOUNT,
        /** straight into the backing file: nothing in the kernel's FUSE or the daemon holds these back */
        BACKING_DIRECTLY
    }

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @EnumSource(Pattern.class)
    void pagesReadThroughZeroCopy(Pattern pattern) throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "zero-copy queues need CAP_SYS_ADMIN");
        // No mount on a kernel without FUSE over io_uring (6.1): it cannot have zero copy, and a mount costs
        // seconds in an emulated guest.
        assumeTrue(EnableUring.settable(), "no FUSE over io_uring here (Linux 6.14+) or enable_uring not settable");
        try (EnableUring on = EnableUring.settable() ? EnableUring.set("Y") : null;
             TestMount m = TestMount.of(dir, ReadPath.URING_ZC, false, Duration.ofMinutes(4),
                     c -> c.engine(Engine.DIRECT))) {
            MountStats.EngineStats e = m.stats().engine();
            assumeTrue(e.kernelOffered().contains("HAS_IO_URING_BUFPOOL"),
                    "the kernel offers no io_uring bufpool (FUSE 7.46, Linux 7.3): " + e.protocol());
            Path backing = m.source().resolve("pages");
            try (FileChannel ch = FileChannel.open(backing, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                ByteBuffer page = ByteBuffer.allocate(StampedPages.PAGE);
                for (int i = 0; i < PAGES; i++) {
                    StampedPages.fill(page, i, 0);
                    ch.write(page.clear(), (long) i * StampedPages.PAGE);
                }
            }
            Path target = pattern == Pattern.BACKING_DIRECTLY ? backing : m.mountpoint().resolve("pages");
            long zcBefore = m.stats().zeroCopy().zeroCopied();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong torn = new AtomicLong();
            AtomicLong checked = new AtomicLong();
            AtomicLong writes = new AtomicLong();
            List<Thread> threads = new ArrayList<>();
            List<Throwable> failures = new ArrayList<>();
            for (int w = 0; w < 2; w++) {
                int seed = w;
                threads.add(thread("writer-" + w, failures,
                        () -> writer(target, pattern == Pattern.DIRECT_THROUGH_MOUNT, seed, stop, writes)));
            }
            for (int r = 0; r < 2; r++) {
                int seed = 100 + r;
                threads.add(thread("reader-" + r, failures,
                        () -> reader(m.mountpoint().resolve("pages"), seed, stop, torn, checked)));
            }
            threads.forEach(Thread::start);
            Thread.sleep(RUN.toMillis());
            stop.set(true);
            for (Thread t : threads) {
                t.join(60_000);
            }
            MountStats s = m.stats();
            long zc = s.zeroCopy().zeroCopied() - zcBefore;
            System.out.printf("stable replies: %-24s uring-zc writes=%d pages checked=%d torn=%d READs zero-copied=%d"
                    + " %s%n", pattern, writes.get(), checked.get(), torn.get(), zc, s.zeroCopy().fallbackReasons());
            assertEquals(List.of(), failures, "no thread failed");
            assertTrue(checked.get() > 0 && writes.get() > 0, "readers and writers ran");
            assertTrue(zc > 0, "the readers' READs were zero-copied");
            assertTrue(s.zeroCopy().fallbackReasons().keySet().stream().noneMatch(k -> k.startsWith("read copied")),
                    "no READ copied: " + s.zeroCopy().fallbackReasons());
        }
    }

    interface Body {
        void run() throws Exception;
    }

    private static Thread thread(String name, List<Throwable> failures, Body body) {
        return new Thread(() -> {
            try {
                body.run();
            } catch (Throwable t) {
                synchronized (failures) {
                    failures.add(t);
                }
            }
        }, name);
    }

    private static void writer(Path target, boolean direct, int seed, AtomicBoolean stop, AtomicLong writes)
            throws Exception {
        SplittableRandom r = new SplittableRandom(seed);
        OpenOption[] opts = direct
                ? new OpenOption[] {StandardOpenOption.WRITE, ExtendedOpenOption.DIRECT}
                : new OpenOption[] {StandardOpenOption.WRITE};
        ByteBuffer page = ByteBuffer.allocateDirect(2 * StampedPages.PAGE).alignedSlice(StampedPages.PAGE)
                .limit(StampedPages.PAGE).slice();
        long version = (long) seed << 40;
        try (FileChannel ch = FileChannel.open(target, opts)) {
            while (!stop.get()) {
                int i = r.nextInt(PAGES);
                StampedPages.fill(page, i, ++version);
                ch.write(page.clear(), (long) i * StampedPages.PAGE);
                writes.incrementAndGet();
            }
        }
    }

    private static void reader(Path file, int seed, AtomicBoolean stop, AtomicLong torn, AtomicLong checked)
            throws Exception {
        SplittableRandom r = new SplittableRandom(seed);
        try (Uncached u = new Uncached(file, 32 * StampedPages.PAGE)) {
            while (!stop.get()) {
                int first = r.nextInt(PAGES);
                int count = 1 + r.nextInt(Math.min(32, PAGES - first));
                byte[] got = u.readUncached((long) first * StampedPages.PAGE, count * StampedPages.PAGE);
                for (int p = 0; p < got.length / StampedPages.PAGE; p++) {
                    checked.incrementAndGet();
                    if (!StampedPages.consistent(got, p * StampedPages.PAGE, first + p)) {
                        torn.incrementAndGet();
                    }
                }
            }
        }
    }
}
