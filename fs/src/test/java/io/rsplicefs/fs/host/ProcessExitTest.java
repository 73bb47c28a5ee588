package io.rsplicefs.fs.host;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ProcessExitTest {
    @Test
    void waitsForAnExitAndKillsOnDemand() throws Exception {
        Process sleeper = new ProcessBuilder("sleep", "60").start();
        try {
            assertFalse(ProcessExit.await(sleeper.pid(), Duration.ofMillis(100)), "still sleeping");
            assertTrue(ProcessExit.kill(sleeper.pid()), "gone after SIGKILL");
        } finally {
            sleeper.destroyForcibly();
        }
    }

    @Test
    void aProcessThatExitsIsSeenExited() throws Exception {
        Process quick = new ProcessBuilder("true").start();
        assertTrue(ProcessExit.awaitOrKill(quick.pid(), Duration.ofSeconds(10)));
        assertTrue(ProcessExit.await(Integer.MAX_VALUE, Duration.ZERO), "no such process: exited");
    }
}
