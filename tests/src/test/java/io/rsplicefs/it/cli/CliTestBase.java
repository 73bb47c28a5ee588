package io.rsplicefs.it.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each test gets its own temporary directory (sources, mount points, the
 * runtime directory for daemon records and logs). Afterwards nothing may be
 * mounted under it and no process may mention it; whatever is found is
 * cleaned up (lazy unmount, SIGKILL) and fails the test.
 */
abstract class CliTestBase {
    @TempDir
    Path base;

    Path runtimeDir;
    Cli cli;

    @BeforeEach
    void setUpCli() throws IOException {
        runtimeDir = Files.createDirectory(base.resolve("run"));
        cli = Cli.withRuntimeDir(runtimeDir);
    }

    @AfterEach
    void nothingLeftBehind() throws Exception {
        List<String> left = Leftovers.cleanUp(base);
        assertEquals(List.of(), left, "left behind (cleaned up now)");
    }

    Path dir(String name) throws IOException {
        return Files.createDirectories(base.resolve(name));
    }

    /** A source directory with a file "data.bin" of {@code size} pseudo-random bytes and "hello.txt". */
    Path source(int size) throws IOException {
        Path src = dir("source");
        byte[] data = new byte[size];
        new Random(42).nextBytes(data);
        Files.write(src.resolve("data.bin"), data);
        Files.writeString(src.resolve("hello.txt"), "hello\n");
        return src;
    }
}
