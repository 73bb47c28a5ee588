package io.rsplicefs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DaemonRecordTest {
    @TempDir
    Path dir;

    @Test
    void writtenRecordReadsBackTheSame() throws Exception {
        Path file = dir.resolve("m.pid");
        DaemonRecord r = DaemonRecord.ofThisProcess(Path.of("/src dir"), Path.of("/mnt"), "rsplice", "/run/x.log",
                "gift falls back to rsplice");
        r.write(file);
        assertEquals(Optional.of(r), DaemonRecord.read(file));
        try (var s = Files.list(dir)) {
            assertEquals(1, s.count(), "no temporary file left");
        }
    }

    @Test
    void thisProcessIsRunningAndARecycledPidIsNot() {
        DaemonRecord r = DaemonRecord.ofThisProcess(Path.of("/s"), Path.of("/m"), "auto", null, null);
        assertTrue(r.startTicks() > 0);
        assertTrue(r.isRunning());
        DaemonRecord recycled = new DaemonRecord(r.pid(), r.startTicks() - 1, r.source(), r.mountpoint(),
                r.readPath(), null, null);
        assertFalse(recycled.isRunning());
    }

    @Test
    void missingOrBrokenRecordsAreNone() throws Exception {
        assertEquals(Optional.empty(), DaemonRecord.read(dir.resolve("missing")));
        Path junk = Files.writeString(dir.resolve("junk"), "pid=not a number\n");
        assertEquals(Optional.empty(), DaemonRecord.read(junk));
    }

    @Test
    void deletesOnlyItsOwnRecord() throws Exception {
        Path file = dir.resolve("m.pid");
        DaemonRecord mine = new DaemonRecord(100, 5, Path.of("/s"), Path.of("/m"), "auto", null, null);
        DaemonRecord newer = new DaemonRecord(101, 6, Path.of("/s"), Path.of("/m"), "auto", null, null);
        newer.write(file);
        mine.deleteIfOwner(file);
        assertTrue(Files.exists(file), "a newer daemon's record stays");
        newer.deleteIfOwner(file);
        assertFalse(Files.exists(file));
    }
}
