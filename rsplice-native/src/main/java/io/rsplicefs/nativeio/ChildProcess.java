package io.rsplicefs.nativeio;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.OptionalInt;

/**
 * A child process started by posix_spawn, not by {@link ProcessBuilder}:
 * Java reaps every child of a ProcessBuilder in a thread blocked in waitpid,
 * and a JVM exiting while one of its threads is in native code waits up to
 * 300 ms for it, which a launcher leaving a daemon child behind always does.
 * Here nothing waits unless asked ({@link #exitCode}). Its stdin is
 * /dev/null; its stdout and stderr are one pipe, read by {@link #output()}.
 */
public final class ChildProcess {
    static {
        NativeLibrary.ensureAvailable();
    }

    /** waitChild's answer while the child runs (rsplice_spawn.c's CHILD_RUNNING; exit codes are below it). */
    private static final int RUNNING = 256;

    private final int pid;
    private final InputStream output;

    private ChildProcess(int pid, InputStream output) {
        this.pid = pid;
        this.output = output;
    }

    /** Starts {@code argv} ({@code argv[0]} an absolute path) in this process's directory and environment. */
    public static ChildProcess spawn(List<String> argv) throws IOException {
        int[] pidAndFd = new int[2];
        Errors.check("posix_spawn " + argv.get(0), NativeMethods.spawn(argv.toArray(String[]::new), pidAndFd));
        // A stream on the pipe through /proc (Java has no stream on a bare fd), then the bare fd goes.
        InputStream in;
        try {
            in = new FileInputStream("/proc/self/fd/" + pidAndFd[1]);
        } finally {
            AtFiles.close(pidAndFd[1]);
        }
        return new ChildProcess(pidAndFd[0], in);
    }

    public int pid() {
        return pid;
    }

    /** The child's stdout and stderr; closing it is the caller's. */
    public InputStream output() {
        return output;
    }

    /**
     * Its exit code (128 + signal if a signal ended it), reaping it; empty
     * while it runs when {@code block} is false.
     */
    public OptionalInt exitCode(boolean block) throws NativeIoException {
        int r = NativeMethods.waitChild(pid, block);
        if (r == RUNNING) {
            return OptionalInt.empty();
        }
        return OptionalInt.of(Errors.check("waitpid " + pid, r));
    }

    /** SIGTERM (or SIGKILL when {@code forcibly}); nothing if it is gone. */
    public void signal(boolean forcibly) {
        ProcessHandle.of(pid).ifPresent(p -> {
            if (forcibly) {
                p.destroyForcibly();
            } else {
                p.destroy();
            }
        });
    }
}
