package io.rsplicefs.cli.probe;

import io.rsplicefs.fs.Engine;
import io.rsplicefs.fs.FuseMount;
import io.rsplicefs.fs.MountConfig;
import io.rsplicefs.fs.MountException;
import io.rsplicefs.fs.host.MountTable;
import io.rsplicefs.fs.stats.MountStats;
import io.rsplicefs.fs.stats.ReadCounters;
import io.rsplicefs.nativeio.AtFiles;
import io.rsplicefs.nativeio.FileConstants;
import io.rsplicefs.nativeio.NativeIoException;
import io.rsplicefs.nativeio.PageArena;
import io.rsplicefs.nativeio.Residency;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Measures what the kernel does with one mount setup's replies: a mirror of a scratch directory holding one
 * file is mounted in this JVM, the file is read through it from a cold backing cache, as applications read
 * (buffered: the kernel's readahead asks for up to 128 KiB at a time), and the filesystem's own counters (every
 * reply sampled) and mincore on the backing file say what was spliced, moved or copied. The mount is gone when
 * {@link #measure} returns; {@link #close} removes the scratch directory.
 */
public final class ReadPathProbe implements AutoCloseable {
    static final String FILE_NAME = "probe.bin";

    private final Path base;
    private final Path source;
    private final Path mountpoint;
    private final byte[] content;
    private final Engine engine;

    private ReadPathProbe(Path base, int size, Engine engine) {
        this.engine = engine;
        this.base = base;
        this.source = base.resolve("source");
        this.mountpoint = base.resolve("mnt");
        this.content = new byte[size];
        for (int i = 0; i < size; i++) {
            content[i] = (byte) (i * 131 + (i >>> 12));
        }
    }

    /**
     * A fresh scratch directory under {@code dir} with the probe's file of {@code size} bytes in its source,
     * to be mounted by {@code engine}.
     */
    public static ReadPathProbe create(Path dir, int size, Engine engine) throws IOException {
        ReadPathProbe p = new ReadPathProbe(Files.createTempDirectory(dir, "rsplicefs-probe-"), size, engine);
        try {
            Files.createDirectories(p.source);
            Files.createDirectories(p.mountpoint);
            Files.write(p.source.resolve(FILE_NAME), p.content);
            return p;
        } catch (IOException e) {
            p.close();
            throw e;
        }
    }

    /** The file system the backing file is on, as the mount table names it ("ext4"). */
    public String sourceFsType() {
        try {
            return Files.getFileStore(source).type();
        } catch (IOException e) {
            return "?";
        }
    }

    public Engine engine() {
        return engine;
    }

    public int fileSize() {
        return content.length;
    }

    /** Mounts {@code setup}, reads the file once from a cold backing cache, unmounts, and says what it saw. */
    public ProbeResult measure(ProbeSetup setup) {
        try {
            dropBackingCache();
        } catch (NativeIoException e) {
            return ProbeResult.failed(setup, "cannot drop the backing file from the page cache: " + e.getMessage());
        }
        MountConfig c = new MountConfig(source, mountpoint).engine(engine).readPath(setup.path())
                .donate(setup.donate()).sampleEvery(1);
        FuseMount m;
        try {
            m = FuseMount.mount(c);
        } catch (MountException e) {
            return ProbeResult.failed(setup, "the mount failed: " + e.getMessage());
        }
        try {
            boolean same = Arrays.equals(readThroughMount(), content);
            awaitReleased(m);
            ReadCounters rc = m.stats().of(m.readPath());
            Map<String, Long> reasons = rc.snapshot().copyReasons();
            long pages = (content.length + PageArena.PAGE_SIZE - 1) / PageArena.PAGE_SIZE;
            MountStats snapshot = m.stats().snapshot();
            MountStats.PassthroughStats pt = snapshot.passthrough();
            MountStats.ZeroCopyStats zc = snapshot.zeroCopy();
            long reads = snapshot.engine() == null ? 0 : snapshot.engine().requests().getOrDefault("READ", 0L);
            return new ProbeResult(setup, null, same, m.readPath(), pages, rc.spliceReplies(), rc.copyReplies(),
                    reasons, rc.sampledPages(), rc.movedPages(), pages - backingResident(), m.stats().gift(),
                    pt.opens(), pt.status(), zc.zeroCopied(), reads, zc.status());
        } catch (IOException e) {
            return ProbeResult.failed(setup, "reading through the mount failed: " + e.getMessage());
        } finally {
            unmount(m);
        }
    }

    /** The file is fsync'd and dropped from the page cache: the read fills the cache afresh. */
    private void dropBackingCache() throws NativeIoException {
        int fd = openBacking();
        try {
            AtFiles.fsync(fd, false);
            Residency.fadvise(fd, 0, 0, Residency.Advice.DONTNEED);
        } finally {
            AtFiles.close(fd);
        }
    }

    private long backingResident() throws IOException {
        int fd = openBacking();
        try {
            return Residency.residentPages(fd, 0, content.length);
        } finally {
            AtFiles.close(fd);
        }
    }

    private int openBacking() throws NativeIoException {
        return AtFiles.openat(-100, source.resolve(FILE_NAME).toString(),
                FileConstants.O_RDONLY | FileConstants.O_CLOEXEC, 0);
    }

    private byte[] readThroughMount() throws IOException {
        try (InputStream in = Files.newInputStream(mountpoint.resolve(FILE_NAME))) {
            return in.readAllBytes();
        }
    }

    /** The last donation sample is resolved when the kernel releases the file, which follows close(). */
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
                // close() then finds the mount and leaves the directory alone
            }
        }
    }

    /** Removes the scratch directory, unless something is still mounted in it. */
    @Override
    public void close() {
        if (MountTable.isMounted(mountpoint)) {
            return; // never walk into a mount that is still there
        }
        try (Stream<Path> s = Files.walk(base)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory left behind is harmless
        }
    }
}
