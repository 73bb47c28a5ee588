package io.rsplicefs.fs;

import io.rsplicefs.fs.core.FsCore;
import io.rsplicefs.fs.core.GiftProbe;
import io.rsplicefs.fs.direct.DirectSession;
import io.rsplicefs.fs.jnrfuse.JnrFuseSession;
import io.rsplicefs.fs.read.ReadPath;
import io.rsplicefs.fs.host.MountTable;
import io.rsplicefs.fs.stats.FsStats;
import io.rsplicefs.fs.stats.MountStats;
import io.rsplicefs.fs.store.DirectoryStore;
import io.rsplicefs.fs.store.Store;
import io.rsplicefs.fs.store.WritableStore;
import io.rsplicefs.fs.store.archive.ArchiveException;
import io.rsplicefs.fs.store.archive.ArchiveStore;
import io.rsplicefs.nativeio.AtFiles;
import io.rsplicefs.nativeio.NativeIoException;
import io.rsplicefs.nativeio.NativeLibrary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A live mount. {@link #mount} returns only when the mount is usable: the
 * filesystem's init ran and the mount shows in /proc/self/mountinfo (a timed
 * "still running after 2 s" guess is not readiness). {@link #close} unmounts
 * and waits for libfuse's loop to end.
 */
public final class FuseMount implements AutoCloseable {
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);

    private final MountConfig config;
    private final FsCore core;
    private final EngineSession engine;
    private final FsStats stats;
    private final CountDownLatch loopEnded;
    private volatile Throwable loopFailure;
    private volatile boolean closed;
    private String notice;

    private FuseMount(MountConfig config, FsCore core, EngineSession engine, FsStats stats) {
        this.config = config;
        this.core = core;
        this.engine = engine;
        this.stats = stats;
        this.loopEnded = engine.ended();
    }

    /**
     * For a store whose tree and bytes cannot change while mounted (an archive):
     * the kernel keeps names, attributes, missing names and file pages for a
     * day instead of asking again after 1 s and dropping the pages at every
     * open. Reading a file once then costs OPEN, READ and RELEASE, not also a
     * LOOKUP or GETATTR whenever a second has passed. libfuse's names, taken by
     * both engines.
     */
    static final List<String> UNCHANGING_OPTIONS = List.of("kernel_cache", "entry_timeout=86400",
            "attr_timeout=86400", "negative_timeout=86400");

    /** Checks the arguments, mounts, and waits until the mount is live. */
    public static FuseMount mount(MountConfig config) throws MountException {
        if (!NativeLibrary.isAvailable()) {
            throw new MountException("the rsplice native helper could not be loaded: "
                    + NativeLibrary.unavailabilityCause().getMessage());
        }
        check(config);
        Store store = openStore(config);
        List<String> fuseOptions = new ArrayList<>(config.engine() == Engine.DIRECT ? config.directOptions()
                : config.libfuseOptions());
        if (!(store instanceof WritableStore)) {
            fuseOptions.add("ro"); // the kernel refuses writes before they reach the daemon
        }
        if (store.unchanging()) {
            fuseOptions.addAll(0, UNCHANGING_OPTIONS); // first: the user's own timeouts still win
        }
        // A passthrough creates files with exactly the mode the caller asked for; the kernel already applied its umask.
        AtFiles.umask(0);
        FsStats stats = new FsStats();
        stats.mountInfo(new MountStats.MountInfo(config.engine().id(), store.describe(), config.source().toString(),
                config.mountpoint().toString(), ProcessHandle.current().pid(), config.readPath().id(),
                config.readPath().id(), config.donate(), config.spliceWrite(),
                String.join(",", fuseOptions), config.writePath().id()));
        FsCore core = new FsCore(store, config, stats);
        if (config.engine() != Engine.DIRECT && config.readPath().passesThrough()) {
            core.stats().passthrough().status("unavailable: the jnr-fuse engine (libfuse 2.9) has no FUSE passthrough");
        }
        if (config.engine() != Engine.DIRECT && config.readPath().zeroCopies()) {
            core.stats().zeroCopy().status("unavailable: the jnr-fuse engine (libfuse 2.9) has no FUSE over io_uring");
        }
        EngineSession engine;
        try {
            engine = config.engine() == Engine.DIRECT
                    ? DirectSession.start(core, config, fuseOptions)
                    : JnrFuseSession.start(core, config.mountpoint(), fuseOptions, config.singleThreaded(),
                            config.debug());
        } catch (MountException e) {
            core.close();
            throw new MountException("mount of " + config.mountpoint() + " failed: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            core.close();
            throw e;
        }
        FuseMount m = new FuseMount(config, core, engine, stats);
        m.awaitReady();
        if (config.readPath() == ReadPath.GIFT) {
            m.notice = GiftProbe.run(core, config, stats);
        }
        if (store instanceof ArchiveStore a && !a.warnings().isEmpty()) {
            String w = "archive: " + String.join("; ", a.warnings().subList(0, Math.min(5, a.warnings().size())))
                    + (a.warnings().size() > 5 ? "; ... (" + a.warnings().size() + " notes in all)" : "");
            m.notice = m.notice == null ? w : m.notice + "\n" + w;
        }
        return m;
    }

    /** A directory is mirrored; a file is mounted as a tar or zip archive (by its content). */
    private static Store openStore(MountConfig config) throws MountException {
        Path src = config.source();
        if (Files.isDirectory(src)) {
            try {
                return DirectoryStore.open(src);
            } catch (NativeIoException e) {
                throw new MountException("cannot open source " + src + ": " + e.errnoName() + " (" + e.getMessage()
                        + ")");
            }
        }
        try {
            return ArchiveStore.open(src, config.inflateCacheDir(), config.inflateCacheBytes());
        } catch (ArchiveException e) {
            throw new MountException("cannot mount " + e.getMessage());
        }
    }

    private static void check(MountConfig c) throws MountException {
        Path src = c.source();
        Path mp = c.mountpoint();
        if (MountTable.isMounted(mp)) {
            throw new MountException("mount point " + mp + " is already a mount (" + MountTable.typeAt(mp).orElse("?")
                    + "); unmount it first: rsplicefs umount " + mp);
        }
        if (!Files.exists(src)) {
            throw new MountException("source " + src + " does not exist");
        }
        if (!Files.isDirectory(src) && !Files.isRegularFile(src)) {
            throw new MountException("source " + src + " is neither a directory (to mirror) nor a file (a tar or zip"
                    + " archive to mount)");
        }
        if (!Files.exists(mp)) {
            throw new MountException("mount point " + mp + " does not exist (create it with: mkdir -p " + mp + ")");
        }
        if (!Files.isDirectory(mp)) {
            throw new MountException("mount point " + mp + " is not a directory");
        }
        if (Files.isDirectory(src) && (src.equals(mp) || mp.startsWith(src))) {
            throw new MountException("mount point " + mp + " is inside the source " + src
                    + " (the mirror would contain itself)");
        }
        boolean nonempty = c.fuseOptions().stream().anyMatch(o -> o.equals("nonempty"));
        if (!nonempty) {
            try (Stream<Path> s = Files.list(mp)) {
                if (s.findAny().isPresent()) {
                    throw new MountException("mount point " + mp + " is not empty (use -o nonempty to mount over it)");
                }
            } catch (IOException e) {
                throw new MountException("cannot read mount point " + mp + ": " + e.getMessage());
            }
        }
        if (!Files.isReadable(Path.of("/dev/fuse")) || !Files.isWritable(Path.of("/dev/fuse"))) {
            throw new MountException("/dev/fuse is missing or not accessible (load the module: modprobe fuse;"
                    + " install: apt-get install fuse; or give this user rw access to /dev/fuse)");
        }
    }

    private void awaitReady() throws MountException {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        try {
            while (System.nanoTime() < deadline) {
                if (loopEnded.await(20, TimeUnit.MILLISECONDS)) {
                    Throwable failure = engine.failure();
                    loopFailure = failure;
                    closeStore();
                    String why = failure == null ? engine.describe() + " ended at once" : failure.getMessage();
                    throw new MountException("mount of " + config.mountpoint() + " failed: " + why
                            + (config.engine() == Engine.JNR_FUSE ? " (run with -d for libfuse's messages)" : ""),
                            failure);
                }
                if (engine.initialized() && MountTable.isMounted(config.mountpoint())) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            close();
        } catch (MountException ignored) {
            // the timeout below is the error to report
        }
        throw new MountException("mount of " + config.mountpoint() + " did not become ready within "
                + READY_TIMEOUT.toSeconds() + " s");
    }

    public MountConfig config() {
        return config;
    }

    public FsStats stats() {
        return stats;
    }

    public Path mountpoint() {
        return config.mountpoint();
    }

    /** A message for the user about the mount (e.g. gift refused), or null. */
    public String notice() {
        return notice;
    }

    /** The read path in use (gift may have been refused by the probe). */
    public ReadPath readPath() {
        return core.effectivePath();
    }

    /** Files the filesystem holds open for the kernel right now. */
    public int openHandles() {
        return core.openHandles();
    }

    /** Blocks until the mount ends (unmounted from outside, or closed). */
    public void awaitUnmounted() throws InterruptedException {
        loopEnded.await();
    }

    public boolean isLive() {
        return loopEnded.getCount() > 0;
    }

    /** Unmounts (fusermount -u; lazily if asked) and waits for libfuse's loop to end. */
    public void unmount(boolean lazy) throws MountException {
        if (closed) {
            return;
        }
        if (isLive() && MountTable.isMounted(config.mountpoint())) {
            Unmounter.unmount(config.mountpoint(), lazy);
        }
        try {
            if (!loopEnded.await(15, TimeUnit.SECONDS)) {
                // Still running (e.g. the unmount was lazy and files are open): detach whatever is left.
                engine.forceEnd();
                loopEnded.await(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closed = true;
        closeStore();
    }

    @Override
    public void close() throws MountException {
        unmount(false);
    }

    private void closeStore() {
        core.close();
    }

    Throwable loopFailure() {
        return loopFailure;
    }
}
