package io.rsplicefs.nativeio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ChildProcessTest {
    /** One spawn first: loading the helper and the first use of a pipe stream open fds of their own, once. */
    @BeforeAll
    static void warmUp() throws Exception {
        ChildProcess c = ChildProcess.spawn(List.of("/bin/true"));
        try (InputStream in = c.output()) {
            in.transferTo(new ByteArrayOutputStream());
        }
        c.exitCode(true);
    }

    @Test
    void stdoutAndStderrArriveOnOnePipeAndTheExitCodeIsReaped() throws Exception {
        long fds = ProcessResources.openFds();
        ChildProcess c = ChildProcess.spawn(List.of("/bin/sh", "-c", "echo out; echo err >&2; read x; echo \"[$x]\"; exit 7"));
        String all;
        try (InputStream in = c.output()) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            in.transferTo(b); // not readAllBytes: Java 17's FileInputStream seeks there, and a pipe cannot
            all = b.toString(StandardCharsets.UTF_8);
        }
        assertEquals("out\nerr\n[]\n", all, "stdin is /dev/null: read gets nothing");
        assertEquals(OptionalInt.of(7), c.exitCode(true));
        assertEquals(fds, ProcessResources.openFds(), "no fd left behind");
    }

    @Test
    void aRunningChildHasNoExitCodeYetAndASignalEndsIt() throws Exception {
        ChildProcess c = ChildProcess.spawn(List.of("/bin/sleep", "30"));
        try (InputStream in = c.output()) {
            assertTrue(c.exitCode(false).isEmpty());
            c.signal(false);
            assertEquals(OptionalInt.of(128 + 15), c.exitCode(true), "128 + SIGTERM");
            assertEquals(-1, in.read(), "the pipe ends with the child");
        }
    }

    @Test
    void aMissingProgramIsAnErrorNamingTheCall() throws Exception {
        long fds = ProcessResources.openFds();
        NativeIoException e = assertThrows(NativeIoException.class,
                () -> ChildProcess.spawn(List.of("/nonexistent/prog")));
        assertTrue(e.getMessage().contains("posix_spawn /nonexistent/prog"), e.getMessage());
        assertEquals("ENOENT", e.errnoName());
        assertEquals(fds, ProcessResources.openFds(), "the pipe is closed again");
    }
}
