package io.rsplicefs.cli;

import io.rsplicefs.fs.FuseMount;
import io.rsplicefs.fs.MountConfig;
import io.rsplicefs.fs.MountException;
import io.rsplicefs.fs.read.ReadPath;
import io.rsplicefs.fs.stats.ReadCounters;
import io.rsplicefs.nativeio.AtFiles;
import io.rsplicefs.nativeio.FileConstants;
import io.rsplicefs.nativeio.NativeIoException;
import io.rsplicefs.nativeio.Residency;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The doctor's experiments on a real mount: a tiny mirror of a temporary
 * directory holding one 1 MiB file, read through the mount, and the verdict
 * taken from the filesystem's own counters. Both mounts are gone, and the
 * directory deleted, when {@link #run} returns.
 */
final class MountProbe {
    static final String SPLICE = "splice replies";
    static final String DONATE = "rsplice+donate";
    static final String GIFT = "gift";

    private static final int FILE_SIZE = 1 << 20;
    private static final String FILE_NAME = "probe.bin";

    private final Path base;
    private final Path source;
    private final Path mountpoint;
    private final byte[] content;

    private MountProbe(Path base) {
        this.base = base;
        this.source = base.resolve("source");
        this.mountpoint = base.resolve("mnt");
        this.content = new byte[FILE_SIZE];
        for (int i = 0; i < content.length; i++) {
            content[i] = (byte) (i * 131 + (i >>> 12));
        }
    }

    /** Runs the experiments; every check is reported, as WARN "skipped" when it could not run. */
    static List<Check> run() {
        Path base;
        try {
            base = Files.createTempDirectory("rsplicefs-doctor-");
        } catch (IOException e) {
            return skipped("cannot create a temporary directory: " + e.getMessage(), true);
        }
        MountProbe p = new MountProbe(base);
        try {
            p.prepare();
            List<Check> checks = new ArrayList<>(p.spliceAndDonation());
            checks.add(p.gift());
            return checks;
        } catch (IOException e) {
            return skipped("cannot prepare the test files in " + base + ": " + e.getMessage(), true);
        } finally {
            p.deleteAll();
        }
    }

    /** Each check as skipped; as FAIL for the splice check when even a mount could not be tried. */
    static List<Check> skipped(String why, boolean mountFailed) {
        return List.of(mountFailed ? Check.fail(SPLICE, why) : Check.warn(SPLICE, "skipped: " + why),
                Check.warn(DONATE, "skipped: " + why), Check.warn(GIFT, "skipped: " + why));
    }

    /** The file is written, fsync'd and dropped from the page cache: the reads fill the cache afresh. */
    private void prepare() throws IOException, NativeIoException {
        Files.createDirectories(source);
        Files.createDirectories(mountpoint);
        Path file = source.resolve(FILE_NAME);
        Files.write(file, content);
        int fd = AtFiles.openat(-100, file.toString(), FileConstants.O_RDONLY | FileConstants.O_CLOEXEC, 0);
        try {
            AtFiles.fsync(fd, false);
            Residency.fadvise(fd, 0, 0, Residency.Advice.DONTNEED);
        } finally {
            AtFiles.close(fd);
        }
    }

    /** rsplice with donation and every reply sampled: are replies spliced, are pages moved? */
    private List<Check> spliceAndDonation() {
        MountConfig c = new MountConfig(source, mountpoint).readPath(ReadPath.RSPLICE).donate(true).sampleEvery(1);
        FuseMount m;
        try {
            m = FuseMount.mount(c);
        } catch (MountException e) {
            return List.of(Check.fail(SPLICE, "the test mount failed: " + e.getMessage()),
                    Check.warn(DONATE, "skipped: the test mount failed"),
                    Check.warn(GIFT, "skipped: the test mount failed"));
        }
        try {
            if (!Arrays.equals(readThroughMount(), content)) {
                return List.of(Check.fail(SPLICE, "a file read through the test mount came back different"),
                        Check.warn(DONATE, "skipped: reads are wrong"));
            }
            awaitReleased(m);
            ReadCounters rc = m.stats().of(ReadPath.RSPLICE);
            String where = "(1 MiB file on " + fsType(source) + ")";
            Check splice = rc.spliceReplies() > 0
                    ? Check.ok(SPLICE, "splice replies work: " + rc.spliceReplies() + " of "
                            + (rc.spliceReplies() + rc.copyReplies()) + " replies spliced " + where)
                    : Check.warn(SPLICE, "no reply was spliced, all copied " + rc.snapshot().get("copyReasons")
                            + " " + where + "; reads still work, at copy speed");
            long sampled = rc.sampledPages();
            long moved = rc.movedPages();
            String counted = "rsplice+donate: " + moved + " of " + sampled + " sampled pages moved " + where;
            Check donate = moved > 0 ? Check.ok(DONATE, counted)
                    : Check.warn(DONATE, counted + (sampled == 0 ? "; nothing was sampled"
                            : "; this kernel copies instead of moving, --donate gains nothing here"));
            return List.of(splice, donate);
        } catch (IOException e) {
            return List.of(Check.fail(SPLICE, "reading through the test mount failed: " + e.getMessage()),
                    Check.warn(DONATE, "skipped: reads fail"));
        } finally {
            unmount(m);
        }
    }

    /** gift with donation, not forced: the mount-time probe measures whether 2 gifted pages are moved. */
    private Check gift() {
        MountConfig c = new MountConfig(source, mountpoint).readPath(ReadPath.GIFT).donate(true);
        FuseMount m;
        try {
            m = FuseMount.mount(c);
        } catch (MountException e) {
            return Check.warn(GIFT, "the gift test mount failed: " + e.getMessage());
        }
        try {
            Object g = m.stats().snapshot().get("gift");
            Map<?, ?> probe = g instanceof Map<?, ?> map ? map : Map.of();
            Object moved = probe.get("pagesMoved");
            Object gifted = probe.get("pagesGifted");
            if (moved == null) {
                return Check.warn(GIFT, "could not measure: " + probe.get("error"));
            }
            String counted = "gift: " + moved + " of " + gifted + " gifted pages moved";
            return moved.equals(gifted) ? Check.ok(GIFT, counted + "; --read-path=gift --donate can be used")
                    : Check.warn(GIFT, counted + "; this kernel copies them, gift falls back to rsplice");
        } finally {
            unmount(m);
        }
    }

    /** A buffered read, as applications do: the kernel's readahead asks for 128 KiB at a time. */
    private byte[] readThroughMount() throws IOException {
        try (InputStream in = Files.newInputStream(mountpoint.resolve(FILE_NAME))) {
            return in.readAllBytes();
        }
    }

    /** The last sample is resolved when the kernel releases the file, which happens after close() returns. */
    private static void awaitReleased(FuseMount m) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (m.openHandles() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static void unmount(FuseMount m) {
        try {
            m.unmount(false);
        } catch (MountException e) {
            try {
                m.unmount(true);
            } catch (MountException ignored) {
                // reported by the deletion failing; nothing more to do here
            }
        }
    }

    private static String fsType(Path p) {
        try {
            return Files.getFileStore(p).type();
        } catch (IOException e) {
            return "?";
        }
    }

    private void deleteAll() {
        if (MountPoints.typeAt(mountpoint).isPresent()) {
            return; // never walk into a mount that is still there
        }
        try (Stream<Path> s = Files.walk(base)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory left behind is harmless
        }
    }
}
