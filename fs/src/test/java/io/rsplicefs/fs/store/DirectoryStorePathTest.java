package io.rsplicefs.fs.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.rsplicefs.nativeio.NativeIoException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectoryStorePathTest {
    @Test
    void fusePathsBecomeRelativeAndDotDotIsRefused() throws Exception {
        assertEquals(".", DirectoryStore.relative("/"));
        assertEquals("a/b", DirectoryStore.relative("/a/b"));
        for (String bad : new String[] {"/..", "/a/../b", "/a//b", "/./a", "/a/"}) {
            assertEquals(22, assertThrows(NativeIoException.class, () -> DirectoryStore.relative(bad)).errno(), bad);
        }
    }

    @Test
    void aSymlinkInsideAPathCannotLeadOutOfTheRoot(@TempDir Path dir) throws Exception {
        Path root = Files.createDirectories(dir.resolve("root"));
        Files.createDirectories(dir.resolve("outside"));
        Files.writeString(dir.resolve("outside/secret"), "x");
        Files.createSymbolicLink(root.resolve("link"), dir.resolve("outside"));
        try (DirectoryStore s = DirectoryStore.open(root)) {
            assertEquals(40, assertThrows(NativeIoException.class, () -> s.open("/link/secret", 0)).errno(), "ELOOP");
            try (StoreFile f = s.create("/new", 1 | 64, 0600, null)) {
                assertEquals(f.stat().ino(), s.stat("/new").ino());
                assertEquals(true, f.source().canDonate());
            }
        }
    }
}
