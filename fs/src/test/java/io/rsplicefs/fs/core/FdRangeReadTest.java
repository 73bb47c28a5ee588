package io.rsplicefs.fs.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.rsplicefs.fs.MountConfig;
import io.rsplicefs.fs.read.ReadPath;
import io.rsplicefs.fs.reply.ReadReply;
import io.rsplicefs.fs.stats.FsStats;
import io.rsplicefs.nativeio.AtFiles;
import io.rsplicefs.nativeio.FileConstants;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A file that is a byte range inside another file, at an unaligned offset:
 * every read path answers exactly the member's bytes, never a neighbour's.
 */
class FdRangeReadTest {
    private static final int BASE = 1000;
    private static final int LENGTH = 200_003;

    @TempDir
    Path dir;
    private byte[] whole;
    private int fd;

    @BeforeEach
    void archive() throws Exception {
        whole = new byte[BASE + LENGTH + 5000];
        new Random(7).nextBytes(whole);
        Path f = dir.resolve("archive");
        Files.write(f, whole);
        fd = AtFiles.openat(-100, f.toString(), FileConstants.O_RDONLY | FileConstants.O_CLOEXEC, 0);
    }

    @AfterEach
    void close() throws Exception {
        AtFiles.close(fd);
    }

    @ParameterizedTest
    @EnumSource(value = ReadPath.class, names = {"COPY", "FD", "RSPLICE", "AUTO"})
    void readsStayInsideTheRange(ReadPath path) throws Exception {
        FsCore core = new FsCore(new SliceStore(fd, BASE, LENGTH),
                new MountConfig(dir, dir.resolve("mnt")).readPath(path), new FsStats());
        long fh = core.open("/m", 0, () -> new Caller(0, 0, 1));
        long[][] reads = {{0, 131072}, {131072, 131072}, {LENGTH - 10, 4096}, {LENGTH, 4096}, {LENGTH + 100, 8192},
            {5, 3}};
        for (long[] r : reads) {
            ReadReply reply = core.read(fh, r[1], r[0]);
            if (path == ReadPath.RSPLICE && r[1] >= 8192 && r[0] < LENGTH) {
                assertInstanceOf(ReadReply.FilledPipe.class, reply.payload());
            }
            int from = (int) Math.min(LENGTH, r[0]);
            int to = (int) Math.min(LENGTH, r[0] + r[1]);
            assertArrayEquals(Arrays.copyOfRange(whole, BASE + from, BASE + to), Transport.send(reply),
                    path.id() + " read of " + r[1] + " at " + r[0]);
        }
        core.release(fh);
        assertEquals(0, core.stats().snapshot().readPath(path.id()).errors());
    }
}
