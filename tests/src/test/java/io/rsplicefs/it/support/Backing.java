package io.rsplicefs.it.support;

import io.rsplicefs.nativeio.AtFiles;
import io.rsplicefs.nativeio.FileConstants;
import io.rsplicefs.nativeio.NativeIoException;
import io.rsplicefs.nativeio.PageArena;
import io.rsplicefs.nativeio.Residency;
import java.nio.file.Path;

/** Page-cache state of backing files, for donation tests. */
public final class Backing {
    private Backing() {
    }

    private static int open(Path f) throws NativeIoException {
        return AtFiles.openat(-100, f.toString(), FileConstants.O_RDONLY | FileConstants.O_CLOEXEC, 0);
    }

    /** Writes back and drops the file's cached pages, so the next read starts cold. */
    public static void evict(Path f) throws NativeIoException {
        int fd = open(f);
        try {
            AtFiles.fsync(fd, false);
            Residency.fadvise(fd, 0, 0, Residency.Advice.DONTNEED);
        } finally {
            AtFiles.close(fd);
        }
    }

    /** Resident pages of the whole file (mincore). */
    public static long residentPages(Path f, long size) throws NativeIoException {
        int fd = open(f);
        try {
            return Residency.residentPages(fd, 0, size);
        } finally {
            AtFiles.close(fd);
        }
    }

    public static long pages(long size) {
        return (size + PageArena.PAGE_SIZE - 1) / PageArena.PAGE_SIZE;
    }
}
