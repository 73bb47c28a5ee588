package io.rsplicefs.nativeio;

/**
 * The calling thread's filesystem credentials (fsuid, fsgid, supplementary
 * groups), switched for one call so that the kernel creates an object as
 * another user would: owner, group (a setgid directory's group), mode bits and
 * permission checks all as for that user, decided by the kernel in one step.
 * <p>
 * Linux keeps these per thread (the raw setgroups syscall is used: glibc's
 * wrapper would change every thread). A root process only; a thread whose
 * credentials cannot be restored aborts the process rather than serve on with
 * a stranger's rights.
 *
 * <pre>
 * Credentials.enter(uid, gid, pid);
 * try { ...one *at() call... } finally { Credentials.leave(); }
 * </pre>
 * Keep Java code between the two to calls of classes already loaded: a class
 * loaded meanwhile is read with the other user's rights.
 */
public final class Credentials {
    static {
        NativeLibrary.ensureAvailable();
        // Loaded now, not first inside a switched window (where the jar might not be readable).
        new NativeIoException("credentials", 1).errnoName();
    }

    private Credentials() {
    }

    /**
     * Switches the calling thread to fsuid {@code uid}, fsgid {@code gid} and
     * the supplementary groups of thread {@code pid} (as /proc/PID/status lists
     * them; none if it cannot be read). On failure the thread keeps its own.
     */
    public static void enter(int uid, int gid, int pid) throws NativeIoException {
        Errors.check("setfsuid", NativeMethods.credsEnter(uid, gid, pid));
    }

    /** Back to the process's own credentials (never fails: aborts the process if it cannot). */
    public static void leave() {
        NativeMethods.credsLeave();
    }

    /** The calling thread's fsuid. */
    public static int fsuid() {
        return (int) (NativeMethods.credsCurrent() >>> 32);
    }

    /** The calling thread's fsgid. */
    public static int fsgid() {
        return (int) NativeMethods.credsCurrent();
    }

    /**
     * Gives the calling thread a filesystem context of its own (unshare
     * CLONE_FS): from then on {@link AtFiles#umask} sets this thread's umask
     * only. The cwd and root are copied; nothing in this process changes them.
     */
    public static void ownFsContext() throws NativeIoException {
        Errors.check("unshare(CLONE_FS)", NativeMethods.credsOwnFs());
    }
}
