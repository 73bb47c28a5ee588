package io.rsplicefs.fs.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MountTableTest {
    @TempDir
    Path dir;

    @Test
    void parsesMountinfoLinesAndUnescapesTheirPaths() {
        String text = "22 1 259:1 / / rw,relatime shared:1 - ext4 /dev/vda rw\n"
                + "61 22 0:52 / /tmp/my\\040mnt rw,nosuid - fuse.rsplicefs rsplicefs rw,user_id=0\n"
                + "garbage\n";
        List<MountTable.Entry> e = MountTable.parse(text);
        assertEquals(List.of(new MountTable.Entry("/", "ext4", "259:1"),
                new MountTable.Entry("/tmp/my mnt", "fuse.rsplicefs", "0:52")), e);
    }

    @Test
    void unescapesOnlyOctalEscapes() {
        assertEquals("a b\tc\\d", MountTable.unescape("a\\040b\\011c\\134d"));
        assertEquals("no\\escape", MountTable.unescape("no\\escape"));
        assertEquals("end\\04", MountTable.unescape("end\\04"));
    }

    @Test
    void readsThisProcesssMountTable() {
        assertTrue(MountTable.isMounted(Path.of("/")));
        assertEquals(Optional.of("proc"), MountTable.typeAt(Path.of("/proc")));
        assertTrue(MountTable.deviceAt(Path.of("/proc")).orElseThrow().matches("\\d+:\\d+"));
        assertEquals("proc", MountTable.fsTypeHolding(Path.of("/proc/self/stat")));
        assertFalse(MountTable.isMounted(dir));
        assertEquals(List.of(), MountTable.mountPointsUnder(dir));
        List<Path> underProc = MountTable.mountPointsUnder(Path.of("/proc"));
        assertTrue(underProc.contains(Path.of("/proc")));
        assertEquals(Path.of("/proc"), underProc.get(underProc.size() - 1), "deepest first: /proc last");
    }

    @Test
    void canonicalResolvesSymlinksWhereThePathExists() throws Exception {
        Path real = Files.createDirectory(dir.resolve("real"));
        Path link = Files.createSymbolicLink(dir.resolve("link"), real);
        assertEquals(real.toRealPath(), MountTable.canonical(link));
        Path missing = dir.resolve("link/../gone/./x");
        assertEquals(dir.toAbsolutePath().resolve("gone/x"), MountTable.canonical(missing));
    }
}
