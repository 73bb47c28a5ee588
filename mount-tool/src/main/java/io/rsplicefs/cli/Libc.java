package io.rsplicefs.cli;

import io.rsplicefs.nativeio.NativeIoException;
import io.rsplicefs.nativeio.Threads;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The two process calls Java has no API for. Not through jnr-ffi: binding
 * libc with it took about 0.12 s of every JVM's start (class generation),
 * twice per background mount (the command and its daemon).
 */
final class Libc {
    private static final Path STATUS = Path.of("/proc/self/status");

    private Libc() {
    }

    /** The effective uid, from /proc/self/status ("Uid: real effective saved fs"); -1 if it cannot be read. */
    static int geteuid() {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith("Uid:")) {
                    return Integer.parseInt(line.substring(4).trim().split("\\s+")[1]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // no /proc: the caller treats -1 as "not known"
        }
        return -1;
    }

    /** setsid(2), by the rsplice native helper. */
    static void setsid() throws NativeIoException {
        Threads.newSession();
    }
}
