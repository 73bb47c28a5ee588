package io.rsplicefs.cli.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rsplicefs.fs.Engine;
import io.rsplicefs.fs.stats.MountStats;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The write bench's report: the goals are judged on the median per-round ratio, and a failed check shows. */
class WriteBenchReportTest {
    private static WriteBench.Run mb(double mbPerSec) {
        return new WriteBench.Run(0, 1L << 30, 0, (long) (mbPerSec * 1e6), 10, 30, true);
    }

    /** Every workload of every round at the same rate, per round as given. */
    private static WriteBench.Run[][] rounds(double... perRound) {
        WriteBench.Run[][] r = new WriteBench.Run[WriteBench.Workload.values().length][perRound.length];
        for (WriteBench.Run[] w : r) {
            for (int i = 0; i < perRound.length; i++) {
                w[i] = mb(perRound[i]);
            }
        }
        return r;
    }

    @Test
    void goalsFollowThePerRoundRatios() {
        WriteBench b = new WriteBench(Path.of("/nonexistent"), 1 << 30, 3, 5, List.of(Engine.JNR_FUSE, Engine.DIRECT),
                false, List.of(), Path.of("/nonexistent"), new PrintStream(PrintStream.nullOutputStream()));
        Map<String, WriteBench.Run[][]> runs = new LinkedHashMap<>();
        runs.put("native", rounds(1000, 1000, 1000));
        runs.put("copy", rounds(100, 300, 200));
        runs.put("splice", rounds(140, 420, 100)); // per round 1.4, 1.4, 0.5: median 1.4
        runs.put("copy@direct", rounds(200, 200, 200));
        runs.put("splice@direct", rounds(220, 220, 220));
        runs.put("bindfs", rounds(150, 150, 150));
        Map<String, String> verify = new LinkedHashMap<>();
        verify.put("native", "write 1m ok; randwrite 4k ok");
        verify.put("copy", "write 1m FAILED: fio reported error 84");
        String report = b.report("test", runs, verify, Map.of("splice", new MountStats.WriteStats(10, 1 << 20, 9, 1,
                Map.of("fallback: short splice", 1L), 0, 0)), List.of());
        assertTrue(report.contains("- splice >= 1.3x copy: 1.40x, met"), report);
        assertTrue(report.contains("- splice@direct >= 1.3x copy@direct: 1.10x, missed"), report);
        assertTrue(report.contains("- splice ahead of bindfs: 0.93x, missed"), report);
        assertTrue(report.contains("- no target loses data (fio verify=crc32c): missed"), report);
        assertTrue(report.contains("| seq write 1m (new file) | 1000 | 200 | 140 | 200 | 220 | 150 |"), report);
        assertTrue(report.contains("- splice: 10 requests, 1 MiB, 9 spliced, 1 copied {fallback: short splice=1}"),
                report);
    }
}
