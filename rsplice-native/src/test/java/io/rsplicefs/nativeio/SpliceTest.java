package io.rsplicefs.nativeio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

@Tag("kernel")
class SpliceTest {
    @TempDir
    Path dir;

    static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    static int open(Path p, int flags) throws NativeIoException {
        return AtFiles.openat(-100 /* AT_FDCWD */, p.toString(), flags | FileConstants.O_CLOEXEC, 0644);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 4095, 4096, 4097, 128 * 1024 + 1, 8 << 20})
    void fileThroughPipeIntoFileIsByteIdentical(int size) throws Exception {
        byte[] data = random(size, size);
        Path src = dir.resolve("src");
        Path dst = dir.resolve("dst");
        Files.write(src, data);
        int in = open(src, FileConstants.O_RDONLY);
        int out = open(dst, FileConstants.O_WRONLY | FileConstants.O_CREAT | FileConstants.O_TRUNC);
        try (Pipe p = Pipe.create()) {
            long off = 0;
            while (off < size) {
                // Fill as much as the pipe holds, then empty it into the destination.
                long n = Splice.spliceFully(in, off, p.writeFd(), Splice.NO_OFFSET, size - off, Splice.F_NONBLOCK);
                assertTrue(n > 0, "no progress at " + off);
                assertEquals(n, p.queued());
                long m = Splice.spliceFully(p.readFd(), Splice.NO_OFFSET, out, off, n, 0);
                assertEquals(n, m);
                off += n;
            }
            assertEquals(0, Splice.spliceFully(in, size, p.writeFd(), Splice.NO_OFFSET, 4096, 0), "end of file");
        } finally {
            AtFiles.close(in);
            AtFiles.close(out);
        }
        assertArrayEquals(data, Files.readAllBytes(dst));
    }

    @Test
    void pipeSmallerThanDataGivesShortCountNotSuccess() throws Exception {
        int size = 256 * 1024;
        Path src = dir.resolve("big");
        Files.write(src, random(size, 7));
        int in = open(src, FileConstants.O_RDONLY);
        try (Pipe p = Pipe.create()) {
            int cap = p.capacity(); // 64 KiB
            long n = Splice.spliceFully(in, 0, p.writeFd(), Splice.NO_OFFSET, size, Splice.F_NONBLOCK);
            assertEquals(cap, n, "a full pipe stops the fill short");
            assertTrue(n < size);
            assertEquals(n, p.queued());
        } finally {
            AtFiles.close(in);
        }
    }

    @Test
    void badFdIsEbadf() throws Exception {
        try (Pipe p = Pipe.create()) {
            NativeIoException e = assertThrows(NativeIoException.class,
                    () -> Splice.splice(987654, 0, p.writeFd(), Splice.NO_OFFSET, 10, 0));
            assertEquals(9, e.errno());
            assertEquals("EBADF", e.errnoName());
            assertEquals("splice", e.call());
            assertTrue(e.getMessage().contains("EBADF"), e.getMessage());
        }
    }

    @Test
    void spliceBetweenTwoFilesIsEinval() throws Exception {
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        Files.write(a, new byte[100]);
        int in = open(a, FileConstants.O_RDONLY);
        int out = open(b, FileConstants.O_WRONLY | FileConstants.O_CREAT);
        try {
            // splice needs a pipe on one side
            NativeIoException e = assertThrows(NativeIoException.class,
                    () -> Splice.splice(in, 0, out, 0, 10, 0));
            assertEquals("EINVAL", e.errnoName());
            assertEquals(22, e.errno());
        } finally {
            AtFiles.close(in);
            AtFiles.close(out);
        }
    }

    @Test
    void teeDuplicatesWithoutConsuming() throws Exception {
        try (Pipe a = Pipe.create(); Pipe b = Pipe.create(); PageArena arena = PageArena.allocate(1)) {
            arena.buffer().put(new byte[] {1, 2, 3, 4});
            Splice.vmsplice(a.writeFd(), arena.address(), 4, 0);
            assertEquals(4, Splice.tee(a.readFd(), b.writeFd(), 4, Splice.F_NONBLOCK));
            assertEquals(4, a.queued());
            assertEquals(4, b.queued());
        }
    }

    @Test
    void vmspliceCarriesArenaBytesAndGiftFlagIsAccepted() throws Exception {
        Path dst = dir.resolve("out");
        int out = open(dst, FileConstants.O_WRONLY | FileConstants.O_CREAT | FileConstants.O_TRUNC);
        try (Pipe p = Pipe.create(); PageArena arena = PageArena.allocate(2)) {
            ByteBuffer buf = arena.buffer();
            byte[] data = random(8192, 3);
            buf.put(data);
            assertEquals(8192, Splice.vmsplice(p.writeFd(), arena.address(), 8192, Splice.F_GIFT));
            assertEquals(8192, Splice.spliceFully(p.readFd(), Splice.NO_OFFSET, out, 0, 8192, 0));
            assertArrayEquals(data, Files.readAllBytes(dst));
        } finally {
            AtFiles.close(out);
        }
    }

    @Test
    void preadAndPwriteMoveBytesThroughNativeMemory() throws Exception {
        Path f = dir.resolve("rw");
        byte[] data = random(10000, 11);
        Files.write(f, data);
        int fd = open(f, FileConstants.O_RDWR);
        try (PageArena arena = PageArena.allocate(4)) {
            assertEquals(10000, Splice.preadFully(fd, arena.address(), 16384, 0), "short at end of file");
            assertEquals(10000, Splice.pwriteFully(fd, arena.address(), 10000, 10000));
        } finally {
            AtFiles.close(fd);
        }
        byte[] both = Files.readAllBytes(f);
        assertEquals(20000, both.length);
        for (int i = 0; i < 20000; i++) {
            if (both[i] != data[i % 10000]) {
                throw new AssertionError("byte " + i);
            }
        }
    }

    static void writeRandom(Path p, int size) throws IOException {
        Files.write(p, random(size, 1));
    }
}
