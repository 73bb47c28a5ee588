package io.rsplicefs.nativeio;

/** The kernel's thread ids: what FUSE and /proc/self/task know a thread by. */
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

    /** Pins the calling thread to {@code cpu} (sched_setaffinity). */
    public static void pinToCpu(int cpu) throws NativeIoException {
        Errors.check("sched_setaffinity to CPU " + cpu, NativeMethods.pinToCpu(cpu));
    }
}
