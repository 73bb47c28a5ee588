package io.rsplicefs.cli.bench;

import io.rsplicefs.fs.MountException;
import io.rsplicefs.fs.Unmounter;
import io.rsplicefs.fs.host.MountTable;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * A peer filesystem (bindfs, libfuse's passthrough_ll) run in the foreground
 * as a child of this JVM, so its pid is the serving process. It keeps no
 * counters: the benchmark cannot check how many bytes it served.
 */
final class PeerTarget extends Target {
    private final List<String> command;
    private final Path mountpoint;
    private final String fileName;
    private final Path log;
    private final String note;
    private volatile Process process;

    PeerTarget(String id, List<String> command, Path mountpoint, String fileName, Path log, String note) {
        super(id, Kind.PEER);
        this.command = command;
        this.mountpoint = mountpoint;
        this.fileName = fileName;
        this.log = log;
        this.note = note;
    }

    @Override
    String command() {
        return String.join(" ", command);
    }

    @Override
    Path file() {
        return mountpoint.resolve(fileName);
    }

    @Override
    String note() {
        return note;
    }

    @Override
    void start() throws BenchException {
        try {
            Files.createDirectories(mountpoint);
            Files.createDirectories(log.getParent());
            process = new ProcessBuilder(command).directory(new File("/"))
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).redirectErrorStream(true)
                    .start();
        } catch (IOException e) {
            throw new BenchException("cannot start " + id() + ": " + e.getMessage(), e);
        }
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (true) {
            Optional<String> type = MountTable.typeAt(mountpoint);
            if (type.isPresent() && type.get().startsWith("fuse") && Files.exists(file())) {
                return;
            }
            if (!process.isAlive()) {
                throw new BenchException(id() + " exited (code " + process.exitValue() + ") before "
                        + mountpoint + " was mounted: " + tail());
            }
            if (System.nanoTime() > deadline) {
                stop();
                throw new BenchException(id() + " did not mount " + mountpoint + " within 30 s: " + tail());
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stop();
                throw new BenchException("interrupted while mounting " + id());
            }
        }
    }

    private String tail() {
        try {
            String s = Files.readString(log, StandardCharsets.UTF_8).trim();
            return s.isEmpty() ? "(no output)" : s.length() > 400 ? "..." + s.substring(s.length() - 400) : s;
        } catch (IOException e) {
            return "(no log)";
        }
    }

    @Override
    OptionalLong daemonPid() {
        Process p = process;
        return p == null ? OptionalLong.empty() : OptionalLong.of(p.pid());
    }

    @Override
    void stop() {
        Process p = process;
        if (MountTable.isMounted(mountpoint)) {
            try {
                Unmounter.unmount(mountpoint, false);
            } catch (MountException e) {
                try {
                    Unmounter.unmount(mountpoint, true);
                } catch (MountException ignored) {
                    // the process is killed below; a dead mount is detached lazily then
                }
            }
        }
        if (p == null) {
            return;
        }
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroy();
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    p.waitFor(5, TimeUnit.SECONDS);
                }
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        if (MountTable.isMounted(mountpoint)) {
            try {
                Unmounter.unmount(mountpoint, true);
            } catch (MountException ignored) {
                // reported by the run's leftover check
            }
        }
    }
}
