package io.rsplicefs.nativeio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("kernel")
class LruDrainTest {
    @TempDir
    Path dir;

    @Test
    void drainLeavesNoNameNoFdAndNoMapping() throws Exception {
        long fds = ProcessResources.openFds();
        for (int i = 0; i < 200; i++) {
            try (LruDrain d = LruDrain.in(dir)) {
                assertEquals(1, ProcessResources.mappingsUnder(dir), "the pinned scratch page is mapped");
                d.drain();
                d.drain();
            }
        }
        try (var names = Files.list(dir)) {
            assertEquals(0, names.count(), "the scratch page is an unlinked file");
        }
        assertEquals(fds, ProcessResources.openFds(), "open fds");
        // Only the drain's own file is counted: the JVM maps and merges regions of its own
        // meanwhile (a whole-process count once dropped by one in CI).
        assertEquals(0, ProcessResources.mappingsUnder(dir), "mappings of the scratch page");
    }

    @Test
    void missingDirectoryIsAClearError() {
        NativeIoException e = assertThrows(NativeIoException.class, () -> LruDrain.in(dir.resolve("missing")));
        assertEquals("ENOENT", e.errnoName());
    }

    @Test
    void tmpfsIsRefused() throws Exception {
        Path shm = Path.of("/dev/shm");
        assumeTrue(Files.isDirectory(shm) && Files.isWritable(shm), "/dev/shm (tmpfs) is needed");
        NativeIoException e = assertThrows(NativeIoException.class, () -> LruDrain.in(shm));
        assertEquals("EOPNOTSUPP", e.errnoName());
    }

    @Test
    void cachestatCountsCachedPages() throws Exception {
        int size = 1 << 20;
        Path f = dir.resolve("data");
        Files.write(f, SpliceTest.random(size, 9));
        int fd = SpliceTest.open(f, FileConstants.O_RDONLY);
        try {
            long cached;
            try {
                cached = Residency.cachedPages(fd, 0, size);
            } catch (NativeIoException e) {
                assumeTrue(!"ENOSYS".equals(e.errnoName()), "cachestat needs Linux 6.5+");
                throw e;
            }
            assertEquals(size / PageArena.PAGE_SIZE, cached, "a file just written is cached");
            AtFiles.fsync(fd, false);
            Residency.fadvise(fd, 0, 0, Residency.Advice.DONTNEED);
            assertEquals(Residency.residentPages(fd, 0, size), Residency.cachedPages(fd, 0, size),
                    "cachestat agrees with mincore");
        } finally {
            AtFiles.close(fd);
        }
    }
}
