package io.rsplicefs.cli.bench;

import io.rsplicefs.nativeio.AtFiles;
import io.rsplicefs.nativeio.FileConstants;
import io.rsplicefs.nativeio.NativeIoException;
import io.rsplicefs.nativeio.PageArena;
import io.rsplicefs.nativeio.Residency;
import io.rsplicefs.nativeio.Splice;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;

/**
 * The page-cache side of the benchmark, through the JNI helper (posix_fadvise,
 * mincore, pread into native memory). Nothing here maps a file's pages: mincore
 * maps without touching, and a mapped page could not be donated.
 */
final class PageCache {
    static final int PAGE = PageArena.PAGE_SIZE;
    /** Reads per warm-up call; under POSIX_FADV_RANDOM the kernel reads exactly this, in order-0 pages. */
    private static final int WARM_CHUNK = 256 * 1024;

    private PageCache() {
    }

    static int open(Path f) throws NativeIoException {
        return AtFiles.openat(-100, f.toString(), FileConstants.O_RDONLY | FileConstants.O_CLOEXEC, 0);
    }

    static void closeQuietly(int fd) {
        try {
            AtFiles.close(fd);
        } catch (NativeIoException ignored) {
            // nothing to do about it
        }
    }

    /** Writes {@code size} pseudo-random bytes (incompressible, seeded) to {@code f} and syncs them. */
    static void writeRandom(Path f, long size, long seed) throws IOException {
        SplittableRandom rnd = new SplittableRandom(seed);
        ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            long left = size;
            while (left > 0) {
                buf.clear();
                while (buf.remaining() >= 8) {
                    buf.putLong(rnd.nextLong());
                }
                buf.flip();
                buf.limit((int) Math.min(buf.limit(), left));
                while (buf.hasRemaining()) {
                    left -= ch.write(buf);
                }
            }
            ch.force(true);
        }
    }

    /** Drops a file's cached pages (it must be clean: writeRandom synced it). */
    static void evict(Path f) throws NativeIoException {
        int fd = open(f);
        try {
            Residency.fadvise(fd, 0, 0, Residency.Advice.DONTNEED);
        } finally {
            closeQuietly(fd);
        }
    }

    /**
     * Drops the backing file's whole cache and reads it back in order-0 pages
     * ({@link #warm}): the same state before every job, whatever the previous
     * target left. Otherwise pages that some reader brought back with ordinary
     * readahead (after proactive reclaim took them, say) stay in large folios,
     * which the kernel never moves, and donation looks partial for reasons that
     * have nothing to do with the target. The file is read twice: a page read
     * once is only "referenced", and the next read (the daemon's splice) would
     * activate it through a per-CPU LRU batch that holds a reference for a while;
     * a page with an extra reference cannot be stolen, which cost about 3 % of the
     * moves (the first page of each 128 KiB splice). A page read twice is active,
     * as a hot backing file's pages are, and stays put. Returns the pages the
     * eviction could not drop (in use), which keep whatever state they had.
     */
    static long refresh(Path f, long size) throws NativeIoException {
        evict(f);
        long kept = resident(f, size);
        warm(f, size);
        warm(f, size);
        return kept;
    }

    /** Resident pages of [0, size) of an open file. */
    static long resident(int fd, long size) throws NativeIoException {
        return Residency.residentPages(fd, 0, size);
    }

    static long resident(Path f, long size) throws NativeIoException {
        int fd = open(f);
        try {
            return resident(fd, size);
        } finally {
            closeQuietly(fd);
        }
    }

    /**
     * Makes the whole backing file resident and recently used, with
     * POSIX_FADV_RANDOM on the reading fd: no readahead, so what is missing comes
     * in as order-0 pages. A sequential read would make ext4 large folios on 6.x
     * kernels, and the kernel never moves those into the FUSE cache, so donation
     * could not be measured after such a warm-up. Every page is read, the resident
     * ones too, so that none looks idle to proactive reclaim (DAMON) during the
     * next job. Returns the bytes that had to come from the disk.
     */
    static long warm(Path f, long size) throws NativeIoException {
        int fd = open(f);
        try (PageArena buf = PageArena.allocate(WARM_CHUNK / PAGE)) {
            Residency.fadvise(fd, 0, 0, Residency.Advice.RANDOM);
            long missing = (size + PAGE - 1) / PAGE - Residency.residentPages(fd, 0, size);
            for (long off = 0; off < size; off += WARM_CHUNK) {
                Splice.preadFully(fd, buf.address(), Math.min(WARM_CHUNK, size - off), off);
            }
            return missing * PAGE;
        } finally {
            closeQuietly(fd);
        }
    }

    /** posix_fadvise(DONTNEED) on an open file: its clean cached pages go. */
    static void drop(int fd) throws NativeIoException {
        Residency.fadvise(fd, 0, 0, Residency.Advice.DONTNEED);
    }
}
