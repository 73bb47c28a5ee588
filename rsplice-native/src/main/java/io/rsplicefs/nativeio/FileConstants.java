package io.rsplicefs.nativeio;

/** Open/at/rename/xattr flag values of this platform, read from the C headers at load time. */
public final class FileConstants {
    static {
        NativeLibrary.ensureAvailable();
    }

    private static final int[] V = NativeMethods.fileConstants();

    public static final int O_RDONLY = V[0];
    public static final int O_WRONLY = V[1];
    public static final int O_RDWR = V[2];
    public static final int O_CREAT = V[3];
    public static final int O_EXCL = V[4];
    public static final int O_TRUNC = V[5];
    public static final int O_APPEND = V[6];
    public static final int O_DIRECTORY = V[7];
    public static final int O_NOFOLLOW = V[8];
    public static final int O_CLOEXEC = V[9];
    public static final int O_PATH = V[10];
    public static final int O_DIRECT = V[11];
    public static final int O_ACCMODE = V[12];
    public static final int AT_SYMLINK_NOFOLLOW = V[13];
    public static final int AT_REMOVEDIR = V[14];
    public static final int AT_EMPTY_PATH = V[15];
    public static final long RESOLVE_BENEATH = V[16];
    public static final long RESOLVE_NO_SYMLINKS = V[17];
    public static final long RESOLVE_NO_MAGICLINKS = V[18];
    public static final int RENAME_NOREPLACE = V[19];
    public static final int RENAME_EXCHANGE = V[20];
    public static final int XATTR_CREATE = V[21];
    public static final int XATTR_REPLACE = V[22];
    public static final int FALLOC_FL_KEEP_SIZE = V[23];
    public static final int FALLOC_FL_PUNCH_HOLE = V[24];
    public static final int FALLOC_FL_ZERO_RANGE = V[25];
    public static final int S_IFMT = V[26];
    public static final int S_IFIFO = V[27];
    public static final int S_IFSOCK = V[28];
    public static final int S_IFCHR = V[29];
    public static final int S_IFBLK = V[30];
    public static final int S_IFREG = V[31];
    /** utimensat nanosecond values: the current time, and leave this time alone. */
    public static final long UTIME_NOW = V[32];
    public static final long UTIME_OMIT = V[33];

    private FileConstants() {
    }
}
