package io.rsplicefs.nativeio;

/**
 * File calls relative to a directory fd (the *at() family) plus openat2, so a
 * caller can keep every path beneath a root without following symlinks out of
 * it. All methods throw {@link NativeIoException} with the errno on failure.
 */
public final class AtFiles {
    static {
        NativeLibrary.ensureAvailable();
    }

    private AtFiles() {
    }

    /** openat2(2) with the given RESOLVE_* flags; returns the new fd. */
    public static int openat2(int dirFd, String path, int flags, int mode, long resolve) throws NativeIoException {
        return Errors.check("openat2", NativeMethods.openat2(dirFd, path, flags, mode, resolve));
    }

    public static int openat(int dirFd, String name, int flags, int mode) throws NativeIoException {
        return Errors.check("openat", NativeMethods.openat(dirFd, name, flags, mode));
    }

    public static void close(int fd) throws NativeIoException {
        Errors.check("close", NativeMethods.close(fd));
    }

    public static FileStat fstatat(int dirFd, String name, int flags) throws NativeIoException {
        long[] v = new long[16];
        Errors.check("fstatat", NativeMethods.fstatat(dirFd, name, flags, v));
        return FileStat.of(v);
    }

    public static FileStat fstat(int fd) throws NativeIoException {
        long[] v = new long[16];
        Errors.check("fstat", NativeMethods.fstat(fd, v));
        return FileStat.of(v);
    }

    public static void mkdirat(int dirFd, String name, int mode) throws NativeIoException {
        Errors.check("mkdirat", NativeMethods.mkdirat(dirFd, name, mode));
    }

    /** mknodat(2): {@code mode} carries the file type (S_IFIFO, S_IFSOCK, S_IFCHR, ...). */
    public static void mknodat(int dirFd, String name, int mode, long rdev) throws NativeIoException {
        Errors.check("mknodat", NativeMethods.mknodat(dirFd, name, mode, rdev));
    }

    public static void unlinkat(int dirFd, String name, int flags) throws NativeIoException {
        Errors.check("unlinkat", NativeMethods.unlinkat(dirFd, name, flags));
    }

    public static void renameat2(int oldDir, String oldName, int newDir, String newName, int flags)
            throws NativeIoException {
        Errors.check("renameat2", NativeMethods.renameat2(oldDir, oldName, newDir, newName, flags));
    }

    public static void symlinkat(String target, int dirFd, String name) throws NativeIoException {
        Errors.check("symlinkat", NativeMethods.symlinkat(target, dirFd, name));
    }

    public static void linkat(int oldDir, String oldName, int newDir, String newName, int flags)
            throws NativeIoException {
        Errors.check("linkat", NativeMethods.linkat(oldDir, oldName, newDir, newName, flags));
    }

    /** The raw bytes of a symlink's target. */
    public static byte[] readlinkat(int dirFd, String name) throws NativeIoException {
        int cap = 256;
        while (true) {
            byte[] buf = new byte[cap];
            int n = Errors.check("readlinkat", NativeMethods.readlinkat(dirFd, name, buf));
            if (n <= cap) {
                return java.util.Arrays.copyOf(buf, n);
            }
            cap = n + 1;
        }
    }

    public static void fchmodat(int dirFd, String name, int mode, int flags) throws NativeIoException {
        Errors.check("fchmodat", NativeMethods.fchmodat(dirFd, name, mode, flags));
    }

    public static void fchownat(int dirFd, String name, int uid, int gid, int flags) throws NativeIoException {
        Errors.check("fchownat", NativeMethods.fchownat(dirFd, name, uid, gid, flags));
    }

    /** utimensat(2); nanosecond fields may be UTIME_NOW / UTIME_OMIT. */
    public static void utimensat(int dirFd, String name, long atimeSec, long atimeNsec, long mtimeSec,
                                 long mtimeNsec, int flags) throws NativeIoException {
        Errors.check("utimensat",
                NativeMethods.utimensat(dirFd, name, atimeSec, atimeNsec, mtimeSec, mtimeNsec, flags));
    }

    public static void faccessat(int dirFd, String name, int mode, int flags) throws NativeIoException {
        Errors.check("faccessat", NativeMethods.faccessat(dirFd, name, mode, flags));
    }

    /** lseek(2); whence SEEK_SET 0, SEEK_CUR 1, SEEK_END 2, SEEK_DATA 3, SEEK_HOLE 4. */
    public static long lseek(int fd, long offset, int whence) throws NativeIoException {
        return Errors.check("lseek", NativeMethods.lseek(fd, offset, whence));
    }

    /** copy_file_range(2) at explicit offsets; returns the bytes copied (short or 0 at end of input). */
    public static long copyFileRange(int fdIn, long offIn, int fdOut, long offOut, long len)
            throws NativeIoException {
        return Errors.check("copy_file_range", NativeMethods.copyFileRange(fdIn, offIn, fdOut, offOut, len));
    }

    public static void ftruncate(int fd, long len) throws NativeIoException {
        Errors.check("ftruncate", NativeMethods.ftruncate(fd, len));
    }

    public static void fallocate(int fd, int mode, long offset, long len) throws NativeIoException {
        Errors.check("fallocate", NativeMethods.fallocate(fd, mode, offset, len));
    }

    public static void fsync(int fd, boolean dataOnly) throws NativeIoException {
        Errors.check(dataOnly ? "fdatasync" : "fsync", NativeMethods.fsync(fd, dataOnly));
    }

    public static FsStat fstatvfs(int fd) throws NativeIoException {
        long[] v = new long[11];
        Errors.check("fstatvfs", NativeMethods.fstatvfs(fd, v));
        return FsStat.of(v);
    }

    /** Names in a directory, without "." and "..". */
    public static String[] listDir(int dirFd) throws NativeIoException {
        int[] err = new int[1];
        String[] names = NativeMethods.listDir(dirFd, err);
        if (names == null) {
            throw new NativeIoException("readdir", err[0] != 0 ? err[0] : 12 /* ENOMEM */);
        }
        return names;
    }

    /** The value of an xattr (fd may be an O_PATH fd). */
    public static byte[] getxattr(int fd, String name) throws NativeIoException {
        while (true) {
            int size = Errors.check("getxattr", NativeMethods.getxattr(fd, name, null));
            byte[] buf = new byte[size];
            int n = NativeMethods.getxattr(fd, name, buf);
            if (n == -34 /* ERANGE: grew meanwhile */) {
                continue;
            }
            Errors.check("getxattr", n);
            return java.util.Arrays.copyOf(buf, n);
        }
    }

    /** Raw getxattr into buf (size 0 asks for the length); returns the length. */
    public static int getxattr(int fd, String name, byte[] buf) throws NativeIoException {
        return Errors.check("getxattr", NativeMethods.getxattr(fd, name, buf));
    }

    public static void setxattr(int fd, String name, byte[] value, int flags) throws NativeIoException {
        Errors.check("setxattr", NativeMethods.setxattr(fd, name, value, flags));
    }

    /** Raw listxattr into buf (null asks for the length); returns the length. */
    public static int listxattr(int fd, byte[] buf) throws NativeIoException {
        return Errors.check("listxattr", NativeMethods.listxattr(fd, buf));
    }

    public static void removexattr(int fd, String name) throws NativeIoException {
        Errors.check("removexattr", NativeMethods.removexattr(fd, name));
    }

    /** Sets the umask (the process's, or the thread's after {@link Credentials#ownFsContext}); returns the old. */
    public static int umask(int mask) {
        return NativeMethods.umask(mask);
    }
}
