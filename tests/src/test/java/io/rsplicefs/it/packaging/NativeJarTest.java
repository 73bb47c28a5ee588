package io.rsplicefs.it.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rsplicefs.it.support.TimeScale;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The rsplice-native jar carries its .so and works on its own, copied anywhere, from a plain java -cp. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class NativeJarTest {
    @TempDir
    Path dir;

    @Test
    void jarCopiedElsewhereLoadsItsOwnLibrary() throws Exception {
        Path built = Path.of(System.getProperty("rsplice.native.jar"));
        assertTrue(Files.exists(built), built + " exists (run through Maven)");
        try (ZipFile zip = new ZipFile(built.toFile())) {
            assertTrue(zip.stream().anyMatch(e -> e.getName().matches("META-INF/native/librsplice-linux-.*\\.so")),
                    "the jar contains the native library");
        }
        Path jar = Files.copy(built, dir.resolve("copied.jar"));
        Path work = Files.createDirectory(dir.resolve("work"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-Djava.library.path=" + dir.resolve("empty"),
                "-Drsplice.native.workdir=" + work, "-cp", jar.toString(), "io.rsplicefs.nativeio.SelfCheck")
                .directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(TimeScale.of(60), TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("rsplice-native: OK (loaded from the jar (extracted to " + work), out);
        try (var s = Files.list(work)) {
            assertEquals(0, s.count(), "the extracted library is deleted once loaded");
        }
    }
}
