package io.rsplicefs.it.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.nio.file.ExtendedOpenOption;
import io.rsplicefs.fs.read.ReadPath;
import io.rsplicefs.fs.write.WritePath;
import io.rsplicefs.it.support.SharedMounts;
import io.rsplicefs.it.support.TestEngine;
import io.rsplicefs.it.support.Uncached;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
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
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Stable replies: writers rewrite whole stamped pages while readers read
 * random page ranges through a splicing read path; every page a reader sees
 * must be one version. Each write pattern is run with the guard off (does
 * the race exist at all?) and on (0 torn pages for the patterns it covers).
 * The mounts splice writes (write path splice: libfuse's pipe spliced into the
 * backing file), so the guard is shown to hold spliced writes back too.
 */
@Tag("fuse")
@Tag("slow")
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class StableRepliesTest {
    static final int PAGES = 256;
    static final Duration RUN = Duration.ofSeconds(Long.getLong("rsplicefs.stable.seconds", 4));

    enum Pattern {
        /**
         * buffered write() through the mount. Not something the daemon can make stable: without
         * writeback caching the kernel copies the new bytes into the FUSE page cache itself, and a
         * concurrent read() copies from that page without its lock, so a reader can see a page half
         * written whatever the daemon does (seen here: 1 torn page in ~300,000 with the guard on).
         */
        BUFFERED_THROUGH_MOUNT(false),
        /** O_DIRECT write() through the mount: bypasses the FUSE page cache and its page locks */
        DIRECT_THROUGH_MOUNT(true),
        /** through a second, hard-linked name on the mount: another FUSE inode with jnr-fuse (libfuse 2.9 gives each
         * path its own), the same one with the direct engine (one node per inode); the same backing file */
        HARD_LINK_THROUGH_MOUNT(true),
        /** straight into the backing directory: nothing in the daemon can hold these back */
        BACKING_DIRECTLY(false);

        final boolean covered;

        Pattern(boolean covered) {
            this.covered = covered;
        }
    }

    /** One mount per read path and guard setting, shared by the write patterns (each in a directory of its own). */
    @RegisterExtension
    static final SharedMounts MOUNTS = new SharedMounts(Duration.ofMinutes(8));

    static Stream<Arguments> cases() {
        List<Arguments> a = new ArrayList<>();
        for (Pattern p : Pattern.values()) {
            for (ReadPath rp : new ReadPath[] {ReadPath.RSPLICE, ReadPath.FD}) {
                a.add(Arguments.of(p, rp, false));
                a.add(Arguments.of(p, rp, true));
            }
        }
        return a.stream();
    }

    @ParameterizedTest(name = "{0} {1} guard={2}")
    @MethodSource("cases")
    void pagesReadAreNeverTorn(Pattern pattern, ReadPath path, boolean guard) throws Exception {
        // writes through the mount are spliced (pipe -> backing file): the guard must hold those back too
        SharedMounts.Area m = MOUNTS.area(path.id() + "-guard-" + guard, path, false,
                c -> c.stableReplies(guard).writePath(WritePath.SPLICE), pattern.name());
        long splicedBefore = m.mount().stats().writes().splicedRequests();
        Path backing = m.source().resolve("pages");
        try (FileChannel ch = FileChannel.open(backing, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            ByteBuffer page = ByteBuffer.allocate(StampedPages.PAGE);
            for (int i = 0; i < PAGES; i++) {
                StampedPages.fill(page, i, 0);
                ch.write(page.clear(), (long) i * StampedPages.PAGE);
            }
        }
        if (pattern == Pattern.HARD_LINK_THROUGH_MOUNT) {
            Files.createLink(m.mountpoint().resolve("alias"), m.mountpoint().resolve("pages"));
        }
        Path target = switch (pattern) {
            case BUFFERED_THROUGH_MOUNT, DIRECT_THROUGH_MOUNT -> m.mountpoint().resolve("pages");
            case HARD_LINK_THROUGH_MOUNT -> m.mountpoint().resolve("alias");
            case BACKING_DIRECTLY -> backing;
        };
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong torn = new AtomicLong();
        AtomicLong pagesChecked = new AtomicLong();
        AtomicLong writes = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = new ArrayList<>();
        for (int w = 0; w < 2; w++) {
            int seed = w;
            threads.add(new Thread(() -> {
                try {
                    writer(target, pattern == Pattern.DIRECT_THROUGH_MOUNT, seed, stop, writes);
                } catch (Throwable t) {
                    synchronized (failures) {
                        failures.add(t);
                    }
                }
            }, "writer-" + w));
        }
        for (int r = 0; r < 2; r++) {
            int seed = 100 + r;
            threads.add(new Thread(() -> {
                try {
                    reader(m.mountpoint().resolve("pages"), seed, stop, torn, pagesChecked);
                } catch (Throwable t) {
                    synchronized (failures) {
                        failures.add(t);
                    }
                }
            }, "reader-" + r));
        }
        threads.forEach(Thread::start);
        Thread.sleep(RUN.toMillis());
        stop.set(true);
        for (Thread t : threads) {
            t.join(30_000);
        }
        System.out.printf("stable replies: %-24s %-7s guard=%-5s writes=%d pages checked=%d torn=%d %s%n",
                pattern, path.id(), guard, writes.get(), pagesChecked.get(), torn.get(),
                m.mount().stats().stableReplies());
        assertEquals(List.of(), failures, "no thread failed");
        long spliced = m.mount().stats().writes().splicedRequests() - splicedBefore;
        System.out.printf("stable replies: %-24s %-7s guard=%-5s writes spliced=%d%n", pattern, path.id(), guard,
                spliced);
        if (pattern != Pattern.BACKING_DIRECTLY) {
            assertTrue(spliced > 0, "page writes through the mount were spliced");
        }
        // The direct engine serves a hard link's two names as one inode (as a native filesystem does), so
        // writes through the other name share the reader's FUSE page cache: the uncovered buffered case.
        boolean covered = pattern.covered
                && !(pattern == Pattern.HARD_LINK_THROUGH_MOUNT && TestEngine.isDirect());
        if (guard && covered) {
            assertEquals(0, torn.get(), "torn pages with the guard on");
        }
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
