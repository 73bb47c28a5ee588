package io.rsplicefs.cli;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A background mount. Java cannot fork, so a child JVM (same java binary,
 * same class path) runs the mount as a {@link ServingProcess}; this process
 * waits for the child's {@link DaemonRecord} (written only once the mount is
 * live), then returns and leaves the child running. If the child dies first,
 * its error lines are relayed from its log.
 */
final class DaemonLauncher {
    /** FuseMount gives up after 30 s; this adds the child JVM's start. */
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    private final MountRequest request;
    private final RuntimeDir runtimeDir;

    DaemonLauncher(MountRequest request, RuntimeDir runtimeDir) {
        this.request = request;
        this.runtimeDir = runtimeDir;
    }

    /** Returns once the mount is live and served by the daemon child; prints its notice, if any. */
    void launch() throws CliException {
        Path log = runtimeDir.logFile(request.mountpoint());
        Path recordFile = runtimeDir.recordFile(request.mountpoint());
        long logStart = sizeOf(log);
        ProcessBuilder pb = new ProcessBuilder(childCommand())
                .directory(new File("/")) // a daemon must not keep the caller's directory busy
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectErrorStream(true);
        Process child;
        try {
            child = pb.start();
        } catch (IOException e) {
            // The usual cause is the log in a runtime directory this user cannot write.
            throw new CliException("cannot start the daemon: " + e.getMessage() + " (its log and pid record go to "
                    + runtimeDir.path() + "; set " + RuntimeDir.ENV + " to a writable directory)");
        }
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (true) {
            Optional<DaemonRecord> r = DaemonRecord.read(recordFile);
            if (r.isPresent() && r.get().pid() == child.pid()) {
                if (r.get().notice() != null) {
                    System.err.println(ErrorReporter.PREFIX + r.get().notice());
                }
                return;
            }
            if (!child.isAlive()) {
                throw new CliException(failure(log, logStart, child.exitValue()));
            }
            if (System.nanoTime() > deadline) {
                stop(child);
                throw new CliException("the daemon did not report a live mount of " + request.mountpoint()
                        + " within " + READY_TIMEOUT.toSeconds() + " s and was stopped; see " + log);
            }
            try {
                child.waitFor(10, TimeUnit.MILLISECONDS); // a short poll: the wait is part of every mount's time
            } catch (InterruptedException e) {
                stop(child);
                Thread.currentThread().interrupt();
                throw new CliException("interrupted while mounting " + request.mountpoint());
            }
        }
    }

    /** java [this JVM's options] -cp [this class path] io.rsplicefs.cli.Main mount --daemon-child ... */
    private List<String> childCommand() throws CliException {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        for (String opt : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            // A debugger agent would try to listen on the parent's port.
            if (!opt.startsWith("-agentlib:jdwp") && !opt.startsWith("-Xrunjdwp")) {
                cmd.add(opt);
            }
        }
        cmd.add("-cp");
        cmd.add(absoluteClassPath());
        cmd.add(Main.class.getName());
        cmd.addAll(request.daemonArgs());
        return cmd;
    }

    /** The child runs in "/": relative class path entries (java -jar rsplicefs.jar) must be made absolute. */
    private static String absoluteClassPath() throws CliException {
        String cp = System.getProperty("java.class.path", "");
        if (cp.isEmpty()) {
            throw new CliException("cannot start the daemon: this JVM has no class path to give it");
        }
        List<String> out = new ArrayList<>();
        for (String e : cp.split(File.pathSeparator)) {
            out.add(e.isEmpty() ? e : Path.of(e).toAbsolutePath().toString());
        }
        return String.join(File.pathSeparator, out);
    }

    /**
     * The daemon's own error lines ("rsplicefs: ..." and libfuse's "fuse: ...")
     * from what it appended to its log, else a pointer to the log.
     */
    private String failure(Path log, long from, int exitCode) {
        List<String> ours = new ArrayList<>();
        List<String> libfuse = new ArrayList<>();
        for (String line : logSince(log, from)) {
            if (line.startsWith(ErrorReporter.PREFIX)) {
                ours.add(line.substring(ErrorReporter.PREFIX.length()));
            } else if (line.startsWith("fuse: ") || line.startsWith("fusermount: ")) {
                libfuse.add(line);
            }
        }
        String said = libfuse.isEmpty() ? "" : "; libfuse said: " + String.join("; ", libfuse);
        if (ours.isEmpty()) {
            return "the daemon exited (code " + exitCode + ") before " + request.mountpoint()
                    + " was mounted" + said + "; see its log " + log;
        }
        if (from == 0) {
            // This attempt created the log and everything in it has been relayed: leave no litter.
            deleteQuietly(log);
        }
        return String.join("; ", ours) + said;
    }

    private static List<String> logSince(Path log, long from) {
        try (InputStream in = Files.newInputStream(log)) {
            in.skipNBytes(Math.min(from, Files.size(log)));
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static void deleteQuietly(Path f) {
        try {
            Files.deleteIfExists(f);
        } catch (IOException ignored) {
            // only tidiness
        }
    }

    private static long sizeOf(Path f) {
        try {
            return Files.size(f);
        } catch (IOException e) {
            return 0;
        }
    }

    /** SIGTERM first: the child unmounts whatever it got to; SIGKILL if it does not go. */
    private static void stop(Process child) {
        child.destroy();
        try {
            if (!child.waitFor(10, TimeUnit.SECONDS)) {
                child.destroyForcibly();
                child.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            child.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
