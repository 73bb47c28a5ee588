package io.rsplicefs.fs.read;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.kenai.jffi.MemoryIO;
import io.rsplicefs.fs.reply.ReadReply;
import io.rsplicefs.fs.stats.ReadCounters;
import io.rsplicefs.fs.store.ByteSource;
import io.rsplicefs.nativeio.AtFiles;
import io.rsplicefs.nativeio.FileConstants;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PageSkewTest {
    @Test
    void onlyRangesStartingJustBelowAPageBoundaryAlias() {
        assertFalse(PageSkew.aliases(new ByteSource.FdRange(3, 0, 1 << 20), 0), "aligned");
        assertFalse(PageSkew.aliases(new ByteSource.FdRange(3, 512, 1 << 20), 4096), "a tar member's 512 bytes");
        assertFalse(PageSkew.aliases(new ByteSource.FdRange(3, 4096 - PageSkew.BAND, 1 << 20), 0), "at the band");
        assertTrue(PageSkew.aliases(new ByteSource.FdRange(3, 4093, 1 << 20), 0), "3 bytes below a boundary");
        assertTrue(PageSkew.aliases(new ByteSource.FdRange(3, 75_710_461, 1 << 20), 8192), "the bench's zip member");
        assertTrue(PageSkew.aliases(new ByteSource.FdRange(3, 4096 - PageSkew.BAND + 1, 1 << 20), 0));
    }

    @Test
    void aSkewedRangeIsCopiedHalfAPageOffAndCounted(@TempDir Path dir) throws Exception {
        byte[] data = new byte[3 * 4096 + 100];
        new Random(7).nextBytes(data);
        Path f = dir.resolve("archive");
        Files.write(f, data);
        int fd = AtFiles.openat(-100, f.toString(), FileConstants.O_RDONLY | FileConstants.O_CLOEXEC, 0);
        try {
            ByteSource.FdRange member = new ByteSource.FdRange(fd, 4093, 2 * 4096 + 50);
            ReadCounters counters = new ReadCounters();
            ReadReply reply = new RspliceReader(SpliceSupport.ALWAYS).read(member, 8192, 4096, counters);
            ReadReply.Memory m = assertInstanceOf(ReadReply.Memory.class, reply.payload());
            assertEquals(2048, m.address() & 4095, "half a page from the page cache's offset 0");
            byte[] got = new byte[(int) m.length()];
            MemoryIO.getInstance().getByteArray(m.address(), got, 0, got.length);
            MemoryIO.getInstance().freeMemory(m.base());
            assertArrayEquals(Arrays.copyOfRange(data, 4093 + 4096, 4093 + 4096 + 4096 + 50), got,
                    "clamped to the member");
            assertEquals(1, counters.copyReplies());
            assertEquals(0, counters.spliceReplies());
        } finally {
            AtFiles.close(fd);
        }
    }
}
