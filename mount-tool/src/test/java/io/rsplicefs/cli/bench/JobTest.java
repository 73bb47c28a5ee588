package io.rsplicefs.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class JobTest {
    @Test
    void parsesIdsIgnoringCaseAndBlanks() {
        for (Job j : Job.values()) {
            assertEquals(j, Job.parse(" " + j.id().toUpperCase() + " "));
            assertEquals(j.id() + ".fio", j.fileName());
        }
        assertEquals("seq1m,seq128k,rand4k,seq1m2", Job.ids());
    }

    @Test
    void anUnknownJobNamesTheKnownOnes() {
        String msg = assertThrows(IllegalArgumentException.class, () -> Job.parse("seq2m")).getMessage();
        assertTrue(msg.contains("seq2m") && msg.contains(Job.ids()), msg);
    }

    @Test
    void everyJobFileShipsInTheJar() {
        for (Job j : Job.values()) {
            assertTrue(Job.class.getResource("fio/" + j.fileName()) != null, j.fileName());
        }
    }
}
