package io.rsplicefs.nativeio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("kernel")
class AtFilesTest {
    @TempDir
    Path dir;
    int root;

    @BeforeEach
    void open() throws Exception {
        root = SpliceTest.open(dir, FileConstants.O_RDONLY | FileConstants.O_DIRECTORY);
    }

    @AfterEach
    void close() throws Exception {
        AtFiles.close(root);
    }

    @Test
    void openat2BeneathRefusesEscapesAndSymlinks() throws Exception {
        Files.createSymbolicLink(dir.resolve("out"), Path.of("/etc"));
        long resolve = FileConstants.RESOLVE_BENEATH | FileConstants.RESOLVE_NO_SYMLINKS;
        NativeIoException up = assertThrows(NativeIoException.class,
                () -> AtFiles.openat2(root, "../x", FileConstants.O_PATH, 0, resolve));
        assertEquals("EXDEV", up.errnoName());
        NativeIoException link = assertThrows(NativeIoException.class,
                () -> AtFiles.openat2(root, "out/passwd", FileConstants.O_RDONLY, 0, resolve));
        assertEquals("ELOOP", link.errnoName());
    }

    @Test
    void metadataCallsWork() throws Exception {
        AtFiles.mkdirat(root, "d", 0755);
        assertTrue(AtFiles.fstatat(root, "d", 0).isDirectory());
        int fd = AtFiles.openat(root, "d/f", FileConstants.O_CREAT | FileConstants.O_WRONLY
                | FileConstants.O_CLOEXEC, 0600);
        AtFiles.ftruncate(fd, 12345);
        FileStat st = AtFiles.fstat(fd);
        assertEquals(12345, st.size());
        assertEquals(0600, st.mode() & 07777);
        AtFiles.close(fd);
        AtFiles.fchmodat(root, "d/f", 0640, 0);
        assertEquals(0640, AtFiles.fstatat(root, "d/f", 0).mode() & 07777);
        AtFiles.symlinkat("target", root, "l");
        assertArrayEquals("target".getBytes(StandardCharsets.UTF_8), AtFiles.readlinkat(root, "l"));
        assertTrue(AtFiles.fstatat(root, "l", FileConstants.AT_SYMLINK_NOFOLLOW).isSymlink());
        AtFiles.linkat(root, "d/f", root, "hard", 0);
        assertEquals(2, AtFiles.fstatat(root, "hard", 0).nlink());
        AtFiles.renameat2(root, "hard", root, "hard2", FileConstants.RENAME_NOREPLACE);
        String[] names = AtFiles.listDir(root);
        Arrays.sort(names);
        assertArrayEquals(new String[] {"d", "hard2", "l"}, names);
        AtFiles.utimensat(root, "hard2", 1, 0, 2, 0, FileConstants.AT_SYMLINK_NOFOLLOW);
        assertEquals(2, AtFiles.fstatat(root, "hard2", 0).mtimeSec());
        NativeIoException notEmpty = assertThrows(NativeIoException.class,
                () -> AtFiles.unlinkat(root, "d", FileConstants.AT_REMOVEDIR));
        assertEquals("ENOTEMPTY", notEmpty.errnoName());
        AtFiles.unlinkat(root, "d/f", 0);
        AtFiles.unlinkat(root, "d", FileConstants.AT_REMOVEDIR);
        assertTrue(AtFiles.fstatvfs(root).bsize() > 0);
        NativeIoException missing = assertThrows(NativeIoException.class, () -> AtFiles.fstatat(root, "nope", 0));
        assertEquals("ENOENT", missing.errnoName());
    }

    @Test
    void userXattrsThroughAnOpathFd() throws Exception {
        Files.write(dir.resolve("x"), new byte[] {1});
        int fd = AtFiles.openat(root, "x", FileConstants.O_PATH | FileConstants.O_NOFOLLOW
                | FileConstants.O_CLOEXEC, 0);
        try {
            AtFiles.setxattr(fd, "user.k", "v1".getBytes(StandardCharsets.UTF_8), 0);
            assertArrayEquals("v1".getBytes(StandardCharsets.UTF_8), AtFiles.getxattr(fd, "user.k"));
            int len = AtFiles.listxattr(fd, null);
            byte[] buf = new byte[len];
            AtFiles.listxattr(fd, buf);
            assertTrue(new String(buf, StandardCharsets.UTF_8).contains("user.k"));
            AtFiles.removexattr(fd, "user.k");
            NativeIoException gone = assertThrows(NativeIoException.class, () -> AtFiles.getxattr(fd, "user.k"));
            assertEquals("ENODATA", gone.errnoName());
        } finally {
            AtFiles.close(fd);
        }
    }
}
