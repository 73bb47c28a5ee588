package io.rsplicefs.it.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.rsplicefs.fs.read.ReadPath;
import io.rsplicefs.fs.stats.MountStats;
import io.rsplicefs.fs.write.WritePath;
import io.rsplicefs.it.support.TestMount;
import io.rsplicefs.nativeio.AtFiles;
import io.rsplicefs.nativeio.FileConstants;
import io.rsplicefs.nativeio.PageArena;
import io.rsplicefs.nativeio.PageFrames;
import io.rsplicefs.nativeio.Residency;
import io.rsplicefs.nativeio.Splice;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * fsx-style stress: a seeded stream of write / truncate / read / mmap-read /
 * fsync / reopen on one file through the mount, checked against an in-memory
 * model after every operation (reads compare their bytes, every operation
 * checks the size). A mismatch prints the seed and the last operations.
 * Operations per read path: -Drsplicefs.fsx.ops (default 100,000, about 25 s per
 * read path here; the full length, 1,000,000, is what mvn -B verify -Pfull runs), seed
 * -Drsplicefs.fsx.seed.
 */
@Tag("fuse")
@Tag("slow")
@Timeout(value = 20, unit = TimeUnit.MINUTES)
class FsxStressTest {
    static final int MAX_SIZE = 512 << 10;
    static final long OPS = Long.getLong("rsplicefs.fsx.ops", 100_000);
    static final long SEED = Long.getLong("rsplicefs.fsx.seed", System.nanoTime());

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(value = ReadPath.class, names = {"COPY", "FD", "RSPLICE", "AUTO"})
    void randomOperationsMatchTheModel(ReadPath path) throws Exception {
        long seed = SEED ^ path.ordinal();
        try (TestMount m = TestMount.of(dir, path, false, Duration.ofMinutes(19), null);
             PageArena buf = PageArena.allocate(MAX_SIZE / PageArena.PAGE_SIZE + 1)) {
            new Run(m.mountpoint().resolve("fsx"), seed, buf).go(OPS);
            System.out.printf("fsx %s: %d operations, seed %d, %s%n", path.id(), OPS, seed,
                    m.counters().snapshot());
        }
    }

    /**
     * The same stream, shorter (a quarter), per write path on the rsplice read path: the cases above run the
     * default write path (auto, which splices writes of a page or more); these pin copy and splice. Not on
     * auto: on the direct engine it passes the file through and no WRITE would reach the daemon.
     */
    @ParameterizedTest
    @EnumSource(value = WritePath.class, names = {"COPY", "SPLICE"})
    void randomOperationsMatchTheModelPerWritePath(WritePath wp) throws Exception {
        long seed = SEED ^ (0x5700 + wp.ordinal());
        long ops = Math.max(1, OPS / 4);
        try (TestMount m = TestMount.of(dir, ReadPath.RSPLICE, false, Duration.ofMinutes(19), c -> c.writePath(wp));
             PageArena buf = PageArena.allocate(MAX_SIZE / PageArena.PAGE_SIZE + 1)) {
            new Run(m.mountpoint().resolve("fsx"), seed, buf).go(ops);
            MountStats.WriteStats w = m.stats().writes();
            System.out.printf("fsx write path %s: %d operations, seed %d, %s%n", wp.id(), ops, seed, w);
            assertEquals(0, w.errors(), "write errors");
            if (wp == WritePath.COPY) {
                assertEquals(0, w.splicedRequests(), "copy splices nothing");
            } else {
                assertTrue(w.splicedRequests() > 0, "writes of a page or more spliced");
            }
        }
    }

    private static final class Run {
        final Path file;
        final SplittableRandom r;
        final long seed;
        final PageArena buf;
        final ByteBuffer view;
        final byte[] model = new byte[MAX_SIZE];
        final Deque<String> log = new ArrayDeque<>();
        int size;
        int fd;
        long op;

        Run(Path file, long seed, PageArena buf) {
            this.file = file;
            this.seed = seed;
            this.r = new SplittableRandom(seed);
            this.buf = buf;
            this.view = buf.buffer();
        }

        void note(String s) {
            if (log.size() == 40) {
                log.removeFirst();
            }
            log.addLast(op + ": " + s);
        }

        void mismatch(String what) {
            fail("fsx mismatch at operation " + op + " (seed " + seed + ", rerun with -Drsplicefs.fsx.seed=" + seed
                    + "): " + what + "\nlast operations:\n  " + String.join("\n  ", log));
        }

        void open() throws Exception {
            fd = AtFiles.openat(-100, file.toString(),
                    FileConstants.O_RDWR | FileConstants.O_CREAT | FileConstants.O_CLOEXEC, 0644);
        }

        void go(long ops) throws Exception {
            open();
            AtFiles.ftruncate(fd, 0);
            try {
                for (op = 0; op < ops; op++) {
                    int kind = r.nextInt(100);
                    if (kind < 35) {
                        write();
                    } else if (kind < 75) {
                        read();
                    } else if (kind < 82) {
                        truncate();
                    } else if (kind < 88) {
                        mmapRead();
                    } else if (kind < 93) {
                        note("fsync");
                        AtFiles.fsync(fd, r.nextBoolean());
                    } else {
                        note("reopen");
                        AtFiles.close(fd);
                        open();
                    }
                    long actual = AtFiles.fstat(fd).size();
                    if (actual != size) {
                        mismatch("size " + actual + ", model " + size);
                    }
                }
            } finally {
                AtFiles.close(fd);
            }
        }

        void write() throws Exception {
            int off = r.nextInt(MAX_SIZE);
            int len = Math.min(MAX_SIZE - off, 1 + r.nextInt(r.nextBoolean() ? 4096 : 65536));
            note("write " + off + "+" + len);
            byte b = (byte) r.nextInt();
            for (int i = 0; i < len; i++) {
                model[off + i] = (byte) (b + i * 7);
                view.put(i, model[off + i]);
            }
            Splice.pwriteFully(fd, buf.address(), len, off);
            if (off > size) {
                Arrays.fill(model, size, off, (byte) 0);
            }
            size = Math.max(size, off + len);
        }

        void truncate() throws Exception {
            int to = r.nextInt(MAX_SIZE + 1);
            note("truncate " + to);
            AtFiles.ftruncate(fd, to);
            if (to > size) {
                Arrays.fill(model, size, to, (byte) 0);
            }
            size = to;
        }

        void read() throws Exception {
            boolean cold = r.nextInt(4) == 0;
            int off = r.nextInt(MAX_SIZE);
            int len = 1 + r.nextInt(r.nextBoolean() ? 8192 : 160 * 1024);
            len = Math.min(len, MAX_SIZE - off);
            note("read " + off + "+" + len + (cold ? " (cache dropped)" : ""));
            if (cold) {
                Residency.fadvise(fd, 0, 0, Residency.Advice.DONTNEED);
            }
            long n = Splice.preadFully(fd, buf.address(), len, off);
            int expect = Math.max(0, Math.min(len, size - off));
            if (n != expect) {
                mismatch("read returned " + n + ", model " + expect);
            }
            for (int i = 0; i < n; i++) {
                if (view.get(i) != model[off + i]) {
                    mismatch("read byte " + (off + i) + " is " + view.get(i) + ", model " + model[off + i]);
                }
            }
        }

        void mmapRead() throws Exception {
            if (size == 0) {
                return;
            }
            int pages = (size + PageArena.PAGE_SIZE - 1) / PageArena.PAGE_SIZE;
            int first = r.nextInt(pages);
            int count = 1 + r.nextInt(Math.min(64, pages - first));
            long off = (long) first * PageArena.PAGE_SIZE;
            long len = (long) count * PageArena.PAGE_SIZE;
            note("mmap-read " + off + "+" + len);
            long map = PageFrames.mapFile(fd, off, len);
            try {
                long end = Math.min(off + len, size);
                // Fault the pages in from native code first: a page fault taken in Java code could
                // stall this JVM's own FUSE daemon (see README, known traps).
                PageFrames.touch(map, end - off);
                ByteBuffer mapped = PageFrames.view(map, len);
                for (long i = off; i < end; i++) {
                    if (mapped.get((int) (i - off)) != model[(int) i]) {
                        mismatch("mmap byte " + i + " is " + mapped.get((int) (i - off)) + ", model " + model[(int) i]);
                    }
                }
            } finally {
                PageFrames.unmap(map, len);
            }
        }
    }
}
