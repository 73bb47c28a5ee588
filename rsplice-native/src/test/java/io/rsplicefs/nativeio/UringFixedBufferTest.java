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
 * entries by its tag; a read-fixed into an empty slot fails (EFAULT).
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
}
