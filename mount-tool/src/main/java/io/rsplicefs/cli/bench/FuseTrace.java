package io.rsplicefs.cli.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.TreeMap;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The kernel's own view of what a FUSE mount was asked, from the fuse
 * tracepoints (fuse_request_send / fuse_request_end, kernel 6.15+), in a
 * private tracefs instance: how many READ requests a job made and how many
 * bytes the replies carried. This is how a peer that keeps no counters is
 * checked (every fio read reached its daemon), and it shows the request sizes
 * (libfuse 2.9 stops at 128 KiB): the mean, and the replies by size in the
 * direct engine's buckets ({@link ReadSizes}), for every FUSE target alike. Root only; without tracefs or the events the
 * run goes on without it. The events cost well under a microsecond each.
 */
final class FuseTrace implements AutoCloseable {
    private static final Path TRACEFS = Path.of("/sys/kernel/tracing");
    /** sizeof(struct fuse_out_header): every reply's len includes it. */
    private static final int OUT_HEADER = 16;

    /**
     * READ requests, the payload bytes of their successful replies and those replies by size (a short reply
     * at the end of the file counts at its own size); complete=false when events were lost.
     */
    record Counts(long reads, long bytes, Map<String, Long> replySizes, boolean complete) {
    }

    private final Path instance;
    private final boolean mountedByUs;

    private FuseTrace(Path instance, boolean mountedByUs) {
        this.instance = instance;
        this.mountedByUs = mountedByUs;
    }

    /** A private trace instance, or empty with the reason given to {@code note}. */
    static Optional<FuseTrace> open(Children children, Consumer<String> note) {
        if (!PeerSetup.isRoot()) {
            note.accept("fuse tracepoints not used (root only): served bytes of the peers cannot be checked");
            return Optional.empty();
        }
        boolean mounted = false;
        if (!Files.isDirectory(TRACEFS.resolve("instances"))) {
            try {
                mounted = Files.isDirectory(TRACEFS)
                        && children.run(new ProcessBuilder("mount", "-t", "tracefs", "nodev", TRACEFS.toString()), 30)
                        .ok();
            } catch (BenchException e) {
                mounted = false;
            }
            if (!mounted) {
                note.accept("fuse tracepoints not used: tracefs is not mounted at " + TRACEFS
                        + " and could not be mounted");
                return Optional.empty();
            }
        }
        Path inst = TRACEFS.resolve("instances").resolve("rsplicefs-bench-" + ProcessHandle.current().pid());
        try {
            Files.createDirectory(inst);
            if (!Files.isDirectory(inst.resolve("events/fuse/fuse_request_end"))) {
                Files.deleteIfExists(inst);
                note.accept("fuse tracepoints not used: this kernel has none (they came with 6.15)");
                unmountIf(children, mounted);
                return Optional.empty();
            }
            write(inst.resolve("buffer_size_kb"), "65536");
            write(inst.resolve("tracing_on"), "0");
            return Optional.of(new FuseTrace(inst, mounted));
        } catch (IOException e) {
            note.accept("fuse tracepoints not used: " + e.getMessage());
            try {
                Files.deleteIfExists(inst);
            } catch (IOException ignored) {
                // nothing more to do
            }
            unmountIf(children, mounted);
            return Optional.empty();
        }
    }

    private static void unmountIf(Children children, boolean mounted) {
        if (mounted) {
            try {
                children.run(new ProcessBuilder("umount", TRACEFS.toString()), 30);
            } catch (BenchException ignored) {
                // left mounted: harmless
            }
        }
    }

    /**
     * The connection number the trace events carry for a mount: the kernel's
     * dev_t of its superblock (major << 20 | minor), from the mount root's st_dev
     * (glibc's encoding).
     */
    static long connection(Path mountpoint) throws IOException {
        long dev = ((Number) Files.getAttribute(mountpoint, "unix:dev")).longValue();
        long major = ((dev >>> 8) & 0xfff) | ((dev >>> 32) & ~0xfffL);
        long minor = (dev & 0xff) | ((dev >>> 12) & ~0xffL);
        return (major << 20) | minor;
    }

    /** Clears the buffer and records the requests of one connection from now on. */
    void start(long connection) throws IOException {
        write(instance.resolve("tracing_on"), "0");
        write(instance.resolve("trace"), ""); // opening it with O_TRUNC empties the buffer
        write(instance.resolve("events/fuse/fuse_request_send/filter"),
                "connection == " + connection + " && opcode == 15");
        write(instance.resolve("events/fuse/fuse_request_end/filter"), "connection == " + connection);
        write(instance.resolve("events/fuse/fuse_request_send/enable"), "1");
        write(instance.resolve("events/fuse/fuse_request_end/enable"), "1");
        write(instance.resolve("tracing_on"), "1");
    }

    /** Stops recording and counts READ requests and reply bytes. */
    Counts stop() throws IOException {
        write(instance.resolve("tracing_on"), "0");
        write(instance.resolve("events/fuse/enable"), "0");
        Set<Long> reads = new HashSet<>();
        long bytes = 0;
        Map<String, Long> sizes = new TreeMap<>();
        try (BufferedReader r = Files.newBufferedReader(instance.resolve("trace"), StandardCharsets.UTF_8)) {
            String line;
            while ((line = r.readLine()) != null) {
                int s = line.indexOf("fuse_request_send: ");
                if (s >= 0) {
                    reads.add(field(line, s, "req "));
                    continue;
                }
                int e = line.indexOf("fuse_request_end: ");
                if (e >= 0 && reads.contains(field(line, e, "req ")) && field(line, e, "error ") == 0) {
                    long payload = Math.max(0, field(line, e, "len ") - OUT_HEADER);
                    bytes += payload;
                    sizes.merge(ReadSizes.bucket(payload), 1L, Long::sum);
                }
            }
        }
        return new Counts(reads.size(), bytes, sizes, lost() == 0);
    }

    /** Events overwritten or dropped since the buffer was cleared, over all CPUs. */
    private long lost() throws IOException {
        long n = 0;
        try (var cpus = Files.list(instance.resolve("per_cpu"))) {
            for (Path cpu : cpus.toList()) {
                for (String line : Files.readAllLines(cpu.resolve("stats"))) {
                    if (line.startsWith("overrun:") || line.startsWith("dropped events:")) {
                        n += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                    }
                }
            }
        }
        return n;
    }

    /** The number after {@code name} in a trace line, from {@code from}; -1 when absent. */
    private static long field(String line, int from, String name) {
        int i = line.indexOf(" " + name, from);
        if (i < 0) {
            return -1;
        }
        int start = i + name.length() + 1;
        int end = start;
        if (end < line.length() && line.charAt(end) == '-') {
            end++;
        }
        while (end < line.length() && Character.isDigit(line.charAt(end))) {
            end++;
        }
        try {
            return Long.parseLong(line.substring(start, end));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static void write(Path file, String value) throws IOException {
        Files.writeString(file, value, StandardCharsets.UTF_8);
    }

    /** Removes the instance (and tracefs, if this run mounted it). Never throws. */
    @Override
    public void close() {
        try {
            write(instance.resolve("tracing_on"), "0");
            write(instance.resolve("events/fuse/enable"), "0");
        } catch (IOException ignored) {
            // removing it below turns everything off anyway
        }
        try {
            Files.deleteIfExists(instance);
        } catch (IOException ignored) {
            // a leftover instance only holds memory until removed with rmdir
        }
        if (mountedByUs) {
            try {
                new ProcessBuilder("umount", TRACEFS.toString()).start().waitFor();
            } catch (IOException e) {
                // left mounted: harmless
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
