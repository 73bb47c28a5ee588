package io.rsplicefs.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EngineGoalsTest {
    private static final long GIB = 1L << 30;

    /** One round of one job on one target: fio read 1 GiB at {@code mbps}, the daemon used {@code cpu} s. */
    static Measurement m(Job job, String target, double mbps, Double cpu, Map<String, Long> readSizes) {
        FioRunner.Result r = new FioRunner.Result(GIB, (long) (mbps * 1e6), 1000, 0, 0, 0, null);
        FsCounters c = readSizes == null ? null : new FsCounters(GIB, 1, 0, 0, 0, Map.of(), readSizes, 0);
        return new Measurement(1, 1, job, target, r, cpu, 0, 0, 0, null, c, 0, null, null, null);
    }

    static Summary summary(List<Job> jobs, List<String> targets, List<Measurement> ms) {
        return Summary.of(ms, jobs, targets);
    }

    @Test
    void directsBestIsJudgedAgainstTheBestOfBindfsAndJnrFuse() {
        List<Job> jobs = List.of(Job.SEQ1M, Job.RAND4K);
        List<String> targets = List.of("native", "rsplice", "rsplice@direct", "fd@direct", "rsplice+noguard@direct",
                "bindfs");
        List<Measurement> ms = new ArrayList<>();
        ms.add(m(Job.SEQ1M, "native", 5000, null, null));
        ms.add(m(Job.SEQ1M, "rsplice", 1000, 1.0, Map.of()));
        ms.add(m(Job.SEQ1M, "rsplice@direct", 2000, 0.25, Map.of("<=1024KiB", 9L, "<=4KiB", 1L)));
        ms.add(m(Job.SEQ1M, "fd@direct", 1900, 0.2, Map.of()));
        ms.add(m(Job.SEQ1M, "rsplice+noguard@direct", 4000, 0.1, Map.of())); // a measuring aid: never "best"
        ms.add(m(Job.SEQ1M, "bindfs", 1600, 0.5, null));
        ms.add(m(Job.RAND4K, "native", 3000, null, null));
        ms.add(m(Job.RAND4K, "rsplice", 150, 7.0, Map.of()));
        ms.add(m(Job.RAND4K, "rsplice@direct", 140, 3.0, Map.of()));
        ms.add(m(Job.RAND4K, "bindfs", 300, 2.0, null));
        Summary s = summary(jobs, targets, ms);

        List<EngineGoals.Line> lines = EngineGoals.judge(s);
        assertEquals(4, lines.size());
        EngineGoals.Line seq = lines.get(0);
        assertEquals("rsplice@direct", seq.target());
        assertEquals("bindfs", seq.baseline());
        assertEquals(Boolean.FALSE, seq.met(), seq.detail()); // 2000 / 1600 = 1.25 < 1.3
        assertTrue(seq.detail().contains("1.25×"), seq.detail());

        assertNull(lines.get(1).met(), "seq1m2 was not run");
        assertTrue(lines.get(1).detail().contains("not run"));

        EngineGoals.Line rand = lines.get(2);
        assertEquals("rsplice", rand.baseline(), "rand4k is judged against jnr-fuse only, not bindfs");
        assertEquals(Boolean.FALSE, rand.met());

        EngineGoals.Line cpu = lines.get(3);
        assertEquals("rsplice@direct", cpu.target(), "the CPU of the best seq1m target");
        assertEquals(Boolean.TRUE, cpu.met());

        assertEquals("≤1 MiB (90 %)", EngineReport.readSize("rsplice@direct", s.row(Job.SEQ1M, "rsplice@direct")
                .orElseThrow()));
        assertEquals(ReadSizes.LIBFUSE_CAP, EngineReport.readSize("rsplice", s.row(Job.SEQ1M, "rsplice")
                .orElseThrow()));
        assertEquals("—", EngineReport.readSize("bindfs", s.row(Job.SEQ1M, "bindfs").orElseThrow()));
    }

    @Test
    void withoutADirectTargetThereIsNothingToJudge() {
        assertFalse(EngineGoals.applies(List.of("native", "rsplice", "bindfs")));
        assertTrue(EngineGoals.applies(List.of("native", "auto@direct")));
        Summary s = summary(List.of(Job.SEQ1M), List.of("native", "auto@direct"),
                List.of(m(Job.SEQ1M, "native", 5000, null, null), m(Job.SEQ1M, "auto@direct", 2000, 0.4, Map.of())));
        EngineGoals.Line seq = EngineGoals.judge(s).get(0);
        assertNull(seq.met());
        assertTrue(seq.detail().startsWith("not measurable"), seq.detail());
        assertTrue(EngineReport.goals(s).contains("✗ missed"), "the CPU goal: 0.4 > 0.3");
    }
}
