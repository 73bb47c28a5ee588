package io.rsplicefs.nativeio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Zero copy's io_uring half (issue 20, stage 3 groundwork), on any kernel
 * with io_uring: a sparse registered-buffer table, a buffer put into a slot,
 * and a read-fixed from a file into it at an odd file offset and an odd
 * place in the buffer, byte-exact, with its completion told apart from FUSE
 * entries by its tag; a read-fixed into an empty slot fails (EFAULT). A
 * write-fixed drains a slot into a file at an offset from a place in the
 * buffer (the continuation of a short write), byte-exact.
 */
class UringFixedBufferTest {
    private static final int TAG = 0x40000000;

    @TempDir
    Path dir;

    private static FuseRing ringOrSkip() {
        try {
            return FuseRing.open(1, 4096);
        } catch (NativeIoException e) {
            assumeTrue(false, "io_uring refused here: " + e.getMessage());
            throw new AssertionError(e);
        }
    }

    @Test
    void aReadFixedFillsTheRegisteredBufferByteExactly() throws Exception {
        byte[] data = new byte[(1 << 20) + 3];
        new Random(20).nextBytes(data);
        Path file = Files.write(dir.resolve("f"), data);
        ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
        long base = Splice.address(buf);
        int fd = AtFiles.openat(-100, file.toString(), FileConstants.O_RDONLY, 0);
        try (FuseRing ring = ringOrSkip()) {
            ring.sparseBuffers(3); // slot 0: a pool; 1 and 2: what the kernel would fill per entry
            ring.setBuffer(1, base, buf.capacity());
            for (int[] c : new int[][] {{0, 0, 1}, {1, 4095, 4097}, {4097, 3, 4096}, {3, 0, (1 << 20) - 3}}) {
                int off = c[0];
                int at = c[1];
                int len = c[2];
                ring.readFixed(fd, off, 1, base + at, len, TAG);
                long done = ring.await(true);
                assertEquals(TAG, FuseRing.entry(done), "the read-fixed's own completion");
                assertEquals(len, FuseRing.result(done), "bytes read at " + off);
                byte[] got = new byte[len];
                buf.get(at, got);
                for (int i = 0; i < len; i++) {
                    assertEquals(data[off + i], got[i], "byte " + (off + i));
                }
            }
            ring.readFixed(fd, data.length - 2, 1, base, 4096, TAG); // past the end: a short read
            assertEquals(2, FuseRing.result(ring.await(true)));
            ring.readFixed(fd, 0, 2, 0, 4096, TAG); // an empty slot
            assertEquals(-14, FuseRing.result(ring.await(true)), "EFAULT");
            ring.setBuffer(1, 0, 0); // emptied again
            assertThrows(NativeIoException.class, () -> ring.sparseBuffers(3), "one table per ring");
        } finally {
            AtFiles.close(fd);
        }
    }

    @Test
    void aWriteFixedDrainsTheRegisteredBufferByteExactly() throws Exception {
        byte[] data = new byte[(1 << 20) + 3];
        new Random(21).nextBytes(data);
        ByteBuffer buf = ByteBuffer.allocateDirect(data.length);
        buf.put(0, data);
        long base = Splice.address(buf);
        Path file = dir.resolve("w");
        int fd = AtFiles.openat(-100, file.toString(), FileConstants.O_RDWR | FileConstants.O_CREAT, 0600);
        try (FuseRing ring = ringOrSkip()) {
            ring.sparseBuffers(2);
            ring.setBuffer(1, base, buf.capacity());
            // The first 4097 bytes at file offset 5, then the rest as a short write's remainder would go.
            ring.writeFixed(fd, 5, 1, base, 4097, TAG);
            long done = ring.await(true);
            assertEquals(TAG, FuseRing.entry(done), "the write-fixed's own completion");
            assertEquals(4097, FuseRing.result(done));
            ring.writeFixed(fd, 5 + 4097, 1, base + 4097, data.length - 4097, TAG);
            assertEquals(data.length - 4097, FuseRing.result(ring.await(true)));
            byte[] got = Files.readAllBytes(file);
            assertEquals(5 + data.length, got.length);
            for (int i = 0; i < data.length; i++) {
                assertEquals(data[i], got[5 + i], "byte " + i);
            }
            ring.writeFixed(fd, 0, 0, 0, 4096, TAG); // an empty slot
            assertEquals(-14, FuseRing.result(ring.await(true)), "EFAULT");
        } finally {
            AtFiles.close(fd);
        }
    }
}
