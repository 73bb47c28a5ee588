package io.rsplicefs.fs;

/** The Linux errno values the filesystem returns itself (all others come from the backing store's calls). */
final class Errno {
    static final int ENOENT = 2;
    static final int EIO = 5;
    static final int EBADF = 9;
    static final int EINVAL = 22;
    static final int ERANGE = 34;
    static final int ENODATA = 61;
    static final int EOPNOTSUPP = 95;

    private Errno() {
    }
}
