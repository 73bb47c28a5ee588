package io.rsplicefs.it.cli;

import io.rsplicefs.fs.host.ProcFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** A process's resident memory, open fds and threads at one moment, from /proc. */
record ProcSample(long atMillis, long rssKib, long fds, long threads) {

    static ProcSample of(long pid, long atMillis) throws IOException {
        String status = ProcFile.read(Path.of("/proc", Long.toString(pid), "status"));
        long fds;
        try (Stream<Path> s = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            fds = s.count();
        }
        return new ProcSample(atMillis, field(status, "VmRSS:"), fds, field(status, "Threads:"));
    }

    /** The number after "name" in /proc/PID/status (kB for sizes). */
    private static long field(String status, String name) {
        for (String line : status.split("\n")) {
            if (line.startsWith(name)) {
                return Long.parseLong(line.substring(name.length()).trim().split("\\s+")[0]);
            }
        }
        throw new IllegalStateException("no " + name + " in /proc/PID/status");
    }

    @Override
    public String toString() {
        return String.format("%6.0f s  rss %7d KiB  fds %4d  threads %3d", atMillis / 1000.0, rssKib, fds, threads);
    }
}
