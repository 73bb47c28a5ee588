package io.rsplicefs.nativeio;

/**
 * The kernel's thread ids: what FUSE and /proc/self/task know a thread by; where a thread runs; and the
 * process's session and output, which a background daemon leaves behind.
 */
public final class Threads {
    static {
        NativeLibrary.ensureAvailable();
    }

    /** The read(2) syscall number on this architecture, as /proc/PID/task/TID/syscall shows it. */
    public static final int SYS_READ = NativeMethods.sysReadNumber();
    /** The splice(2) syscall number on this architecture (libfuse reads /dev/fuse with it under splice_read). */
    public static final int SYS_SPLICE = NativeMethods.sysSpliceNumber();

    private Threads() {
    }

    /** gettid(2) of the calling thread. */
    public static int currentTid() {
        return NativeMethods.gettid();
    }

    /**
     * setsid(2): this process leaves its session and process group for a new
     * one it leads, as a daemon does (its launcher's terminal hangup and Ctrl-C
     * no longer reach it). Returns the new session's id.
     */
    public static int newSession() throws NativeIoException {
        return Errors.check("setsid", NativeMethods.setsid());
    }

    /**
     * Points this process's stdout and stderr (fds 1 and 2) at {@code fd}, as a daemon does with its log:
     * what native code prints goes there too, and the pipe or terminal it was started with is let go.
     * {@code fd} itself stays open; the caller closes it.
     */
    public static void outputTo(int fd) throws NativeIoException {
        Errors.check("dup2 onto stdout and stderr", NativeMethods.outputTo(fd));
    }

    /**
     * chdir("/"), as a daemon does so that its launcher's directory can be unmounted. Java's own idea of the
     * working directory ({@code user.dir}) does not follow: use absolute paths after it.
     */
    public static void leaveDirectory() throws NativeIoException {
        Errors.check("chdir to /", NativeMethods.chdirRoot());
    }

    /** Pins the calling thread to {@code cpu} (sched_setaffinity). */
    public static void pinToCpu(int cpu) throws NativeIoException {
        Errors.check("sched_setaffinity to CPU " + cpu, NativeMethods.pinToCpu(cpu));
    }
}
