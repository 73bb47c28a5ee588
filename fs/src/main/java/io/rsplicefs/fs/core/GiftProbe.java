package io.rsplicefs.fs.core;

import io.rsplicefs.fs.MountConfig;
import io.rsplicefs.fs.read.GiftReader;
import io.rsplicefs.fs.read.ReadPath;
import io.rsplicefs.fs.stats.FsStats;
import io.rsplicefs.fs.stats.MountStats;
import io.rsplicefs.fs.store.StoreFile;
import io.rsplicefs.fs.store.WholeFile;
import io.rsplicefs.nativeio.AtFiles;
import io.rsplicefs.nativeio.FileConstants;
import io.rsplicefs.nativeio.FileStat;
import io.rsplicefs.nativeio.NativeIoException;
import io.rsplicefs.nativeio.PageArena;
import io.rsplicefs.nativeio.PageFrames;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Decides at mount time whether the kernel really moves gifted pages, by
 * measuring it once: the daemon reads a two-page file that only it can see
 * ({@link FsCore#PROBE_PATH}) through its own mount; the reply is gifted;
 * then the frames of the FUSE file's cached pages (pagemap, root only) are
 * compared with the frames that were gifted. Equal frames = moved. Two pages
 * at most reach the kernel log if the kernel refuses them.
 */
public final class GiftProbe {
    static final int PAGES = 2;

    /** The probe's backing: an unlinked temporary file of two pages. */
    static final class ProbeFile {
        private final int fd;
        private final FileStat stat;

        private ProbeFile(int fd, FileStat stat) {
            this.fd = fd;
            this.stat = stat;
        }

        static ProbeFile create() throws IOException {
            Path tmp = Files.createTempFile("rsplicefs-gift-probe", ".bin");
            try {
                byte[] data = new byte[PAGES * PageArena.PAGE_SIZE];
                for (int i = 0; i < data.length; i++) {
                    data[i] = (byte) (i * 31 + 7);
                }
                Files.write(tmp, data);
                int fd = AtFiles.openat(-100, tmp.toString(), FileConstants.O_RDONLY | FileConstants.O_CLOEXEC, 0);
                FileStat s = AtFiles.fstat(fd);
                return new ProbeFile(fd, new FileStat(s.dev(), s.ino(), 0100444, 1, 0, 0, 0, s.size(), s.blksize(),
                        s.blocks(), s.atimeSec(), s.atimeNsec(), s.mtimeSec(), s.mtimeNsec(), s.ctimeSec(),
                        s.ctimeNsec()));
            } finally {
                Files.deleteIfExists(tmp);
            }
        }

        FileStat stat() {
            return stat;
        }

        /** A handle for one open of the probe; closing it leaves the probe's own fd open. */
        StoreFile open() throws NativeIoException {
            return WholeFile.adopt(AtFiles.openat(-100, "/proc/self/fd/" + fd,
                    FileConstants.O_RDONLY | FileConstants.O_CLOEXEC, 0), FsCore.PROBE_PATH);
        }

        boolean owns(StoreFile f) {
            return FsCore.PROBE_PATH.equals(f.path());
        }

        void close() throws NativeIoException {
            AtFiles.close(fd);
        }
    }

    private GiftProbe() {
    }

    /**
     * Runs the probe on a live mount and switches the filesystem to gift when
     * the pages moved (or when forced); records the outcome in the stats.
     * Returns a message for the user when gift was asked for but not used.
     */
    public static String run(FsCore fs, MountConfig config, FsStats stats) {
        boolean forced = config.forceGift();
        if (!config.donate()) {
            // Without splice_move the kernel copies every reply: nothing to measure, nothing to gain.
            stats.gift(new MountStats.GiftStats("skipped", forced, 0, -1, "unknown", forced,
                    "gift needs --donate (splice_move) for the kernel to take pages"));
            if (forced) {
                fs.useReadPath(ReadPath.GIFT);
                return null;
            }
            return "gift: needs --donate (splice_move) for the kernel to take gifted pages; using rsplice."
                    + " Add --force-gift to use gift anyway.";
        }
        long moved = -1;
        String error = null;
        ProbeFile probe = null;
        try {
            probe = ProbeFile.create();
            fs.probeFile(probe);
            moved = measure(fs.giftReader(), config.mountpoint().resolve(FsCore.PROBE_PATH.substring(1)));
        } catch (NativeIoException e) {
            error = e.errno() == 1 ? "needs root to read page frames (pagemap)" : e.getMessage();
        } catch (IOException | RuntimeException e) {
            error = String.valueOf(e.getMessage());
        } finally {
            fs.probeFile(null);
            if (probe != null) {
                try {
                    probe.close();
                } catch (NativeIoException ignored) {
                    // the probe's fd is gone either way
                }
            }
        }
        boolean works = moved == PAGES;
        boolean use = works || forced;
        stats.gift(new MountStats.GiftStats("ran", forced, moved < 0 ? 0 : PAGES, moved,
                moved < 0 ? "unknown" : works ? "yes" : "no", use, error));
        if (use) {
            fs.useReadPath(ReadPath.GIFT);
            return null;
        }
        return "gift: " + (moved < 0 ? "could not measure whether this kernel moves gifted pages (" + error + ")"
                : "this kernel moved " + moved + " of " + PAGES + " gifted pages (it copies them instead)")
                + "; using rsplice. Add --force-gift to use gift anyway.";
    }

    private static long measure(GiftReader reader, Path file) throws NativeIoException {
        AtomicReference<long[]> gifted = new AtomicReference<>();
        reader.listener((offset, pfns) -> {
            if (offset == 0) {
                gifted.compareAndSet(null, pfns);
            }
        });
        int fd = AtFiles.openat(-100, file.toString(), FileConstants.O_RDONLY | FileConstants.O_CLOEXEC, 0);
        try (PageArena buf = PageArena.allocate(PAGES)) {
            // A buffered read: the kernel's readahead asks for both pages at once, the only kind of
            // request whose pages the kernel may move.
            io.rsplicefs.nativeio.Splice.preadFully(fd, buf.address(), buf.length(), 0);
            long len = (long) PAGES * PageArena.PAGE_SIZE;
            long map = PageFrames.mapFile(fd, 0, len);
            try {
                PageFrames.touch(map, len);
                long[] cached = PageFrames.of(map, PAGES);
                long[] sent = gifted.get();
                if (sent == null) {
                    throw new IllegalStateException("the probe read was not served by the gift path");
                }
                long same = 0;
                for (int i = 0; i < PAGES && i < sent.length; i++) {
                    if (cached[i] != 0 && cached[i] == sent[i]) {
                        same++;
                    }
                }
                return same;
            } finally {
                PageFrames.unmap(map, len);
            }
        } finally {
            reader.listener(null);
            AtFiles.close(fd);
        }
    }
}
