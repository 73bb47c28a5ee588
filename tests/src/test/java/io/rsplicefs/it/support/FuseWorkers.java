package io.rsplicefs.it.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** libfuse's worker threads of an in-process mount: created by the loop thread, they inherit its name. */
public final class FuseWorkers {
    private FuseWorkers() {
    }

    public static long alive() throws IOException {
        long n = 0;
        try (Stream<Path> s = Files.list(Path.of("/proc/self/task"))) {
            for (Path t : (Iterable<Path>) s::iterator) {
                try {
                    if (Files.readString(t.resolve("comm")).startsWith("rsplicefs-fuse")) {
                        n++;
                    }
                } catch (IOException gone) {
                    // the thread ended while listing
                }
            }
        }
        return n;
    }
}
