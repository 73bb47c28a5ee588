package io.rsplicefs.it.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rsplicefs.fs.read.ReadPath;
import io.rsplicefs.fs.stats.MountStats;
import io.rsplicefs.fs.stats.ReadCounters;
import io.rsplicefs.it.kernellog.GiftExperiment;
import io.rsplicefs.it.support.TestData;
import io.rsplicefs.it.support.TestMount;
import io.rsplicefs.it.support.TimeScale;
import io.rsplicefs.it.support.Uncached;
import io.rsplicefs.it.support.Unmap;
import io.rsplicefs.nativeio.PageFrames;
import io.rsplicefs.nativeio.Splice;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Byte-exact reads through every read path, with and without splice_move,
 * for sizes around every boundary (page, two pages, 128 KiB request) and a
 * large file, by sequential reads of several sizes, random reads, mmap and
 * four concurrent readers. The FUSE cache is dropped before each pattern
 * (and before each random read) so the reads reach the daemon.
 */
@Tag("fuse")
class ReadCorrectnessTest {
    static final int K = 1024;
    static final int[] SIZES = {0, 1, 4095, 4096, 8191, 8192, 128 * K - 1, 128 * K, 128 * K + 1, K * K + 3, 64 * K * K};
    /** gift with splice_move makes the kernel log a page dump per refused page: keep that experiment small. */
    static final int GIFT_MOVE_MAX = 128 * K + 1;

    @TempDir
    Path dir;

    static Stream<Arguments> combos() {
        List<Arguments> a = new ArrayList<>();
        for (ReadPath p : ReadPath.values()) {
            if (p != ReadPath.GIFT) {
                a.add(Arguments.of(p, false));
                a.add(Arguments.of(p, true));
            }
        }
        return a.stream();
    }

    @ParameterizedTest(name = "{0} donate={1}")
    @MethodSource("combos")
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    @Tag("kernel")
    void everyReadIsByteExact(ReadPath path, boolean donate) throws Exception {
        readsAreByteExact(path, donate);
    }

    /** gift (forced: the probe shows this kernel refuses gifted pages) logs page dumps with donate. */
    @ParameterizedTest(name = "gift donate={0}")
    @ValueSource(booleans = {false, true})
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    @GiftExperiment
    void everyGiftReadIsByteExact(boolean donate) throws Exception {
        readsAreByteExact(ReadPath.GIFT, donate);
    }

    private void readsAreByteExact(ReadPath path, boolean donate) throws Exception {
        try (TestMount m = TestMount.of(dir, path, donate, Duration.ofMinutes(4), c -> c.forceGift(true))) {
            assertEquals(path, m.fuse().readPath(), "read path in use");
            Map<String, byte[]> files = new LinkedHashMap<>();
            for (int size : SIZES) {
                if (path == ReadPath.GIFT && donate && size > GIFT_MOVE_MAX) {
                    continue;
                }
                String name = "f" + size;
                files.put(name, TestData.write(m.source().resolve(name), size, 42));
            }
            for (Map.Entry<String, byte[]> e : files.entrySet()) {
                Path f = m.mountpoint().resolve(e.getKey());
                byte[] want = e.getValue();
                sequential(f, want, 4096);
                sequential(f, want, 65536);
                sequential(f, want, 128 * K + 17);
                random(f, want, want.length >= K * K ? 10_000 : 300, want.length);
                mmap(f, want);
                concurrent(f, want, 4);
            }
            ReadCounters c = m.counters();
            assertEquals(0, c.errors(), "read errors");
            assertEquals(0, m.fuse().stats().callbackFailures(), "callback failures");
            MountStats.PassthroughStats pt = m.stats().passthrough();
            if (pt.status().equals("on")) {
                // passthrough, and auto on the direct engine: the kernel read the backing files itself
                assertEquals(0, c.requests(), "passed through: no read reached the daemon");
                assertTrue(pt.opens() > 0, pt.toString());
                return;
            }
            assertTrue(c.requests() > 0, "the reads reached the daemon");
            if (path == ReadPath.COPY) {
                assertEquals(0, c.spliceReplies(), "copy never splices");
            } else {
                assertTrue(c.spliceReplies() > 0, "large replies were handed over for splicing: " + c.snapshot());
            }
        }
    }

    private static void sequential(Path f, byte[] want, int chunk) throws Exception {
        try (Uncached u = new Uncached(f, chunk)) {
            u.dropCache();
            long off = 0;
            while (true) {
                byte[] got = u.read(off, chunk);
                int expect = (int) Math.min(chunk, want.length - off);
                assertEquals(expect, got.length, f + ": length at " + off + " (chunk " + chunk + ")");
                int bad = TestData.mismatch(want, (int) off, got, got.length);
                assertEquals(-1, bad, f + ": byte " + (off + bad) + " differs (chunk " + chunk + ")");
                if (got.length == 0) {
                    break;
                }
                off += got.length;
            }
        }
    }

    private static void random(Path f, byte[] want, int reads, int size) throws Exception {
        Random r = new Random(size * 31L + reads);
        try (Uncached u = new Uncached(f, 256 * K)) {
            for (int i = 0; i < reads; i++) {
                long off = size == 0 ? 0 : (long) r.nextInt(size + 1);
                int len = 1 + r.nextInt(r.nextBoolean() ? 8192 : 256 * K);
                byte[] got = u.readUncached(off, len);
                int expect = (int) Math.max(0, Math.min(len, size - off));
                assertEquals(expect, got.length, f + ": random read " + i + " at " + off + "+" + len);
                int bad = TestData.mismatch(want, (int) off, got, got.length);
                assertEquals(-1, bad, f + ": random read " + i + " at " + off + "+" + len + " differs at " + bad);
            }
        }
    }

    private static void mmap(Path f, byte[] want) throws Exception {
        if (want.length == 0) {
            return;
        }
        try (Uncached u = new Uncached(f, 1)) {
            u.dropCache();
        }
        try (FileChannel ch = FileChannel.open(f)) {
            MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_ONLY, 0, want.length);
            // Fault the pages in from native code first. The daemon runs in this JVM: a page fault
            // taken in Java code holds up safepoints, and the daemon's callbacks wait for the
            // safepoint, so a Java-mode fault on this mount can deadlock the process.
            PageFrames.touch(Splice.address(map), want.length);
            byte[] got = new byte[want.length];
            map.get(got);
            assertEquals(-1, TestData.mismatch(want, 0, got, got.length), f + ": mmap read differs");
            // A live mapping keeps the mount busy; don't wait for the GC to drop it.
            Unmap.now(map);
        }
    }

    private static void concurrent(Path f, byte[] want, int readers) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(readers);
        try {
            try (Uncached u = new Uncached(f, 1)) {
                u.dropCache();
            }
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < readers; t++) {
                int chunk = 32 * K * (t + 1);
                fs.add(pool.submit(() -> {
                    sequential(f, want, chunk);
                    return null;
                }));
            }
            for (Future<?> x : fs) {
                x.get(TimeScale.of(3), TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
