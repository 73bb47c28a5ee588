package io.rsplicefs.nativeio;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** 10,000 rounds of every kind of operation leave the fd count and the mappings as they were. */
@Tag("kernel")
class LeakTest {
    private static final int SLACK = 4;
    /**
     * The JVM adds JIT compiler threads on demand while the loop gets hot (two mappings each: stack and
     * guard page; seen: +12); a leak per operation would be thousands.
     */
    private static final int MAPPING_SLACK = 32;

    @TempDir
    Path dir;

    @Test
    void tenThousandOperationsLeakNoFdOrMapping() throws Exception {
        Path f = dir.resolve("f");
        Files.write(f, SpliceTest.random(64 * 1024, 2));
        Path sub = dir.resolve("sub");
        Files.createDirectory(sub);
        Files.write(sub.resolve("a"), new byte[] {1});
        int fd = SpliceTest.open(f, FileConstants.O_RDONLY);
        int rootFd = SpliceTest.open(dir, FileConstants.O_RDONLY | FileConstants.O_DIRECTORY);
        // Warm up so lazily opened things (/dev/null for drain, class init) and the JIT's threads are not counted.
        for (int i = 0; i < 2_000; i++) {
            round(fd, rootFd);
        }
        ThreadPipe.release();
        System.gc();
        long fds = ProcessResources.openFds();
        long maps = ProcessResources.mappings();
        try {
            for (int i = 0; i < 10_000; i++) {
                round(fd, rootFd);
            }
            ThreadPipe.release();
            // A leak per operation would show as thousands; the JVM itself may open or close
            // an fd or map a few regions (GC, JIT, class loading) meanwhile, hence the small slack.
            long fdsAfter = ProcessResources.openFds();
            long mapsAfter = ProcessResources.mappings();
            assertTrue(fdsAfter <= fds + SLACK, "open fds grew from " + fds + " to " + fdsAfter);
            assertTrue(mapsAfter <= maps + MAPPING_SLACK, "mappings grew from " + maps + " to " + mapsAfter);
        } finally {
            AtFiles.close(fd);
            AtFiles.close(rootFd);
        }
    }

    private static void round(int fd, int rootFd) throws Exception {
        try (Pipe p = Pipe.create()) {
            p.setCapacity(128 * 1024);
            Splice.spliceFully(fd, 0, p.writeFd(), Splice.NO_OFFSET, 65536, Splice.F_NONBLOCK);
            p.drain();
        }
        long tp = ThreadPipe.acquire(132 * 1024);
        Splice.spliceFully(fd, 4096, PipeFds.writeFd(tp), Splice.NO_OFFSET, 8192, Splice.F_NONBLOCK);
        try (PageArena a = PageArena.allocate(2)) {
            Splice.preadFully(fd, a.address(), 8192, 0);
            a.dontNeed();
        }
        Residency.residentPages(fd, 0, 65536);
        Residency.map(fd, 0, 65536);
        long m = PageFrames.mapFile(fd, 0, 8192);
        PageFrames.unmap(m, 8192);
        AtFiles.fstatat(rootFd, "f", FileConstants.AT_SYMLINK_NOFOLLOW);
        AtFiles.listDir(rootFd);
        int sub = AtFiles.openat2(rootFd, "sub", FileConstants.O_PATH | FileConstants.O_DIRECTORY, 0,
                FileConstants.RESOLVE_BENEATH);
        AtFiles.close(sub);
        // failing calls must not leak either
        assertThrows(NativeIoException.class, () -> AtFiles.openat2(rootFd, "../etc", FileConstants.O_PATH, 0,
                FileConstants.RESOLVE_BENEATH));
        assertThrows(NativeIoException.class, () -> Residency.residentPages(fd, 1, 10));
    }
}
