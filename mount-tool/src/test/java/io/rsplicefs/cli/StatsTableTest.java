package io.rsplicefs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rsplicefs.fs.stats.MountStats;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StatsTableTest {
    static MountStats stats(MountStats.EngineStats engine) {
        return new MountStats(new MountStats.MountInfo(engine == null ? "jnr-fuse" : "direct", "directory /s", "/s",
                "/m", 42, "auto", "auto", false, true, "fsname=rsplicefs", "auto"), Map.of(),
                new MountStats.WriteStats(0, 0, 0, 0, Map.of(), 0, 0), MountStats.GiftStats.NOT_RUN,
                new MountStats.StableRepliesStats(true, 0, 0, 0, 0), null, Map.of(), Map.of(), engine,
                new MountStats.PassthroughStats("off", 0, 0, Map.of(), 0),
                new MountStats.ZeroCopyStats("off", 0, 0, 0, Map.of(), 0));
    }

    static MountStats.EngineStats direct() {
        Map<String, Long> requests = new LinkedHashMap<>();
        requests.put("GETATTR", 5L);
        requests.put("INIT", 1L);
        requests.put("LOOKUP", 12L);
        requests.put("OPEN", 2L);
        requests.put("READ", 4096L);
        requests.put("RELEASE", 2L);
        requests.put("STATFS", 1L);
        requests.put("WRITE", 3L);
        Map<String, Long> reads = new LinkedHashMap<>();
        reads.put("<=4KiB", 3L);
        reads.put("<=1024KiB", 4093L);
        return new MountStats.EngineStats("direct", "7.45 (engine 7.38)", "dev", 2, 1L << 20, 128 * 1024,
                List.of("ASYNC_READ", "MAX_PAGES"), List.of("SPLICE_WRITE", "MAX_PAGES"), requests, reads,
                Map.of("<=1024KiB", 3L), 1, 0, 2, 0, 14, 13, 20, 7, "asked", 0, "off",
                new MountStats.RingStats("uring", "dev", "the fuse module's enable_uring is N", 0, 4, 0, 0));
    }

    @Test
    void theEngineSectionShowsWhatTheDirectEngineCounted() {
        String t = StatsTable.render(stats(direct()));
        assertTrue(t.contains("protocol    7.45 (engine 7.38) over dev, 2 threads, max request 1 MiB, max readahead"
                + " 128 KiB\n"), t);
        assertTrue(t.contains("init flags  SPLICE_WRITE MAX_PAGES\n"), t);
        assertTrue(t.contains("requests    4122: READ 4096, LOOKUP 12, GETATTR 5, WRITE 3, OPEN 2, RELEASE 2,"
                + " other 2\n"), t);
        assertTrue(t.contains("read sizes  ≤4 KiB: 3, ≤1 MiB: 4093\n"), t);
        assertTrue(t.contains("refused     unknown opcodes 1, malformed 0, reply failures 2, interrupts 0\n"), t);
        assertTrue(t.contains("nodes       14 held by the kernel, 13 lookups outstanding (20 lookups, 7 forgets)\n"),
                t);
    }

    @Test
    void zeroCopiedReadsAndWritesAreShown() {
        MountStats base = stats(direct());
        MountStats zc = new MountStats(base.mount(), base.readPaths(),
                new MountStats.WriteStats(5, 1 << 20, 0, 0, Map.of(), 0, 5), base.gift(), base.stableReplies(), null,
                Map.of(), Map.of(), base.engine(), base.passthrough(),
                new MountStats.ZeroCopyStats("on", 3, 7, 1, Map.of("no backing range (produced bytes)", 1L), 5));
        String t = StatsTable.render(zc);
        assertTrue(t.contains("writes      5 requests, 1.0 MiB, write path auto: spliced 0, copied 0, zero-copied 5,"
                + " errors 0\n"), t);
        assertTrue(t.contains("uring-zc    on: 3 opens zero-copied, 7 READs and 5 WRITEs zero-copied, 1 opens served"
                + " by the daemon (no backing range (produced bytes): 1)\n"), t);
    }

    @Test
    void jnrFuseHasNoEngineSection() {
        String t = StatsTable.render(stats(null));
        assertTrue(t.contains("engine      jnr-fuse"), t);
        assertFalse(t.contains("init flags"), t);
    }

    @Test
    void theJsonCarriesTheEngineThrough() throws IOException {
        MountStats back = MountStats.fromJson(stats(direct()).toJson());
        assertEquals(direct(), back.engine());
        assertEquals(List.of("<=4KiB", "<=1024KiB"), List.copyOf(back.engine().readSizes().keySet()));
    }
}
