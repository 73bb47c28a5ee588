package io.rsplicefs.it.support;

import io.rsplicefs.fs.stats.MountStats;
import io.rsplicefs.fs.FuseMount;
import io.rsplicefs.fs.MountConfig;
import io.rsplicefs.fs.host.MountTable;
import io.rsplicefs.fs.stats.ReadCounters;
import io.rsplicefs.fs.read.ReadPath;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A real mount for one test: created under a test's temp dir, always
 * unmounted by close() (use try-with-resources or @AfterEach), and watched:
 * if the test outlives its budget (times {@link TimeScale}), every thread's stack is dumped and the
 * FUSE connection is aborted so that a hung read fails instead of hanging
 * the build.
 */
public final class TestMount implements AutoCloseable {
    private final FuseMount mount;
    private final Path source;
    private final Path mountpoint;
    private final Thread watchdog;

    private TestMount(FuseMount mount, Path source, Path mountpoint, Duration budget) {
        this.mount = mount;
        this.source = source;
        this.mountpoint = mountpoint;
        Duration scaled = TimeScale.of(budget);
        this.watchdog = new Thread(() -> watch(scaled), "mount-watchdog");
        this.watchdog.setDaemon(true);
        this.watchdog.start();
    }

    /** Mounts {@code dir/src} at {@code dir/mnt} with the given configuration adjustments. */
    public static TestMount of(Path dir, ReadPath path, boolean donate, Duration budget,
                               java.util.function.Consumer<MountConfig> tweak) throws Exception {
        return of(dir.resolve("src"), dir.resolve("mnt"), path, donate, budget, tweak);
    }

    /** Mounts {@code src} at {@code mnt} (both created if missing). */
    public static TestMount of(Path src, Path mnt, ReadPath path, boolean donate, Duration budget,
                               java.util.function.Consumer<MountConfig> tweak) throws Exception {
        Files.createDirectories(src);
        Files.createDirectories(mnt);
        MountConfig c = new MountConfig(src, mnt).readPath(path).donate(donate).engine(TestEngine.current());
        if (tweak != null) {
            tweak.accept(c);
        }
        return new TestMount(FuseMount.mount(c), src, mnt, budget);
    }

    /** Mounts the archive file {@code archive} at {@code mnt} (created if missing). */
    public static TestMount ofArchive(Path archive, Path mnt, ReadPath path, Duration budget,
                                      java.util.function.Consumer<MountConfig> tweak) throws Exception {
        Files.createDirectories(mnt);
        MountConfig c = new MountConfig(archive, mnt).readPath(path).engine(TestEngine.current());
        if (tweak != null) {
            tweak.accept(c);
        }
        return new TestMount(FuseMount.mount(c), archive, mnt, budget);
    }

    public static TestMount of(Path dir, ReadPath path, boolean donate) throws Exception {
        return of(dir, path, donate, Duration.ofMinutes(5), null);
    }

    public Path source() {
        return source;
    }

    public Path mountpoint() {
        return mountpoint;
    }

    public FuseMount fuse() {
        return mount;
    }

    /** Counters of the read path in use. */
    public ReadCounters counters() {
        return mount.stats().of(mount.readPath());
    }

    public ReadCounters counters(ReadPath p) {
        return mount.stats().of(p);
    }

    public MountStats stats() {
        return mount.stats().snapshot();
    }

    private void watch(Duration budget) {
        try {
            Thread.sleep(budget.toMillis());
        } catch (InterruptedException e) {
            return;
        }
        // Abort first: a thread stuck in a page fault on this mount can hold up the JVM's
        // safepoints, and then even a stack dump would wait for the hung read.
        System.err.println("=== mount watchdog: test exceeded " + budget + " with " + mountpoint
                + " mounted; aborting the FUSE connection");
        abortConnections();
        try {
            new ProcessBuilder("fusermount", "-u", "-z", mountpoint.toString()).inheritIO().start()
                    .waitFor(TimeScale.of(10), TimeUnit.SECONDS);
        } catch (IOException | InterruptedException ignored) {
            // best effort: the test fails anyway
        }
        Thread.getAllStackTraces().forEach((t, st) -> {
            System.err.println("\"" + t.getName() + "\" " + t.getState());
            for (StackTraceElement e : st) {
                System.err.println("\tat " + e);
            }
        });
    }

    /** Aborts this mount's FUSE connection (fusectl): pending requests fail with ENOTCONN. */
    private void abortConnections() {
        try {
            Path connections = Path.of("/sys/fs/fuse/connections");
            if (!Files.exists(connections.resolve("version")) && Files.list(connections).findAny().isEmpty()) {
                new ProcessBuilder("mount", "-t", "fusectl", "none", connections.toString()).inheritIO().start()
                        .waitFor(TimeScale.of(10), TimeUnit.SECONDS);
            }
            // the connection is named after the mount's minor device number (mountinfo field 3)
            Path abort = connections.resolve(String.valueOf(minorOf(mountpoint))).resolve("abort");
            if (Files.exists(abort)) {
                Files.writeString(abort, "1");
            }
        } catch (Exception e) {
            System.err.println("could not abort the FUSE connection: " + e);
        }
    }

    private static int minorOf(Path mountpoint) throws IOException {
        String device = MountTable.deviceAt(mountpoint)
                .orElseThrow(() -> new IOException(mountpoint + " is not in mountinfo"));
        return Integer.parseInt(device.split(":")[1]);
    }

    @Override
    public void close() throws Exception {
        watchdog.interrupt();
        try {
            mount.close();
        } finally {
            if (MountTable.isMounted(mountpoint)) {
                new ProcessBuilder("fusermount", "-u", "-z", mountpoint.toString()).inheritIO().start()
                        .waitFor(TimeScale.of(10), TimeUnit.SECONDS);
            }
        }
    }
}
