package io.rsplicefs.nativeio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("kernel")
class ResidencyTest {
    @TempDir
    Path dir;

    @Test
    void fileIsResidentAfterReadingAndNotAfterDontNeed() throws Exception {
        int size = 4 << 20;
        Path f = dir.resolve("data");
        Files.write(f, SpliceTest.random(size, 5));
        int fd = SpliceTest.open(f, FileConstants.O_RDONLY);
        try {
            // Written pages are dirty; write them back so DONTNEED can drop them.
            AtFiles.fsync(fd, false);
            Residency.fadvise(fd, 0, 0, Residency.Advice.DONTNEED);
            long pages = size / PageArena.PAGE_SIZE;
            assertTrue(Residency.residentPages(fd, 0, size) < pages / 10, "DONTNEED should drop the cache");

            try (PageArena arena = PageArena.allocate(256)) {
                for (long off = 0; off < size; off += arena.length()) {
                    Splice.preadFully(fd, arena.address(), arena.length(), off);
                }
            }
            Residency.Map map = Residency.map(fd, 0, size);
            assertEquals(pages, map.pages());
            assertEquals(pages, map.resident(), "every page read is resident");
            for (byte b : map.bitmap()) {
                assertEquals(1, b);
            }

            Residency.fadvise(fd, 0, 0, Residency.Advice.DONTNEED);
            assertEquals(0, Residency.residentPages(fd, 0, size), "clean pages leave on DONTNEED");
        } finally {
            AtFiles.close(fd);
        }
    }

    @Test
    void unalignedOffsetIsEinval() throws Exception {
        Path f = dir.resolve("x");
        Files.write(f, new byte[8192]);
        int fd = SpliceTest.open(f, FileConstants.O_RDONLY);
        try {
            NativeIoException e = assertThrows(NativeIoException.class, () -> Residency.residentPages(fd, 1, 4096));
            assertEquals("EINVAL", e.errnoName());
        } finally {
            AtFiles.close(fd);
        }
    }

    @Test
    void pagemapGivesFramesOfTouchedAnonymousPages() throws Exception {
        try (PageArena arena = PageArena.allocate(8)) {
            if (!ProcessResources.isRoot()) {
                ByteBuffer b = arena.buffer();
                b.put(0, (byte) 1);
                assertThrows(NativeIoException.class, () -> PageFrames.of(arena.address(), 8));
                return;
            }
            long[] untouched = PageFrames.of(arena.address(), 8);
            for (long pfn : untouched) {
                assertEquals(0, pfn, "an untouched anonymous page is not present");
            }
            ByteBuffer b = arena.buffer();
            for (int i = 0; i < 8; i++) {
                b.put(i * PageArena.PAGE_SIZE, (byte) (i + 1));
            }
            long[] pfns = PageFrames.of(arena.address(), 8);
            Set<Long> distinct = new HashSet<>();
            for (long pfn : pfns) {
                assertNotEquals(0, pfn);
                distinct.add(pfn);
            }
            assertEquals(8, distinct.size(), "each page has its own frame");
            arena.dontNeed();
            assertEquals(0, arena.buffer().get(0), "DONTNEED pages read back as zero");
        }
    }

    @Test
    void pagemapOfAMappedFileMatchesItsCache() throws Exception {
        assumeTrue(ProcessResources.isRoot(), "PFNs need root");
        Path f = dir.resolve("m");
        Files.write(f, SpliceTest.random(64 * 1024, 9));
        int fd = SpliceTest.open(f, FileConstants.O_RDONLY);
        try {
            long a = PageFrames.mapFile(fd, 0, 65536);
            try {
                PageFrames.touch(a, 65536);
                long[] first = PageFrames.of(a, 16);
                long b = PageFrames.mapFile(fd, 0, 65536);
                try {
                    PageFrames.touch(b, 65536);
                    long[] second = PageFrames.of(b, 16);
                    for (int i = 0; i < 16; i++) {
                        assertNotEquals(0, first[i]);
                        assertEquals(first[i], second[i], "two mappings of one cached page share its frame");
                    }
                } finally {
                    PageFrames.unmap(b, 65536);
                }
            } finally {
                PageFrames.unmap(a, 65536);
            }
        } finally {
            AtFiles.close(fd);
        }
    }
}
