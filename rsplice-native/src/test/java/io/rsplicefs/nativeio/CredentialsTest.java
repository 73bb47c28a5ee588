package io.rsplicefs.nativeio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CredentialsTest {
    static final int NOBODY = 65534;

    @TempDir
    Path dir;

    @Test
    void createsAsAnotherUserOnThisThreadOnly() throws Exception {
        assumeTrue(Credentials.fsuid() == 0, "needs root");
        Path shared = Files.createDirectory(dir.resolve("shared"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
        int fd = AtFiles.openat(-100, shared.toString(), FileConstants.O_PATH | FileConstants.O_DIRECTORY, 0);
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch checked = new CountDownLatch(1);
        CompletableFuture<int[]> other = CompletableFuture.supplyAsync(() -> {
            try {
                Credentials.enter(NOBODY, NOBODY, 0);
                try {
                    entered.countDown();
                    checked.await();
                    AtFiles.mkdirat(fd, "d", 0755);
                    return new int[] {Credentials.fsuid(), Credentials.fsgid()};
                } finally {
                    Credentials.leave();
                }
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        entered.await();
        // This thread is still root while the other one is nobody.
        assertEquals(0, Credentials.fsuid());
        AtFiles.mkdirat(fd, "mine", 0755);
        checked.countDown();
        assertEquals(NOBODY, other.get()[0]);
        assertEquals(NOBODY, other.get()[1]);
        assertEquals(NOBODY, AtFiles.fstatat(fd, "d", 0).uid());
        assertEquals(NOBODY, AtFiles.fstatat(fd, "d", 0).gid());
        assertEquals(0, AtFiles.fstatat(fd, "mine", 0).uid());
        // As nobody, root's 0755 directory cannot be written, and no capability overrides it.
        Credentials.enter(NOBODY, NOBODY, 0);
        try {
            NativeIoException denied = org.junit.jupiter.api.Assertions.assertThrows(NativeIoException.class,
                    () -> AtFiles.mkdirat(fd, "mine/x", 0755));
            assertEquals("EACCES", denied.errnoName());
        } finally {
            Credentials.leave();
        }
        assertEquals(0, Credentials.fsuid());
        assertEquals(0, Credentials.fsgid());
        AtFiles.mkdirat(fd, "mine/x", 0755);
        AtFiles.close(fd);
    }
}
