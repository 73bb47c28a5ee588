package io.rsplicefs.fs.direct;

import io.rsplicefs.nativeio.AtFiles;
import io.rsplicefs.nativeio.Credentials;
import io.rsplicefs.nativeio.NativeIoException;

/**
 * Whose umask a new object gets. Without POSIX ACLs the kernel strips the
 * caller's umask from the mode before it asks, and the daemon (umask 0)
 * creates with the mode as given. With POSIX_ACL and DONT_MASK agreed the
 * kernel leaves the mode whole and sends the umask: it must be applied
 * unless the parent directory has a default ACL, which then decides instead.
 * That is the backing filesystem's own rule when the creating thread's umask
 * is the caller's, so the worker takes a filesystem context of its own
 * (once, see {@link Credentials#ownFsContext}) and sets its umask to the
 * request's for the one create call, then back to 0.
 */
final class CreationUmask {
    /** Whether this thread has its own filesystem context (its own umask) yet. */
    private static final ThreadLocal<boolean[]> OWN_FS = ThreadLocal.withInitial(() -> new boolean[1]);

    private volatile boolean fromRequests;

    /** From INIT on: the kernel sends the umask unapplied (DONT_MASK). */
    void takeFromRequests() {
        fromRequests = true;
    }

    boolean fromRequests() {
        return fromRequests;
    }

    /** A create under the request's {@code umask}; a no-op when the kernel applied it already. */
    interface Create<T> {
        T run() throws NativeIoException;
    }

    <T> T apply(int umask, Create<T> create) throws NativeIoException {
        if (!fromRequests) {
            return create.run();
        }
        boolean[] own = OWN_FS.get();
        if (!own[0]) {
            Credentials.ownFsContext();
            own[0] = true;
        }
        AtFiles.umask(umask & 0777);
        try {
            return create.run();
        } finally {
            AtFiles.umask(0);
        }
    }
}
