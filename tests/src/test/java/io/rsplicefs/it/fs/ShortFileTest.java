package io.rsplicefs.it.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rsplicefs.fs.read.ReadPath;
import io.rsplicefs.fs.stats.ReadCounters;
import io.rsplicefs.it.support.Backing;
import io.rsplicefs.it.support.KernelMoves;
import io.rsplicefs.it.support.TestData;
import io.rsplicefs.it.support.TestMount;
import io.rsplicefs.it.support.Uncached;
import java.io.ByteArrayOutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * "Promise more than you deliver": the kernel believes a file is 1 MiB (from
 * getattr), the backing file is truncated behind its back, and the reader
 * must get exactly the bytes that exist, without a hang, and splicing (with
 * page moves) must still work for the rest of the session.
 */
@Tag("fuse")
@Timeout(value = 3, unit = TimeUnit.MINUTES)
@Tag("kernel")
class ShortFileTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(value = ReadPath.class, names = {"FD", "RSPLICE", "AUTO", "COPY"})
    void truncatedBackingFileGivesTheBytesThatExist(ReadPath path) throws Exception {
        try (TestMount m = TestMount.of(dir, path, true, Duration.ofMinutes(2), c -> c.sampleEvery(1))) {
            Path backing = m.source().resolve("shrinks");
            byte[] want = TestData.write(backing, 1 << 20, 5);
            int kept = 100_000;
            try (Uncached u = new Uncached(m.mountpoint().resolve("shrinks"), 256 << 10)) {
                // the open made the kernel look the file up: it knows 1 MiB
                try (FileChannel ch = FileChannel.open(backing, StandardOpenOption.WRITE)) {
                    ch.truncate(kept);
                }
                u.dropCache();
                ByteArrayOutputStream all = new ByteArrayOutputStream();
                long off = 0;
                while (true) {
                    byte[] got = u.read(off, 128 << 10);
                    if (got.length == 0) {
                        break;
                    }
                    all.write(got);
                    off += got.length;
                }
                byte[] got = all.toByteArray();
                assertEquals(kept, got.length, "the reader gets exactly the bytes that exist");
                assertEquals(-1, TestData.mismatch(want, 0, got, kept));
            }

            // Later reads still splice and, with splice_move, still move pages: splicing was not
            // switched off for the session by the short reply.
            ReadCounters c = m.counters();
            long splicedBefore = c.spliceReplies();
            long sampledBefore = c.sampledPages();
            long movedBefore = c.movedPages();
            Path next = m.source().resolve("next");
            byte[] more = TestData.write(next, 8 << 20, 6);
            Backing.evict(next);
            byte[] back = DonationTest.readThrough(m.mountpoint().resolve("next"), 8 << 20);
            assertEquals(-1, TestData.mismatch(more, 0, back, more.length));
            DonationTest.awaitReleased(m);
            if (path == ReadPath.COPY) {
                assertEquals(0, c.spliceReplies());
                return;
            }
            if (m.stats().passthrough().status().equals("on")) {
                // auto on the direct engine: the kernel read the backing file itself, nothing to splice or move
                assertEquals(splicedBefore, c.spliceReplies(), m.stats().passthrough().toString());
                assertTrue(m.stats().passthrough().opens() >= 2, m.stats().passthrough().toString());
                return;
            }
            assertTrue(c.spliceReplies() > splicedBefore, "later replies are still spliced");
            long sampled = c.sampledPages() - sampledBefore;
            long moved = c.movedPages() - movedBefore;
            KernelMoves.assumeSome(moved, sampled, "replies after a short one");
            assertTrue(sampled > 0 && moved >= sampled * DonationTest.MOVED_FLOOR,
                    "later replies still move pages: " + moved + " of " + sampled);
        }
    }
}
