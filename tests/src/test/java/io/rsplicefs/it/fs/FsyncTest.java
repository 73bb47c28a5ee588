package io.rsplicefs.it.fs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.rsplicefs.fs.MountConfig;
import io.rsplicefs.fs.read.ReadPath;
import io.rsplicefs.it.support.BackingSyncs;
import io.rsplicefs.it.support.SharedMounts;
import io.rsplicefs.it.support.TestData;
import io.rsplicefs.it.support.TestEngine;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * fsync and fdatasync through the mount reach the backing file's own fsync in the kernel (seen by the
 * backing ext4's tracepoint, not the daemon's word), with the data in the backing file by then; on the
 * direct engine also under the writeback cache, whose writes reach the daemon only at writeback or fsync,
 * and whose kernel reads through write-only handles and appends by itself.
 */
@Tag("fuse")
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class FsyncTest {
    @RegisterExtension
    static final SharedMounts MOUNTS = new SharedMounts(Duration.ofMinutes(4));

    @Test
    void fsyncAndFdatasyncReachTheBackingFile() throws Exception {
        syncsReachTheBackingFile("plain", null);
    }

    @Test
    void fsyncReachesTheBackingFileUnderTheWritebackCache() throws Exception {
        assumeTrue(TestEngine.isDirect(), "the writeback cache is the direct engine's");
        syncsReachTheBackingFile("writeback", c -> c.writebackCache(true));
    }

    private void syncsReachTheBackingFile(String name, Consumer<MountConfig> tweak) throws Exception {
        SharedMounts.Area a = MOUNTS.area(name, ReadPath.AUTO, false, tweak, "fsync");
        Path backing = a.source().resolve("f");
        Files.write(backing, new byte[0]);
        byte[] data = TestData.bytes(3 << 20, 7);
        try (BackingSyncs syncs = BackingSyncs.open(backing)) {
            assumeTrue(syncs != null, "no ext4 tracepoints for the backing file (not ext4, or no tracefs)");
            try (FileChannel ch = FileChannel.open(a.mountpoint().resolve("f"), StandardOpenOption.WRITE)) {
                ch.write(ByteBuffer.wrap(data, 0, 1 << 20));
                ch.force(true);
                assertEquals(List.of(false), datasyncs(syncs), "one fsync(2) reached the backing file");
                assertArrayEquals(Arrays.copyOf(data, 1 << 20), Files.readAllBytes(backing),
                        "the data was in the backing file when fsync returned");
                syncs.clear();
                ch.write(ByteBuffer.wrap(data, 1 << 20, data.length - (1 << 20)));
                ch.force(false);
                assertEquals(List.of(true), datasyncs(syncs), "one fdatasync(2) reached the backing file");
                assertArrayEquals(data, Files.readAllBytes(backing));
            }
        }
    }

    private static List<Boolean> datasyncs(BackingSyncs s) throws Exception {
        return s.syncs().stream().map(BackingSyncs.Sync::datasync).toList();
    }

    /**
     * Under the writeback cache the kernel fills a partly written page by reading it through the
     * writer's handle (write-only here), puts O_APPEND writes at its own idea of the end, and hands
     * over the file's mtime later by SETATTR: the backing file gets the bytes and the time.
     */
    @Test
    void writebackCacheReadsThroughWriteOnlyHandlesAndAppends() throws Exception {
        assumeTrue(TestEngine.isDirect(), "the writeback cache is the direct engine's");
        SharedMounts.Area a = MOUNTS.area("writeback", ReadPath.AUTO, false, c -> c.writebackCache(true), "wb");
        assertTrue(a.mount().stats().engine().accepted().contains("WRITEBACK_CACHE"),
                () -> "accepted: " + a.mount().stats().engine().accepted());
        byte[] model = TestData.bytes(256 << 10, 3);
        Files.write(a.source().resolve("f"), model);
        Path f = a.mountpoint().resolve("f");
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
            for (int i = 0; i < 50; i++) {
                int off = 1000 + i * 4999; // unaligned, inside pages the kernel has not cached
                byte[] b = TestData.bytes(100, 100 + i);
                ch.write(ByteBuffer.wrap(b), off);
                System.arraycopy(b, 0, model, off, b.length);
            }
        }
        byte[] tail = TestData.bytes(5000, 99);
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            ch.write(ByteBuffer.wrap(tail));
            ch.write(ByteBuffer.wrap(tail));
        }
        byte[] want = Arrays.copyOf(model, model.length + 2 * tail.length);
        System.arraycopy(tail, 0, want, model.length, tail.length);
        System.arraycopy(tail, 0, want, model.length + tail.length, tail.length);
        assertArrayEquals(want, Files.readAllBytes(a.source().resolve("f")), "flushed at close, byte-exact");
        FileTime t = FileTime.fromMillis(1_500_000_000_000L);
        Files.setLastModifiedTime(f, t);
        assertEquals(t, Files.getLastModifiedTime(a.source().resolve("f")));
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(tail), 0);
            ch.force(false);
        }
        FileTime mountTime = Files.getLastModifiedTime(f);
        assertTrue(mountTime.compareTo(t) > 0, "the write moved the mtime on the mount: " + mountTime);
    }
}
