package io.rsplicefs.it.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The backing filesystem's own record of fsync(2) and fdatasync(2) on one backing file: ext4's
 * ext4_sync_file_enter tracepoint in a private tracefs instance, filtered on the file's inode. So a
 * test sees that an fsync through the mount reached the backing file's fsync in the kernel, not
 * just that the daemon says it called it. Root only; {@link #open} returns null where tracefs or
 * the event is missing (another backing filesystem, no tracefs), and the caller skips by assumption.
 */
public final class BackingSyncs implements AutoCloseable {
    private static final Path TRACEFS = Path.of("/sys/kernel/tracing");
    private static final Pattern ENTER = Pattern.compile("ext4_sync_file_enter: dev \\d+,\\d+ ino (\\d+) parent \\d+"
            + " datasync (\\d+)");

    /** One fsync that reached ext4: whether it was an fdatasync. */
    public record Sync(long ino, boolean datasync) {
    }

    private final Path instance;
    private final boolean mountedTracefs;

    private BackingSyncs(Path instance, boolean mountedTracefs) {
        this.instance = instance;
        this.mountedTracefs = mountedTracefs;
    }

    /** Starts recording the fsyncs of the backing file {@code file}; null when they cannot be seen here. */
    public static BackingSyncs open(Path file) throws IOException, InterruptedException {
        long ino = (Long) Files.getAttribute(file, "unix:ino");
        if (!"ext4".equals(Files.getFileStore(file).type())) {
            return null;
        }
        boolean mounted = false;
        if (!Files.isDirectory(TRACEFS.resolve("instances"))) {
            Process p = new ProcessBuilder("mount", "-t", "tracefs", "nodev", TRACEFS.toString()).inheritIO().start();
            mounted = p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
            if (!mounted) {
                return null;
            }
        }
        Path inst = TRACEFS.resolve("instances").resolve("rsplicefs-sync-" + ProcessHandle.current().pid());
        Files.createDirectories(inst);
        BackingSyncs t = new BackingSyncs(inst, mounted);
        Path event = inst.resolve("events/ext4/ext4_sync_file_enter");
        if (!Files.isDirectory(event)) {
            t.close();
            return null;
        }
        Files.writeString(event.resolve("filter"), "ino == " + ino);
        Files.writeString(event.resolve("enable"), "1");
        Files.writeString(inst.resolve("tracing_on"), "1");
        return t;
    }

    /** The fsyncs recorded so far. */
    public List<Sync> syncs() throws IOException {
        List<Sync> out = new ArrayList<>();
        for (String line : Files.readAllLines(instance.resolve("trace"))) {
            Matcher m = ENTER.matcher(line);
            if (m.find()) {
                out.add(new Sync(Long.parseLong(m.group(1)), !m.group(2).equals("0")));
            }
        }
        return out;
    }

    /** Forgets what was recorded. */
    public void clear() throws IOException {
        Files.writeString(instance.resolve("trace"), "");
    }

    @Override
    public void close() throws IOException, InterruptedException {
        try {
            Files.writeString(instance.resolve("tracing_on"), "0");
            Files.writeString(instance.resolve("events/ext4/ext4_sync_file_enter/enable"), "0");
        } catch (IOException ignored) {
            // the instance may be half made; removing it is what matters
        }
        Files.deleteIfExists(instance); // rmdir of an instance removes it with its files
        if (mountedTracefs) {
            new ProcessBuilder("umount", TRACEFS.toString()).inheritIO().start().waitFor(30, TimeUnit.SECONDS);
        }
    }
}
