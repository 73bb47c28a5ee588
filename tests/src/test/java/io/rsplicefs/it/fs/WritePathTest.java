package io.rsplicefs.it.fs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rsplicefs.fs.read.ReadPath;
import io.rsplicefs.it.support.SharedMounts;
import io.rsplicefs.it.support.TestData;
import io.rsplicefs.it.support.TestMount;
import io.rsplicefs.it.support.TimeScale;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Changes through the mount show in the backing directory and the other way round. The tests share one
 * mount; each works in a directory of its own in it.
 */
@Tag("fuse")
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class WritePathTest {
    @RegisterExtension
    static final SharedMounts MOUNTS = new SharedMounts(Duration.ofMinutes(12));

    TestMount m;
    Path mnt;
    Path src;

    @BeforeEach
    void area(TestInfo test) throws Exception {
        SharedMounts.Area a = MOUNTS.area("auto", ReadPath.AUTO, false, null,
                test.getTestMethod().orElseThrow().getName());
        m = a.mount();
        mnt = a.mountpoint();
        src = a.source();
    }

    @Test
    void createWriteTruncateRenameUnlink() throws Exception {
        Files.writeString(mnt.resolve("a.txt"), "hello");
        assertEquals("hello", Files.readString(src.resolve("a.txt")));
        try (FileChannel ch = FileChannel.open(mnt.resolve("a.txt"), StandardOpenOption.WRITE)) {
            ch.truncate(2);
        }
        assertEquals("he", Files.readString(src.resolve("a.txt")));
        Files.move(mnt.resolve("a.txt"), mnt.resolve("b.txt"));
        assertFalse(Files.exists(src.resolve("a.txt")));
        assertEquals("he", Files.readString(src.resolve("b.txt")));
        Files.delete(mnt.resolve("b.txt"));
        assertFalse(Files.exists(src.resolve("b.txt")));
        assertThrows(NoSuchFileException.class, () -> Files.readString(mnt.resolve("b.txt")));
    }

    @Test
    void directoriesSymlinksLinksModes() throws Exception {
        Files.createDirectory(mnt.resolve("d"));
        assertTrue(Files.isDirectory(src.resolve("d")));
        Files.writeString(mnt.resolve("d/f"), "x");
        assertThrows(DirectoryNotEmptyException.class, () -> Files.delete(mnt.resolve("d")));
        Files.createSymbolicLink(mnt.resolve("l"), Path.of("d/f"));
        assertEquals(Path.of("d/f"), Files.readSymbolicLink(src.resolve("l")));
        assertEquals("x", Files.readString(mnt.resolve("l")));
        Files.createLink(mnt.resolve("hard"), mnt.resolve("d/f"));
        assertEquals(2, (int) Files.getAttribute(src.resolve("d/f"), "unix:nlink"));
        Files.setPosixFilePermissions(mnt.resolve("d/f"), PosixFilePermissions.fromString("rw-r-----"));
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(src.resolve("d/f"))));
        Files.setLastModifiedTime(mnt.resolve("hard"), java.nio.file.attribute.FileTime.fromMillis(1_000_000_000L));
        assertEquals(1_000_000_000L, Files.getLastModifiedTime(src.resolve("d/f")).toMillis());
        Files.delete(mnt.resolve("d/f"));
        Files.delete(mnt.resolve("d"));
        assertFalse(Files.exists(src.resolve("d")));
    }

    @Test
    void backingChangesShowThroughTheMount() throws Exception {
        Files.createDirectories(src.resolve("x/y"));
        Files.writeString(src.resolve("x/y/z"), "from below");
        assertEquals("from below", Files.readString(mnt.resolve("x/y/z")));
        try (var s = Files.list(mnt.resolve("x/y"))) {
            assertEquals(1, s.count());
        }
        Files.delete(src.resolve("x/y/z"));
        // the kernel caches lookups for a second (entry_timeout); wait it out
        long deadline = System.nanoTime() + TimeScale.of(5_000_000_000L);
        while (Files.exists(mnt.resolve("x/y/z")) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertFalse(Files.exists(mnt.resolve("x/y/z")));
    }

    @Test
    void userXattrsBothWays() throws Exception {
        Files.writeString(mnt.resolve("x"), "1");
        UserDefinedFileAttributeView viaMount = Files.getFileAttributeView(mnt.resolve("x"),
                UserDefinedFileAttributeView.class);
        viaMount.write("color", StandardCharsets.UTF_8.encode("blue"));
        UserDefinedFileAttributeView viaBacking = Files.getFileAttributeView(src.resolve("x"),
                UserDefinedFileAttributeView.class);
        ByteBuffer b = ByteBuffer.allocate(viaBacking.size("color"));
        viaBacking.read("color", b);
        assertEquals("blue", new String(b.array(), StandardCharsets.UTF_8));
        viaBacking.write("shape", StandardCharsets.UTF_8.encode("round"));
        assertTrue(viaMount.list().containsAll(java.util.List.of("color", "shape")));
        viaMount.delete("color");
        assertFalse(viaBacking.list().contains("color"));
    }

    @Test
    void statsXattrIsOnTheRootOnlyAndNotInTheBackingStore() throws Exception {
        // the mount's root, not this test's directory in it
        Path mnt = m.mountpoint();
        Path src = m.source();
        UserDefinedFileAttributeView root = Files.getFileAttributeView(mnt, UserDefinedFileAttributeView.class);
        ByteBuffer b = ByteBuffer.allocate(root.size("rsplicefs.stats"));
        root.read("rsplicefs.stats", b);
        assertTrue(new String(b.array(), StandardCharsets.UTF_8).contains("\"readPaths\""));
        assertFalse(root.list().contains("rsplicefs.stats"), "hidden from listings");
        assertFalse(Files.getFileAttributeView(src, UserDefinedFileAttributeView.class).list()
                .contains("rsplicefs.stats"), "never written to the backing directory");
    }

    @Test
    void tenMebibytesOfRandomWritesReadBackIdentical() throws Exception {
        int size = 10 << 20;
        byte[] model = new byte[size];
        Path f = mnt.resolve("rw");
        Random r = new Random(77);
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(model), 0);
            long written = 0;
            while (written < size) {
                int off = r.nextInt(size);
                int len = Math.min(size - off, 1 + r.nextInt(200_000));
                byte[] chunk = TestData.bytes(len, written);
                System.arraycopy(chunk, 0, model, off, len);
                ch.write(ByteBuffer.wrap(chunk), off);
                written += len;
            }
        }
        assertArrayEquals(model, Files.readAllBytes(src.resolve("rw")), "backing file");
        assertArrayEquals(model, Files.readAllBytes(f), "read back through the mount");
    }
}
