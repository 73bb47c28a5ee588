package io.rsplicefs.cli;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import io.rsplicefs.nativeio.ChildProcess;
import io.rsplicefs.nativeio.NativeIoException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A background mount. Java cannot fork, so a child JVM (same java binary,
 * same class path, same working directory) runs {@code mount --daemon-child}
 * with the mount's arguments: it parses and checks them, mounts, serves as a
 * {@link ServingProcess}, and says {@link #READY} on its stdout once the
 * mount is live, then points its output at its log. This process only waits
 * for that line, relays what the child printed before it (notices, or the
 * error that stopped it) and returns.
 *
 * <p>A plain {@code rsplicefs mount ...} is launched before picocli is even
 * loaded here ({@link #launchesAtOnce}): building picocli's model and parsing
 * took about 0.4 s, and doing it in both JVMs put a background mount of a
 * 10,000-member archive at 1 s where one JVM mounts it in 0.5 s.
 */
final class DaemonLauncher {
    /** The child's line that says the mount is live; nothing else it prints can start with a NUL. */
    static final String READY = "\0rsplicefs-daemon-ready";
    /** FuseMount gives up after 30 s; this adds the child JVM's start. */
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    /** Long options that make a mount command something else than a background mount. */
    private static final Set<String> NOT_AT_ONCE = Set.of("--help", "--version", MountCommand.DAEMON_OPTION);

    private final List<String> childArgs;

    /** {@code mountArgs}: "mount" and its options and operands, as the child's picocli will parse them. */
    DaemonLauncher(List<String> mountArgs) {
        List<String> a = new ArrayList<>(mountArgs);
        a.add(1, MountCommand.DAEMON_OPTION);
        this.childArgs = List.copyOf(a);
    }

    /**
     * Whether {@code args} are surely a background mount, so the child can be
     * started without parsing them here: "mount" with at least two more
     * arguments, and no short option but {@code -o} (a cluster like
     * {@code -fo} could mean the foreground) nor help or version.
     */
    static boolean launchesAtOnce(String... args) {
        if (args.length < 3 || !args[0].equals("mount")) {
            return false;
        }
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--")) {
                return true; // the rest are operands
            }
            if (NOT_AT_ONCE.contains(a)) {
                return false;
            }
            if (a.equals("-o")) {
                i++; // its value may start with '-'
            } else if (a.startsWith("-") && !a.startsWith("--") && !a.startsWith("-o")) {
                return false;
            }
        }
        return true;
    }

    /**
     * Starts the child and returns the command's exit code once the mount is
     * live (0) or the child has failed: 2 with the child's usage message for
     * a usage error, else a {@link CliException} with its error lines.
     */
    int launch() throws CliException {
        ChildProcess child;
        try {
            child = ChildProcess.spawn(childCommand()); // not ProcessBuilder: see ChildProcess
        } catch (IOException | RuntimeException | LinkageError e) {
            throw new CliException("cannot start the daemon: " + e.getMessage());
        }
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> readLines(child, lines), "daemon-output");
        reader.setDaemon(true);
        reader.start();
        List<String> said = new ArrayList<>();
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (true) {
            String line;
            try {
                line = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                stop(child);
                Thread.currentThread().interrupt();
                throw new CliException("interrupted while mounting");
            }
            if (line == null) {
                stop(child);
                throw new CliException("the daemon did not report a live mount within " + READY_TIMEOUT.toSeconds()
                        + " s and was stopped" + (said.isEmpty() ? "" : "; it said: " + String.join("; ", said)));
            }
            if (line.equals(READY)) {
                said.forEach(System.err::println); // notices, as a foreground mount prints them
                return Main.EXIT_OK;
            }
            if (line.equals(END)) {
                return failed(child, said);
            }
            said.add(line);
        }
    }

    /** Put after the child's last line when its output ends without {@link #READY}. */
    private static final String END = "\0end of output";

    private static void readLines(ChildProcess child, BlockingQueue<String> lines) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(child.output(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                lines.add(line);
                if (line.equals(READY)) {
                    return; // the child's output goes to its log from here
                }
            }
        } catch (IOException | UncheckedIOException e) {
            // the pipe broke: the child is gone, its exit code tells
        }
        lines.add(END);
    }

    /** The child exited before the mount was live: its usage message as is, else its errors in one line. */
    private int failed(ChildProcess child, List<String> said) throws CliException {
        int code;
        try {
            code = child.exitCode(true).orElseThrow();
        } catch (NativeIoException e) {
            throw new CliException("the daemon's end could not be waited for: " + e.getMessage());
        }
        if (code == Main.EXIT_USAGE) {
            said.forEach(System.err::println);
            return code;
        }
        List<String> ours = new ArrayList<>();
        List<String> libfuse = new ArrayList<>();
        for (String line : said) {
            if (line.startsWith(ErrorReporter.PREFIX)) {
                ours.add(line.substring(ErrorReporter.PREFIX.length()));
            } else if (line.startsWith("fuse: ") || line.startsWith("fusermount: ")) {
                libfuse.add(line);
            }
        }
        String libfuseSaid = libfuse.isEmpty() ? "" : "; libfuse said: " + String.join("; ", libfuse);
        if (ours.isEmpty()) {
            throw new CliException("the daemon exited (code " + code + ") before the mount was live" + libfuseSaid
                    + (said.isEmpty() ? "" : "; it printed: " + String.join(" | ", said)));
        }
        throw new CliException(String.join("; ", ours) + libfuseSaid);
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
        cmd.addAll(childArgs);
        return cmd;
    }

    /** The child leaves for "/" once mounted: class path entries (java -jar rsplicefs.jar) are made absolute. */
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

    /** SIGTERM first: the child unmounts whatever it got to; SIGKILL if it does not go within 10 s. */
    private static void stop(ChildProcess child) {
        child.signal(false);
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (child.exitCode(false).isEmpty()) {
                if (System.nanoTime() > deadline) {
                    child.signal(true);
                    child.exitCode(true);
                    return;
                }
                Thread.sleep(20);
            }
        } catch (NativeIoException e) {
            // not our child any more: nothing to reap
        } catch (InterruptedException e) {
            child.signal(true);
            Thread.currentThread().interrupt();
        }
    }
}
