package io.rsplicefs.cli.bench;

import io.rsplicefs.fs.Engine;
import io.rsplicefs.fs.MountException;
import io.rsplicefs.fs.Unmounter;
import io.rsplicefs.fs.stats.MountStats;
import io.rsplicefs.fs.host.MountTable;
import io.rsplicefs.fs.host.ProcessExit;
import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A rsplicefs mount with one read path on one engine, made the way a user
 * makes it: the {@code rsplicefs mount} command in a child JVM, which leaves a
 * daemon JVM serving the mount. So fio and the daemon are separate processes,
 * and the daemon's CPU time is its own. Its live counters come from the stats
 * xattr.
 */
final class RsplicefsTarget extends Target {

    private final Children children;
    private final Path source;
    private final Path mountpoint;
    private final String fileName;
    private final String readPath;
    private final boolean donate;
    private final boolean stableReplies;
    private final boolean singleThreaded;
    private final boolean forceGift;
    private final boolean uring;
    private final Engine engine;
    /** enable_uring as found, when this target set it to Y for its mount (put back at stop). */
    private volatile String enableUringBefore;
    private final Path runtimeDir;
    private final List<String> extraJvmOptions;
    private List<String> extraMountArgs = List.of();
    private volatile long pid = -1;
    private volatile String effectivePath;
    private volatile MountStats.EngineStats engineStats;
    private volatile boolean mounted;

    RsplicefsTarget(String id, Children children, Path source, Path mountpoint, String fileName, BenchConfig.Variant variant,
                    boolean forceGift, Path runtimeDir, List<String> extraJvmOptions) {
        super(id, Kind.RSPLICEFS);
        this.children = children;
        this.source = source;
        this.mountpoint = mountpoint;
        this.fileName = fileName;
        this.readPath = variant.path();
        this.donate = variant.donate();
        this.stableReplies = variant.stableReplies();
        this.singleThreaded = variant.singleThreaded();
        this.forceGift = forceGift;
        this.uring = variant.uring();
        this.engine = variant.engine();
        this.runtimeDir = runtimeDir;
        this.extraJvmOptions = extraJvmOptions;
    }

    private List<String> mountArgs() {
        // Always named: the child would otherwise take $RSPLICEFS_ENGINE, and the id would lie.
        List<String> a = new ArrayList<>(List.of("mount", "--engine=" + engine.id(), "--read-path=" + readPath));
        if (donate) {
            a.add("--donate");
        }
        if (!stableReplies) {
            a.add("--no-stable-replies");
        }
        if (singleThreaded) {
            a.add("--threads=1");
        }
        if (forceGift) {
            a.add("--force-gift");
        }
        a.addAll(extraMountArgs);
        if (uring) {
            a.add("--transport=uring");
        }
        return a;
    }

    /** More options for the mount command (the write bench's --write-path, --writeback-cache); before start. */
    RsplicefsTarget mountArgs(List<String> args) {
        this.extraMountArgs = List.copyOf(args);
        return this;
    }

    @Override
    String command() {
        return "rsplicefs " + String.join(" ", mountArgs()) + " " + source + " " + mountpoint;
    }

    @Override
    Path file() {
        return mountpoint.resolve(fileName);
    }

    @Override
    void start() throws BenchException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        for (String opt : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!opt.startsWith("-agentlib:jdwp") && !opt.startsWith("-Xrunjdwp")) {
                cmd.add(opt); // the daemon gets the options this JVM got (RSPLICEFS_JAVA_OPTS)
            }
        }
        cmd.addAll(extraJvmOptions);
        cmd.add("-cp");
        cmd.add(absoluteClassPath());
        cmd.add("io.rsplicefs.cli.Main");
        cmd.addAll(mountArgs());
        cmd.add("--");
        cmd.add(source.toString());
        cmd.add(mountpoint.toString());
        try {
            Files.createDirectories(mountpoint);
        } catch (IOException e) {
            throw new BenchException("cannot create the mount point " + mountpoint + ": " + e.getMessage(), e);
        }
        if (uring) {
            enableUring();
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(new File("/"));
        pb.environment().put("RSPLICEFS_RUNTIME_DIR", runtimeDir.toString());
        Children.Result r = children.run(pb, 120);
        mounted = MountTable.isMounted(mountpoint);
        if (!r.ok()) {
            throw new BenchException("mounting " + id() + " failed (" + command() + "): " + r.output().trim());
        }
        MountStats.MountInfo mount = stats().mount();
        pid = mount.pid();
        effectivePath = mount.readPath();
        engineStats = stats().engine();
        if (mount.engine() != null && !mount.engine().equals(engine.id())) {
            throw new BenchException(id() + " asked for the " + engine.id() + " engine, the mount reports "
                    + mount.engine());
        }
        MountStats.RingStats ring = engineStats == null ? null : engineStats.ring();
        if (uring && (ring == null || !"uring".equals(ring.used()))) {
            throw new BenchException(id() + ": the mount is served over /dev/fuse, not io_uring"
                    + (ring == null || ring.why().isEmpty() ? "" : ": " + ring.why()));
        }
    }

    private static final Path ENABLE_URING = Path.of("/sys/module/fuse/parameters/enable_uring");

    /** FUSE over io_uring needs enable_uring=Y while the mount is up: set for this target, put back at stop. */
    private void enableUring() {
        try {
            String v = Files.readString(ENABLE_URING).trim();
            if (!v.equals("Y") && Files.isWritable(ENABLE_URING)) {
                Files.writeString(ENABLE_URING, "Y");
                enableUringBefore = v;
            }
        } catch (IOException e) {
            // no such parameter or not allowed: the mount falls back and start() says why
        }
    }

    @Override
    Optional<Engine> engine() {
        return Optional.of(engine);
    }

    @Override
    Optional<MountStats.EngineStats> engineStats() {
        return Optional.ofNullable(engineStats);
    }

    static String absoluteClassPath() throws BenchException {
        String cp = System.getProperty("java.class.path", "");
        if (cp.isEmpty()) {
            throw new BenchException("this JVM has no class path to start rsplicefs mounts with");
        }
        List<String> out = new ArrayList<>();
        for (String e : cp.split(File.pathSeparator)) {
            out.add(e.isEmpty() ? e : Path.of(e).toAbsolutePath().toString());
        }
        return String.join(File.pathSeparator, out);
    }

    /** The mount's live counters (the stats xattr on the mount root). */
    MountStats stats() throws BenchException {
        try {
            return MountStats.read(mountpoint);
        } catch (IOException e) {
            throw new BenchException("cannot read the stats of " + mountpoint + ": " + e.getMessage(), e);
        }
    }

    @Override
    OptionalLong daemonPid() {
        return pid > 0 ? OptionalLong.of(pid) : OptionalLong.empty();
    }

    /** Served bytes, replies and donation samples of every read path of the mount together. */
    @Override
    Optional<FsCounters> counters() {
        try {
            return Optional.of(FsCounters.of(stats()));
        } catch (BenchException e) {
            return Optional.empty();
        }
    }

    @Override
    String note() {
        if (effectivePath != null && !effectivePath.equals(readPath)) {
            return "asked for read path " + readPath + ", the mount uses " + effectivePath;
        }
        return null;
    }

    @Override
    void stop() {
        if (mounted || MountTable.isMounted(mountpoint)) {
            try {
                Unmounter.unmount(mountpoint, false);
            } catch (MountException e) {
                try {
                    Unmounter.unmount(mountpoint, true);
                } catch (MountException ignored) {
                    // nothing more to try; the daemon is killed below
                }
            }
            mounted = false;
        }
        long p = pid;
        if (p > 0) {
            ProcessExit.awaitOrKill(p, Duration.ofSeconds(15));
        }
        String before = enableUringBefore;
        if (before != null) {
            enableUringBefore = null;
            try {
                Files.writeString(ENABLE_URING, before);
            } catch (IOException e) {
                System.err.println("rsplicefs bench: cannot put enable_uring back to " + before + ": " + e.getMessage());
            }
        }
    }
}
