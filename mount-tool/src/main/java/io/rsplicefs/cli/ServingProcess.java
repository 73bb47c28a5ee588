package io.rsplicefs.cli;

import io.rsplicefs.fs.FuseMount;
import io.rsplicefs.fs.MountException;
import io.rsplicefs.nativeio.AtFiles;
import io.rsplicefs.nativeio.FileConstants;
import io.rsplicefs.nativeio.NativeIoException;
import io.rsplicefs.nativeio.Threads;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The process that holds a mount and serves it: the foreground of
 * {@code mount -f}, or the daemon child of a background mount. It mounts,
 * leaves a {@link DaemonRecord} (umount's and stats' way to the pid), tells
 * a launcher the mount is live and moves its output to the log, serves until
 * the mount goes away, and on SIGTERM/SIGINT unmounts itself and exits 0.
 */
final class ServingProcess {
    private final MountRequest request;
    private final boolean daemonChild;
    private final Path recordFile;
    private final RuntimeDir runtimeDir;

    private final Object lock = new Object();
    private boolean attemptDone;
    private FuseMount mount;
    private DaemonRecord record;
    private boolean stopped;

    ServingProcess(MountRequest request, boolean daemonChild, RuntimeDir runtimeDir) {
        this.request = request;
        this.daemonChild = daemonChild;
        this.runtimeDir = runtimeDir;
        this.recordFile = runtimeDir.recordFile(request.mountpoint());
    }

    /** Mounts and serves until unmounted; returns the exit code. */
    int serve() throws MountException, CliException {
        if (daemonChild) {
            // What fuse_daemonize does: leave the launcher's session, so the terminal's
            // hangup or Ctrl-C for the launcher's process group never reaches the daemon.
            try {
                Libc.setsid();
            } catch (NativeIoException | RuntimeException | LinkageError e) {
                // Still in the launcher's session: SIGHUP is ignored below, the rest works the same.
                System.err.println(ErrorReporter.PREFIX + "note: setsid failed: " + e.getMessage());
            }
            Signals.ignore("HUP");
            Signals.handle(this::onSignal, "TERM", "INT");
        } else {
            Signals.handle(this::onSignal, "TERM", "INT", "HUP");
        }
        FuseMount m = null;
        try {
            m = FuseMount.mount(request.toConfig());
        } finally {
            synchronized (lock) {
                mount = m;
                attemptDone = true;
                lock.notifyAll();
            }
        }
        if (m.notice() != null) {
            System.err.println(ErrorReporter.PREFIX + m.notice()); // a daemon child's launcher relays it
        }
        publish(m);
        if (daemonChild) {
            detach();
        }
        log("serving " + request.source() + " on " + request.mountpoint() + " (read path " + m.readPath().id()
                + ", write path " + request.writePath().id() + ", donate " + (request.donate() ? "on" : "off") + ")");
        try {
            m.awaitUnmounted(); // unmounted from outside: rsplicefs umount, fusermount -u
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        stop();
        return Main.EXIT_OK;
    }

    private void publish(FuseMount m) throws CliException {
        synchronized (lock) {
            if (stopped) {
                return; // a signal already took the mount down
            }
            DaemonRecord r = DaemonRecord.ofThisProcess(request.source(), request.mountpoint(), m.readPath().id(),
                    daemonChild ? runtimeDir.logFile(request.mountpoint()).toString() : null, m.notice());
            try {
                runtimeDir.create();
                r.write(recordFile);
                record = r;
            } catch (IOException | CliException e) {
                if (daemonChild) {
                    // Without the record the launcher cannot know the mount is live: do not leave it behind.
                    stopLocked();
                    throw new CliException("cannot write the daemon record " + recordFile + " (" + e.getMessage()
                            + "); set " + RuntimeDir.ENV + " to a writable directory");
                }
                // In the foreground only `rsplicefs umount` loses the pid; Ctrl-C still works.
                System.err.println(ErrorReporter.PREFIX + "note: cannot write " + recordFile + ": " + e.getMessage());
            }
        }
    }

    /**
     * Tells the launcher the mount is live ({@link DaemonLauncher#READY} on stdout, its pipe), then lets go
     * of its pipe and directory: stdout and stderr become the log, the directory "/". A log that cannot be
     * opened is found before the line, while the launcher still reports errors, and ends the mount.
     */
    private void detach() throws CliException {
        Path logFile = runtimeDir.logFile(request.mountpoint());
        int fd;
        try {
            fd = AtFiles.openat(-100 /* AT_FDCWD; the log's path is absolute */, logFile.toString(),
                    FileConstants.O_WRONLY | FileConstants.O_APPEND | FileConstants.O_CREAT | FileConstants.O_CLOEXEC,
                    0644);
        } catch (NativeIoException e) {
            stop();
            throw new CliException("cannot write the daemon's log " + logFile + " (" + e.getMessage() + "); set "
                    + RuntimeDir.ENV + " to a writable directory");
        }
        try {
            System.err.flush();
            System.out.println(DaemonLauncher.READY);
            System.out.flush();
            Threads.outputTo(fd);
        } catch (NativeIoException e) {
            // The launcher has its line and is gone: this note reaches nobody, the mount serves on regardless.
            System.err.println(ErrorReporter.PREFIX + "note: " + e.getMessage());
        } finally {
            closeQuietly(fd);
        }
        try {
            Threads.leaveDirectory();
        } catch (NativeIoException e) {
            log("note: " + e.getMessage() + "; the launcher's directory stays busy while mounted");
        }
    }

    private static void closeQuietly(int fd) {
        try {
            AtFiles.close(fd);
        } catch (NativeIoException e) {
            // fds 1 and 2 hold the log now; this fd was only the way to them
        }
    }

    /** SIGTERM/SIGINT (and SIGHUP in the foreground): unmount, then exit 0 instead of the JVM's 143/130. */
    private void onSignal(String name) {
        synchronized (lock) {
            while (!attemptDone) {
                try {
                    lock.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            if (mount == null) {
                return; // the mount failed; the main thread reports it and exits 1
            }
        }
        log("SIG" + name + ": unmounting");
        stop();
        System.exit(Main.EXIT_OK);
    }

    private void stop() {
        synchronized (lock) {
            stopLocked();
        }
    }

    private void stopLocked() {
        if (stopped || mount == null) {
            return;
        }
        stopped = true;
        try {
            mount.unmount(false);
        } catch (MountException busy) {
            // Files are still open on it, and this process is going away either way:
            // detach it now; open files fail once the process has exited.
            System.err.println(ErrorReporter.PREFIX + busy.getMessage() + "; detaching it lazily");
            try {
                mount.unmount(true);
            } catch (MountException e) {
                System.err.println(ErrorReporter.PREFIX + e.getMessage());
            }
        }
        if (record != null) {
            record.deleteIfOwner(recordFile);
        }
        log("unmounted " + request.mountpoint());
    }

    /** A timestamped line for the daemon's log; the foreground stays quiet. */
    private void log(String line) {
        if (daemonChild) {
            System.out.println(Instant.now().truncatedTo(ChronoUnit.SECONDS) + " rsplicefs["
                    + ProcessHandle.current().pid() + "]: " + line);
            System.out.flush();
        }
    }
}
