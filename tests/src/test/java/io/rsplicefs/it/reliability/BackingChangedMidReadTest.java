package io.rsplicefs.it.reliability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rsplicefs.fs.read.ReadPath;
import io.rsplicefs.it.support.Backing;
import io.rsplicefs.it.support.SharedMounts;
import io.rsplicefs.it.support.StatsXattr;
import io.rsplicefs.it.support.TestData;
import io.rsplicefs.it.support.TestEngine;
import io.rsplicefs.it.support.Uncached;
import java.io.ByteArrayOutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The backing file is deleted (and its name reused) or truncated while a
 * client is in the middle of reading it through the mount (between two of
 * its reads: the file open, replies already sent). The daemon reads
 * through the fd it opened, so a deleted file keeps giving its own bytes,
 * and a truncated one gives the bytes that still exist; the reader never
 * hangs, no request fails, and later reads are still spliced. Counters are
 * taken from the stats xattr, as a client would see them.
 */
@Tag("fuse")
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class BackingChangedMidReadTest {
    static final int SIZE = 8 << 20;
    static final int CHUNK = 128 << 10;

    /** One mount per read path, shared by the two tests (each in a directory of its own). */
    @RegisterExtension
    static final SharedMounts MOUNTS = new SharedMounts(Duration.ofMinutes(6));

    /** Something done to the backing file between two reads of the client. */
    interface Fault {
        void apply() throws Exception;
    }

    /**
     * Reads the file from offset 0 to its end in 128 KiB requests, dropping
     * the FUSE cache every MiB so the reads keep reaching the daemon; after
     * the first MiB (the file open, its first replies sent) the fault is applied.
     */
    private static byte[] readToEnd(Path file, Fault fault) throws Exception {
        try (Uncached u = new Uncached(file, CHUNK)) {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            for (long off = 0; ; ) {
                if (off == 1 << 20 && fault != null) {
                    fault.apply();
                }
                if (off % (1 << 20) == 0) {
                    u.dropCache();
                }
                byte[] got = u.read(off, CHUNK);
                if (got.length == 0) {
                    return all.toByteArray();
                }
                all.write(got);
                off += got.length;
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = ReadPath.class, names = {"FD", "RSPLICE", "AUTO", "PASSTHROUGH", "COPY"})
    void deletedAndReplacedMidReadKeepsGivingTheOpenFilesBytes(ReadPath path) throws Exception {
        SharedMounts.Area m = MOUNTS.area(path.id(), path, false, null, "deleted-and-replaced");
        Path backing = m.source().resolve("f");
        byte[] want = TestData.write(backing, SIZE, 21);
        byte[] replacement = TestData.bytes(1 << 20, 22);
        byte[] got = readToEnd(m.mountpoint().resolve("f"), () -> {
            Files.delete(backing);
            // the name now leads to other bytes: serving by name instead of by the open fd would show
            Files.write(backing, replacement);
        });
        assertEquals(SIZE, got.length, "the open file keeps its size");
        assertEquals(-1, TestData.mismatch(want, 0, got, SIZE), "bytes of the deleted file");

        assertArrayEquals(replacement, Files.readAllBytes(m.mountpoint().resolve("f")),
                "a new open gets the file now at that name");
        Files.delete(backing);
        // An open always reaches the daemon (a stat could be answered from the kernel's attribute cache).
        assertThrows(NoSuchFileException.class, () -> Files.readAllBytes(m.mountpoint().resolve("f")),
                "and after its delete, nothing");
        assertLaterReadsStillSplice(m, path);
    }

    @ParameterizedTest
    @EnumSource(value = ReadPath.class, names = {"FD", "RSPLICE", "AUTO", "PASSTHROUGH", "COPY"})
    void truncatedMidReadGivesTheBytesThatExist(ReadPath path) throws Exception {
        SharedMounts.Area m = MOUNTS.area(path.id(), path, false, null, "truncated");
        Path backing = m.source().resolve("f");
        byte[] want = TestData.write(backing, SIZE, 23);
        int kept = 3 * (1 << 20) + 123;
        byte[] got = readToEnd(m.mountpoint().resolve("f"), () -> {
            try (FileChannel ch = FileChannel.open(backing, StandardOpenOption.WRITE)) {
                ch.truncate(kept);
            }
        });
        assertBytesThatExistThenEnd(path + ", first pass", want, kept, got);
        byte[] again = readToEnd(m.mountpoint().resolve("f"), null);
        assertBytesThatExistThenEnd(path + ", second pass", want, kept, again);
        assertLaterReadsStillSplice(m, path);
    }

    /**
     * Every byte that still exists, then end of file. The kernel still believes
     * 8 MiB: the daemon's short reply at the new end tells it the file ended
     * there. When a readahead reply and a read race at that point, the kernel
     * may keep the old size a little longer and serve the rest of the short
     * request's pages, which it fills with zeros; so zeros up to the end of
     * that one request (128 KiB at most) are allowed, and nothing else.
     */
    private static void assertBytesThatExistThenEnd(String what, byte[] want, int kept, byte[] got) {
        assertTrue(got.length >= kept, what + ": " + got.length + " bytes, " + kept + " exist");
        assertEquals(-1, TestData.mismatch(want, 0, got, kept), what + ": bytes of the truncated file");
        int extra = got.length - kept;
        if (extra > 0) {
            System.out.printf("%s: %d bytes past the new end%n", what, extra);
            assertTrue(extra <= CHUNK, what + ": " + extra + " bytes past the new end");
            for (int i = kept; i < got.length; i++) {
                assertEquals(0, got[i], what + ": byte " + i + " past the new end is not zero");
            }
        }
    }

    /** No request failed, and a fresh file is still spliced: splicing was not turned off for the session. */
    private static void assertLaterReadsStillSplice(SharedMounts.Area m, ReadPath path) throws Exception {
        Path mnt = m.mountpoint();
        StatsXattr before = StatsXattr.read(m.mount().mountpoint());
        Path next = m.source().resolve("next");
        byte[] more = TestData.write(next, 4 << 20, 24);
        Backing.evict(next);
        try (Uncached u = new Uncached(mnt.resolve("next"), CHUNK)) {
            u.dropCache();
            for (int off = 0; off < more.length; off += CHUNK) {
                byte[] got = u.read(off, CHUNK);
                assertEquals(CHUNK, got.length, "next, length at " + off);
                assertEquals(-1, TestData.mismatch(more, off, got, CHUNK), "next, at " + off);
            }
        }
        StatsXattr after = StatsXattr.read(m.mount().mountpoint());
        String id = path.id();
        System.out.printf("%s: %d requests, %d spliced, %d errors in all%n", path, after.readPath(id).requests(),
                after.readPath(id).spliceReplies(), after.readPath(id).errors());
        assertEquals(0, after.readPath(id).errors(), "failed reads");
        assertEquals(0, after.callbackFailures().size(), "callback failures: " + after.callbackFailures());
        long spliced = after.readPath(id).spliceReplies() - before.readPath(id).spliceReplies();
        if (after.passthrough().status().equals("on")) {
            // The kernel reads the backing file itself: no reply to splice, the open was handed over.
            assertEquals(0, spliced, "passed through: " + after.passthrough());
            assertTrue(after.passthrough().opens() > before.passthrough().opens(), after.passthrough().toString());
        } else if (path == ReadPath.COPY) {
            assertEquals(0, spliced);
        } else {
            // 4 MiB: 32 requests of 128 KiB with libfuse; the direct engine's read-ahead asks in about 1 MiB
            assertTrue(spliced >= (TestEngine.isDirect() ? 4 : 16), "later replies are still spliced: " + spliced);
        }
    }
}
