package io.rsplicefs.nativeio;

/** struct statvfs. */
public record FsStat(long bsize, long frsize, long blocks, long bfree, long bavail, long files, long ffree,
                     long favail, long fsid, long flag, long namemax) {
    static FsStat of(long[] v) {
        return new FsStat(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10]);
    }
}
