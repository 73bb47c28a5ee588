package io.rsplicefs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class RuntimeDirTest {
    @Test
    void keysAreReadableAndTellApartPathsThatFlattenAlike() {
        String ab = RuntimeDir.key(Path.of("/a-b"));
        String aSlashB = RuntimeDir.key(Path.of("/a/b"));
        assertTrue(ab.matches("a-b-[0-9a-f]{8}"), ab);
        assertTrue(aSlashB.matches("a-b-[0-9a-f]{8}"), aSlashB);
        assertNotEquals(ab, aSlashB);
        assertEquals(RuntimeDir.key(Path.of("/a/b")), aSlashB, "stable");
    }

    @Test
    void rootAndLongPathsGetUsableNames() {
        assertTrue(RuntimeDir.key(Path.of("/")).matches("root-[0-9a-f]{8}"));
        String longKey = RuntimeDir.key(Path.of("/" + "x".repeat(200) + "/tail"));
        assertEquals(80 + 9, longKey.length(), "the last 80 characters and the hash");
        assertTrue(longKey.contains("-tail-"), longKey);
    }

    @Test
    void recordAndLogAreSiblingsNamedByTheKey() {
        RuntimeDir d = RuntimeDir.forCurrentUser();
        Path mp = Path.of("/mnt/data");
        assertEquals(d.path().resolve(RuntimeDir.key(mp) + ".pid"), d.recordFile(mp));
        assertEquals(d.path().resolve(RuntimeDir.key(mp) + ".log"), d.logFile(mp));
    }
}
