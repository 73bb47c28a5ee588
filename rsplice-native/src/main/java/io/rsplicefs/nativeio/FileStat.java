package io.rsplicefs.nativeio;

/** The fields of struct stat that a filesystem passes on. */
public record FileStat(long dev, long ino, int mode, long nlink, int uid, int gid, long rdev, long size,
                       long blksize, long blocks, long atimeSec, long atimeNsec, long mtimeSec,
                       long mtimeNsec, long ctimeSec, long ctimeNsec) {
    static FileStat of(long[] v) {
        return new FileStat(v[0], v[1], (int) v[2], v[3], (int) v[4], (int) v[5], v[6], v[7], v[8], v[9],
                v[10], v[11], v[12], v[13], v[14], v[15]);
    }

    private static final int S_IFMT = 0170000;

    public boolean isDirectory() {
        return (mode & S_IFMT) == 0040000;
    }

    public boolean isRegularFile() {
        return (mode & S_IFMT) == 0100000;
    }

    public boolean isSymlink() {
        return (mode & S_IFMT) == 0120000;
    }
}
