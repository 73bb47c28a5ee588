package io.rsplicefs.cli;

import io.rsplicefs.fs.host.ProcessStat;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.Properties;

/**
 * The pid record a serving process writes once its mount is live: how
 * {@code umount} finds the daemon to stop, and how the launcher knows the
 * daemon is ready. The start time guards against a recycled pid.
 */
record DaemonRecord(long pid, long startTicks, Path source, Path mountpoint, String readPath, String log,
                    String notice) {

    /** The record of the calling process. */
    static DaemonRecord ofThisProcess(Path source, Path mountpoint, String readPath, String log, String notice) {
        long pid = ProcessHandle.current().pid();
        return new DaemonRecord(pid, ProcessStat.startTicks(pid).orElse(-1), source, mountpoint, readPath, log,
                notice);
    }

    /** The daemon named by this record is still running (and is not a recycled pid). */
    boolean isRunning() {
        return ProcessStat.isSameRunning(pid, startTicks);
    }

    /** Written to a temporary file and renamed, so a reader never sees half a record. */
    void write(Path file) throws IOException {
        Properties p = new Properties();
        p.setProperty("pid", Long.toString(pid));
        p.setProperty("startTicks", Long.toString(startTicks));
        p.setProperty("source", source.toString());
        p.setProperty("mountpoint", mountpoint.toString());
        p.setProperty("readPath", readPath);
        if (log != null) {
            p.setProperty("log", log);
        }
        if (notice != null) {
            p.setProperty("notice", notice);
        }
        Path tmp = file.resolveSibling(file.getFileName() + "." + pid + ".tmp");
        try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            p.store(w, "rsplicefs daemon");
        }
        try {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** The record in {@code file}, if there is a readable one. */
    static Optional<DaemonRecord> read(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
            return Optional.of(new DaemonRecord(Long.parseLong(p.getProperty("pid")),
                    Long.parseLong(p.getProperty("startTicks", "-1")), Path.of(p.getProperty("source", "")),
                    Path.of(p.getProperty("mountpoint", "")), p.getProperty("readPath", ""), p.getProperty("log"),
                    p.getProperty("notice")));
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // missing, or not a record: there is no daemon to find through it
        }
    }

    /** Deletes {@code file} if it still holds this record: a newer daemon may have replaced it. */
    void deleteIfOwner(Path file) {
        Optional<DaemonRecord> current = read(file);
        if (current.isPresent() && current.get().pid == pid && current.get().startTicks == startTicks) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // a stale record is harmless: its pid no longer matches a running daemon
            }
        }
    }
}
