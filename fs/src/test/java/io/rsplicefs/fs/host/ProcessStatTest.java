package io.rsplicefs.fs.host;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class ProcessStatTest {
    /** A stat line whose comm has spaces and parentheses: fields count from the last ')'. */
    static final String STAT = "4242 (java (x) y) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 30 0 "
            + "987654 1000000 5000 18446744073709551615";

    @Test
    void fieldsCountFromTheLastParenthesis() {
        String[] f = ProcessStat.parse(STAT);
        assertEquals("S", f[0]);
        assertEquals(OptionalLong.of(250), ProcessStat.longField(f, 14), "utime");
        assertEquals(OptionalLong.of(75), ProcessStat.longField(f, 15), "stime");
        assertEquals(OptionalLong.of(987654), ProcessStat.longField(f, 22), "starttime");
        assertEquals(OptionalLong.empty(), ProcessStat.longField(f, 99));
        assertEquals(OptionalLong.empty(), ProcessStat.longField(null, 14));
    }

    @Test
    void malformedLinesHaveNoFields() {
        assertNull(ProcessStat.parse("no parenthesis"));
        assertNull(ProcessStat.parse("1 (x)"));
        assertArrayEquals(new String[] {"R"}, ProcessStat.parse("1 (x) R"));
    }

    @Test
    void zombiesAndDeadProcessesDoNotRun() {
        assertTrue(ProcessStat.isRunningState("S"));
        assertTrue(ProcessStat.isRunningState("D"));
        assertFalse(ProcessStat.isRunningState("Z"));
        assertFalse(ProcessStat.isRunningState("X"));
        assertFalse(ProcessStat.isRunningState("x"));
    }

    @Test
    void thisProcessRunsAndHasAStartTimeAndCpuTime() {
        long self = ProcessHandle.current().pid();
        assertTrue(ProcessStat.isRunning(self));
        long start = ProcessStat.startTicks(self).orElseThrow();
        assertTrue(ProcessStat.isSameRunning(self, start));
        assertFalse(ProcessStat.isSameRunning(self, start + 1), "a recycled pid has another start time");
        assertTrue(ProcessStat.cpuTicks(self).isPresent());
    }

    @Test
    void aMissingProcessDoesNotRun() {
        long none = Integer.MAX_VALUE; // above pid_max
        assertFalse(ProcessStat.isRunning(none));
        assertEquals(OptionalLong.empty(), ProcessStat.startTicks(none));
        assertEquals(OptionalLong.empty(), ProcessStat.cpuTicks(none));
    }
}
