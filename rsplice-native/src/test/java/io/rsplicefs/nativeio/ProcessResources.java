package io.rsplicefs.nativeio;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Counts this process's open fds and memory mappings, for leak checks. */
final class ProcessResources {
    private ProcessResources() {
    }

    static long openFds() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    static long mappings() throws IOException {
        try (Stream<String> s = Files.lines(Path.of("/proc/self/maps"))) {
            return s.count();
        }
    }

    /**
     * Mappings of files under dir (an unlinked O_TMPFILE shows as "dir/#inode (deleted)").
     * Unlike {@link #mappings()} this is not disturbed by the JVM mapping or merging its own
     * regions meanwhile, so it can be compared exactly.
     */
    static long mappingsUnder(Path dir) throws IOException {
        String prefix = dir.toAbsolutePath() + "/";
        try (Stream<String> s = Files.lines(Path.of("/proc/self/maps"))) {
            return s.filter(line -> line.contains(prefix)).count();
        }
    }

    /** Whether the effective capability set (CapEff in /proc/self/status) holds capability {@code bit}. */
    static boolean hasCapability(int bit) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("CapEff:")) {
                return (Long.parseUnsignedLong(line.substring(7).trim(), 16) >>> bit & 1) == 1;
            }
        }
        return false;
    }

    static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }
}
