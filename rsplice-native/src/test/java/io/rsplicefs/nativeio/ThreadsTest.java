package io.rsplicefs.nativeio;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("kernel")
class ThreadsTest {
    @Test
    void tidNamesThisThreadInProc() throws Exception {
        int tid = Threads.currentTid();
        assertTrue(Files.isDirectory(Path.of("/proc/self/task/" + tid)), "/proc/self/task/" + tid);
        int[] other = new int[1];
        Thread t = new Thread(() -> other[0] = Threads.currentTid());
        t.start();
        t.join();
        assertNotEquals(tid, other[0], "each thread has its own id");
        assertTrue(Threads.SYS_READ >= 0);
    }
}
