package io.rsplicefs.it.direct;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.rsplicefs.fs.Engine;
import io.rsplicefs.fs.host.Capabilities;
import io.rsplicefs.fs.read.ReadPath;
import io.rsplicefs.fs.stats.MountStats;
import io.rsplicefs.it.support.TestData;
import io.rsplicefs.it.support.TestMount;
import io.rsplicefs.it.support.TimeScale;
import io.rsplicefs.it.support.Unmap;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * FUSE passthrough on the direct engine: the kernel reads, writes and maps
 * the backing file itself, so the daemon sees opens and no READ or WRITE;
 * one backing file per node while it is open; a backing file changed behind
 * the mount shows at once. Where the kernel (6.1) or the daemon (no
 * CAP_SYS_ADMIN) cannot, the same files are served by the daemon, with the
 * reason counted, and the bytes are the same.
 */
@Tag("fuse")
@Tag("kernel")
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class PassthroughTest {
    @TempDir
    Path dir;

    private TestMount mount(ReadPath path) throws Exception {
        return TestMount.of(dir, path, false, Duration.ofMinutes(2), c -> c.engine(Engine.DIRECT));
    }

    /** Whether this kernel and this daemon can pass files through (else the mount must say why). */
    private static boolean available(MountStats s) {
        boolean offered = s.engine().kernelOffered().contains("PASSTHROUGH");
        if (!offered || !Capabilities.hasSysAdmin()) {
            assertTrue(s.passthrough().status().startsWith("unavailable: "), s.passthrough().toString());
            return false;
        }
        assertEquals("on", s.passthrough().status());
        assertTrue(s.engine().accepted().contains("PASSTHROUGH"), s.engine().accepted().toString());
        return true;
    }

    private static long requests(MountStats s, String op) {
        return s.engine().requests().getOrDefault(op, 0L);
    }

    private static MountStats awaitBackingFiles(TestMount m, long n) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TimeScale.of(10));
        MountStats s = m.stats();
        while (s.passthrough().backingFiles() != n && System.nanoTime() < deadline) {
            Thread.sleep(20); // RELEASE reaches the daemon after close(2) returns
            s = m.stats();
        }
        assertEquals(n, s.passthrough().backingFiles(), s.passthrough().toString());
        return s;
    }

    @Test
    void theKernelReadsWritesAndMapsTheBackingFile() throws Exception {
        try (TestMount m = mount(ReadPath.PASSTHROUGH)) {
            byte[] data = TestData.write(m.source().resolve("f"), (8 << 20) + 3, 1);
            Path f = m.mountpoint().resolve("f");
            boolean on = available(m.stats());
            try (FileChannel a = FileChannel.open(f, StandardOpenOption.READ);
                 FileChannel b = FileChannel.open(f, StandardOpenOption.READ)) {
                ByteBuffer got = ByteBuffer.allocate(data.length);
                while (got.hasRemaining() && a.read(got) >= 0) {
                    // read to the end
                }
                assertArrayEquals(data, got.array(), "read");
                MappedByteBuffer map = b.map(FileChannel.MapMode.READ_ONLY, 0, data.length);
                byte[] mapped = new byte[data.length];
                map.get(mapped);
                Unmap.now(map); // a mapping holds the file open: the mount could not be unmounted
                assertArrayEquals(data, mapped, "mmap");
                MountStats s = m.stats();
                System.out.println("two handles open: " + s.passthrough() + ", requests " + s.engine().requests());
                if (on) {
                    assertEquals(2, s.passthrough().opens(), "both opens passed through");
                    assertEquals(1, s.passthrough().backingFiles(), "one backing file for the node");
                    assertEquals(0, requests(s, "READ"), "the daemon saw no READ");
                } else {
                    assertEquals(2, s.passthrough().fallbacks(), "both opens fell back, counted");
                    assertTrue(requests(s, "READ") > 0, "the daemon served the reads");
                }
            }
            awaitBackingFiles(m, 0);

            Files.write(f, "hello".getBytes(StandardCharsets.US_ASCII), StandardOpenOption.WRITE);
            Files.write(f, "tail".getBytes(StandardCharsets.US_ASCII), StandardOpenOption.APPEND);
            byte[] want = data.clone();
            System.arraycopy("hello".getBytes(StandardCharsets.US_ASCII), 0, want, 0, 5);
            want = java.util.Arrays.copyOf(want, want.length + 4);
            System.arraycopy("tail".getBytes(StandardCharsets.US_ASCII), 0, want, data.length, 4);
            assertArrayEquals(want, Files.readAllBytes(m.source().resolve("f")), "writes reached the backing file");
            assertEquals(want.length, Files.size(f), "the mount's size after an append");
            assertArrayEquals(want, Files.readAllBytes(f), "and reads back through the mount");
            MountStats s = awaitBackingFiles(m, 0);
            if (on) {
                assertEquals(0, requests(s, "WRITE"), "the daemon saw no WRITE");
            }

            Path g = m.mountpoint().resolve("created");
            Files.write(g, data, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            assertArrayEquals(data, Files.readAllBytes(m.source().resolve("created")), "a created file");
            if (on) {
                assertEquals(0, requests(awaitBackingFiles(m, 0), "WRITE"), "created files pass through too");
            }
        }
    }

    @Test
    void aBackingFileChangedBehindTheMountShowsAtOnce() throws Exception {
        try (TestMount m = mount(ReadPath.PASSTHROUGH)) {
            Path src = m.source().resolve("f");
            byte[] data = TestData.write(src, 1 << 20, 2);
            boolean on = available(m.stats());
            try (FileChannel ch = FileChannel.open(m.mountpoint().resolve("f"), StandardOpenOption.READ)) {
                ByteBuffer first = ByteBuffer.allocate(4096);
                ch.read(first, 0);
                assertArrayEquals(java.util.Arrays.copyOf(data, 4096), first.array());
                try (FileChannel back = FileChannel.open(src, StandardOpenOption.WRITE)) {
                    back.write(ByteBuffer.wrap("changed".getBytes(StandardCharsets.US_ASCII)), 0);
                    back.truncate(8192);
                }
                Files.delete(src);
                ByteBuffer again = ByteBuffer.allocate(4096);
                ch.read(again, 0);
                int past = ch.read(ByteBuffer.allocate(4096), 16384);
                if (on) {
                    // No FUSE page cache: the kernel reads the (now unlinked) backing file it holds open.
                    assertEquals("changed", new String(again.array(), 0, 7, StandardCharsets.US_ASCII));
                    assertEquals(-1, past, "reads end at the backing file's new end");
                }
                System.out.println("changed behind: passthrough " + on + ", first bytes now '"
                        + new String(again.array(), 0, 7, StandardCharsets.ISO_8859_1) + "', read past 8 KiB " + past);
            }
            awaitBackingFiles(m, 0);
        }
    }

    @Test
    void autoPassesThroughAndTheSplicePathsDoNot() throws Exception {
        try (TestMount m = mount(ReadPath.RSPLICE)) {
            byte[] data = TestData.write(m.source().resolve("f"), 1 << 20, 3);
            assertArrayEquals(data, Files.readAllBytes(m.mountpoint().resolve("f")));
            MountStats s = m.stats();
            assertEquals("off", s.passthrough().status());
            assertEquals(0, s.passthrough().opens() + s.passthrough().fallbacks());
            assertTrue(requests(s, "READ") > 0);
        }
        try (TestMount m = mount(ReadPath.AUTO)) {
            byte[] data = TestData.write(m.source().resolve("g"), 1 << 20, 4);
            assertArrayEquals(data, Files.readAllBytes(m.mountpoint().resolve("g")));
            MountStats s = m.stats();
            if (available(s)) {
                assertEquals(1, s.passthrough().opens(), s.passthrough().toString());
                assertEquals(0, requests(s, "READ"));
            } else {
                assertEquals(1, s.passthrough().fallbacks(), s.passthrough().toString());
            }
        }
    }

    /**
     * One file of the store lies on a stacked filesystem (an overlayfs mounted
     * inside the backing directory): the kernel refuses it as a backing file
     * (ELOOP: its stack depth is not below the max_stack_depth of 1 that the
     * engine declared at INIT), so that file is served by the daemon while its
     * neighbours pass through. A second open of it while the first is held is
     * kept daemon-served without asking the kernel again: an inode must not have
     * passthrough and daemon-served opens at once (the kernel fails such an
     * open with EIO). Both read the right bytes; a third open is refused
     * again, counted.
     */
    @Test
    void aFileOnAStackedFilesystemIsServedByTheDaemonBesideFilesThatPassThrough() throws Exception {
        Path lower = Files.createDirectories(dir.resolve("ovl-lower"));
        Path upper = Files.createDirectories(dir.resolve("ovl-upper"));
        Path work = Files.createDirectories(dir.resolve("ovl-work"));
        byte[] stackedData = TestData.write(lower.resolve("s"), (1 << 20) + 3, 7);
        try (TestMount m = mount(ReadPath.PASSTHROUGH)) {
            byte[] plainData = TestData.write(m.source().resolve("plain"), 1 << 20, 8);
            Path ovl = Files.createDirectories(m.source().resolve("stacked"));
            int rc = new ProcessBuilder("mount", "-t", "overlay", "overlay", "-o", "lowerdir=" + lower + ",upperdir="
                    + upper + ",workdir=" + work, ovl.toString()).inheritIO().start().waitFor();
            assumeTrue(rc == 0, "overlayfs cannot be mounted here");
            try {
                boolean on = available(m.stats());
                Path stacked = m.mountpoint().resolve("stacked/s");
                try (FileChannel a = FileChannel.open(stacked, StandardOpenOption.READ);
                     FileChannel b = FileChannel.open(stacked, StandardOpenOption.READ)) {
                    assertArrayEquals(stackedData, readAll(a, stackedData.length), "first handle");
                    assertArrayEquals(stackedData, readAll(b, stackedData.length), "second handle");
                    assertArrayEquals(plainData, Files.readAllBytes(m.mountpoint().resolve("plain")), "a neighbour");
                    MountStats s = m.stats();
                    System.out.println("stacked file open twice: " + s.passthrough() + ", READ " + requests(s, "READ"));
                    assertTrue(requests(s, "READ") > 0, "the daemon served the stacked file");
                    if (on) {
                        assertEquals(1, s.passthrough().opens(), "the neighbour passed through");
                        assertEquals(2, s.passthrough().fallbacks(), s.passthrough().toString());
                        assertEquals(1L, s.passthrough().fallbackReasons().get("FUSE_DEV_IOC_BACKING_OPEN ELOOP"),
                                s.passthrough().toString());
                        assertEquals(1L, s.passthrough().fallbackReasons()
                                .get("the file is open without passthrough (the kernel refuses mixing)"),
                                s.passthrough().toString());
                    }
                }
                assertArrayEquals(stackedData, Files.readAllBytes(stacked), "opened again");
                if (on) {
                    // (its reason depends on whether both RELEASEs have arrived yet: RELEASE is asynchronous)
                    assertEquals(3, m.stats().passthrough().fallbacks(), m.stats().passthrough().toString());
                }
            } finally {
                new ProcessBuilder("umount", "-l", ovl.toString()).inheritIO().start().waitFor();
            }
        }
    }

    private static byte[] readAll(FileChannel ch, int length) throws java.io.IOException {
        ByteBuffer got = ByteBuffer.allocate(length);
        while (got.hasRemaining() && ch.read(got, got.position()) >= 0) {
            // read to the end
        }
        return got.array();
    }
}
