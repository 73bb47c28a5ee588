package io.rsplicefs.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rsplicefs.fs.Engine;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetadataTableTest {
    @Test
    void eachEngineIsComparedWithNativeBindfsAndTheOtherEngine() {
        MetadataBench b = new MetadataBench(Path.of("/nonexistent"), 10, 1, true,
                List.of(Engine.JNR_FUSE, Engine.DIRECT), List.of(), new PrintStream(PrintStream.nullOutputStream()));
        Map<String, double[][]> s = new LinkedHashMap<>();
        s.put("native", new double[][] {{1}, {0.1}, {1}});
        s.put("rsplicefs", new double[][] {{4}, {0.4}, {3}});
        s.put("rsplicefs@direct", new double[][] {{2}, {0.2}, {2}});
        s.put("bindfs", new double[][] {{3}, {0.3}, {2}});
        String t = b.table(s);
        List<String> lines = t.lines().toList();
        assertEquals("| workload | native | rsplicefs | rsplicefs@direct | bindfs | rsplicefs / native |"
                + " rsplicefs@direct / native | rsplicefs / bindfs | rsplicefs@direct / bindfs |"
                + " rsplicefs@direct / rsplicefs |", lines.get(2));
        assertTrue(lines.get(3).equals("|---|" + "---:|".repeat(9)), lines.get(3));
        assertEquals("| create | 1.00 | 4.00 | 2.00 | 3.00 | 4.00x | 2.00x | 1.33x | 0.67x | 0.50x |", lines.get(4));
    }
}
