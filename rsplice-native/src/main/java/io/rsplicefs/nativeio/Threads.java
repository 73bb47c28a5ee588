package io.rsplicefs.nativeio;

/** The kernel's thread ids: what FUSE and /proc/self/task know a thread by. */
public final class Threads {
    static {
        NativeLibrary.ensureAvailable();
    }

    /** The read(2) syscall number on this architecture, as /proc/PID/task/TID/syscall shows it. */
    public static final int SYS_READ = NativeMethods.sysReadNumber();

    private Threads() {
    }

    /** gettid(2) of the calling thread. */
    public static int currentTid() {
        return NativeMethods.gettid();
    }
}
