package io.rsplicefs.fs.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.rsplicefs.fs.read.ReadPath;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The schema the daemon writes is the schema every reader gets back. */
class MountStatsTest {
    @Test
    void roundTripsThroughJson() throws IOException {
        FsStats s = new FsStats();
        s.mountInfo(new MountStats.MountInfo("jnr-fuse", "directory /x", "/x", "/m", 42, "gift", "rsplice", true,
                true, "fsname=rsplicefs", "auto"));
        s.of(ReadPath.RSPLICE).request();
        s.of(ReadPath.RSPLICE).spliced(131072);
        s.of(ReadPath.RSPLICE).copied(10, "under 2 pages (libfuse copies)");
        s.of(ReadPath.RSPLICE).donationSample(32, 30);
        s.writes().spliced(131072);
        s.writes().copied(5, "memory buffer from libfuse");
        s.writes().error();
        s.callbackFailure("read_buf", new IllegalStateException());
        s.gift(new MountStats.GiftStats("ran", false, 2, 0, "no", false, null));
        MountStats snap = s.snapshot();
        MountStats back = MountStats.fromJson(snap.toJson());
        assertEquals(snap, back);
        assertEquals(30, back.readPath("rsplice").donation().movedPages());
        assertEquals(Map.of("under 2 pages (libfuse copies)", 1L), back.readPath("rsplice").copyReasons());
        assertEquals(Map.of("read_buf: IllegalStateException", 1L), back.callbackFailures());
        assertEquals(new MountStats.WriteStats(3, 131077, 1, 1, Map.of("memory buffer from libfuse", 1L), 1, 0),
                back.writes());
        assertNull(back.freshPageFlush(), "no LRU flush without donation");
        assertEquals(0, back.readPath("nonesuch").requests());
    }

    @Test
    void refusesWhatIsNotTheSchema() {
        assertThrows(IOException.class, () -> MountStats.fromJson("{\"mount\": 3}"));
        assertThrows(IOException.class, () -> MountStats.fromJson("not json"));
    }
}
