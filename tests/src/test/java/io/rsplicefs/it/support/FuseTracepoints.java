package io.rsplicefs.it.support;

import io.rsplicefs.fs.host.MountTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The kernel's own record of the requests one FUSE mount was sent and the
 * replies it got: the fuse_request_send / fuse_request_end tracepoints (6.15+)
 * in a private tracefs instance, filtered on the mount's connection. Used to
 * show what request sizes the kernel really used, independent of the
 * daemon's counters. Root only; {@link #open} returns null where the events
 * do not exist (older kernels), and the caller skips by assumption.
 */
public final class FuseTracepoints implements AutoCloseable {
    private static final Path TRACEFS = Path.of("/sys/kernel/tracing");
    private static final Pattern SEND = Pattern.compile("fuse_request_send: connection \\d+ req (\\d+) opcode (\\d+) "
            + "\\(\\w+\\) len (\\d+)");
    private static final Pattern END = Pattern.compile("fuse_request_end: connection \\d+ req (\\d+) len (\\d+) "
            + "error (-?\\d+)");

    /** One request: its opcode, the request's length and the reply's (both with their headers). */
    public record Request(int opcode, long requestLen, long replyLen, int error) {
    }

    private final Path instance;
    private final boolean mountedTracefs;

    private FuseTracepoints(Path instance, boolean mountedTracefs) {
        this.instance = instance;
        this.mountedTracefs = mountedTracefs;
    }

    /** Starts tracing the mount at {@code mountpoint}; null when this kernel has no fuse tracepoints. */
    public static FuseTracepoints open(Path mountpoint) throws IOException, InterruptedException {
        boolean mounted = false;
        if (!Files.isDirectory(TRACEFS.resolve("instances"))) {
            Process p = new ProcessBuilder("mount", "-t", "tracefs", "nodev", TRACEFS.toString()).inheritIO().start();
            mounted = p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
            if (!mounted) {
                return null;
            }
        }
        Path inst = TRACEFS.resolve("instances").resolve("rsplicefs-test-" + ProcessHandle.current().pid());
        Files.createDirectories(inst);
        FuseTracepoints t = new FuseTracepoints(inst, mounted);
        if (!Files.isDirectory(inst.resolve("events/fuse/fuse_request_end"))) {
            t.close();
            return null;
        }
        String minor = MountTable.deviceAt(mountpoint).orElseThrow().split(":")[1];
        Files.writeString(inst.resolve("buffer_size_kb"), "8192");
        Files.writeString(inst.resolve("events/fuse/fuse_request_send/filter"), "connection == " + minor);
        Files.writeString(inst.resolve("events/fuse/fuse_request_end/filter"), "connection == " + minor);
        Files.writeString(inst.resolve("events/fuse/enable"), "1");
        Files.writeString(inst.resolve("tracing_on"), "1");
        return t;
    }

    /** The requests traced so far that got a reply. */
    public List<Request> requests() throws IOException {
        Map<Long, long[]> sent = new HashMap<>();
        List<Request> out = new ArrayList<>();
        for (String line : Files.readAllLines(instance.resolve("trace"))) {
            Matcher s = SEND.matcher(line);
            if (s.find()) {
                sent.put(Long.parseLong(s.group(1)), new long[] {Long.parseLong(s.group(2)), Long.parseLong(s.group(3))});
                continue;
            }
            Matcher e = END.matcher(line);
            if (e.find()) {
                long[] r = sent.remove(Long.parseLong(e.group(1)));
                if (r != null) {
                    out.add(new Request((int) r[0], r[1], Long.parseLong(e.group(2)), Integer.parseInt(e.group(3))));
                }
            }
        }
        return out;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        try {
            Files.writeString(instance.resolve("tracing_on"), "0");
            Files.writeString(instance.resolve("events/fuse/enable"), "0");
        } catch (IOException ignored) {
            // the instance may be half made; removing it is what matters
        }
        Files.deleteIfExists(instance); // rmdir of an instance removes it with its files
        if (mountedTracefs) {
            new ProcessBuilder("umount", TRACEFS.toString()).inheritIO().start().waitFor(30, TimeUnit.SECONDS);
        }
    }
}
