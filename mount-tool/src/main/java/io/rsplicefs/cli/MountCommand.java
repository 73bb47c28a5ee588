package io.rsplicefs.cli;

import io.rsplicefs.fs.Engine;
import io.rsplicefs.fs.MountConfig;
import io.rsplicefs.fs.MountException;
import io.rsplicefs.fs.Transport;
import io.rsplicefs.fs.host.MountTable;
import io.rsplicefs.fs.read.ReadPath;
import io.rsplicefs.fs.write.WritePath;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** rsplicefs mount: in the background (a daemon child JVM) by default, in this process with -f. */
@Command(name = "mount", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        sortOptions = false,
        description = {
            "Mirror the directory SOURCE at MOUNTPOINT, or mount the tar or zip archive SOURCE there read-only.",
            "",
            "Returns once the mount is live (the filesystem's init ran and the mount is in the mount table);"
                    + " the daemon keeps serving in the background and logs to the runtime directory"
                    + " (/run/rsplicefs for root, else $XDG_RUNTIME_DIR/rsplicefs; $RSPLICEFS_RUNTIME_DIR overrides)."
                    + " Stop it with: rsplicefs umount MOUNTPOINT.",
            "With -f it serves in the foreground and unmounts cleanly on Ctrl-C or SIGTERM.",
            ""},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the mount is live (with -f: it was unmounted cleanly)",
            "1:the mount failed (the message says why and what to do)",
            "2:usage error"})
final class MountCommand implements Callable<Integer> {
    /** Hidden: this process is the daemon child that a background mount started. */
    static final String DAEMON_OPTION = "--daemon-child";

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SOURCE",
            description = "The directory to mirror, or a tar or zip archive to mount read-only (chosen by content).")
    Path source;

    @Parameters(index = "1", paramLabel = "MOUNTPOINT",
            description = "An empty directory to mount on (or use -o nonempty).")
    Path mountpoint;

    @Option(names = "--read-path", paramLabel = "PATH", defaultValue = "auto", converter = ReadPathConverter.class,
            completionCandidates = ReadPathConverter.Candidates.class,
            description = "How reads are answered: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    ReadPath readPath;

    @Option(names = "--write-path", paramLabel = "PATH", defaultValue = "auto", converter = WritePathConverter.class,
            completionCandidates = WritePathConverter.Candidates.class,
            description = "How writes reach the source: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}). splice and"
                    + " auto ask libfuse for splice_read and splice each large write from its pipe into the backing"
                    + " file; copy writes every request from memory.")
    WritePath writePath;

    @Option(names = "--donate", negatable = true,
            description = "Let the kernel move backing pages into the FUSE page cache (splice_move;"
                    + " default: off). Evidence of moved pages shows in `rsplicefs stats`.")
    boolean donate;

    @Option(names = "--stable-replies", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Hold writes and truncates through the mount back until every spliced reply that"
                    + " overlaps them has been sent, so a reply never changes after it was filled (default: on;"
                    + " see RELIABILITY.md for what it costs).")
    boolean stableReplies;

    @Option(names = "--force-gift",
            description = "With --read-path=gift: use gift even if the mount-time probe shows this kernel"
                    + " copies gifted pages instead of moving them.")
    boolean forceGift;

    @Option(names = "--engine", paramLabel = "ENGINE", defaultValue = "${env:RSPLICEFS_ENGINE:-direct}",
            converter = EngineConverter.class, completionCandidates = EngineConverter.Candidates.class,
            description = "Who speaks the FUSE protocol: jnr-fuse (libfuse 2.9 through jnr-ffi) or direct (this"
                    + " project's own protocol engine over /dev/fuse: requests up to 1 MiB, one pipe per reply;"
                    + " needs no libfuse). Default: $RSPLICEFS_ENGINE if set, else direct.")
    Engine engine;

    @Option(names = "--threads", paramLabel = "N",
            description = "Worker threads. direct: exactly N (default: one per CPU). jnr-fuse: only 1 (libfuse's"
                    + " single-threaded loop, -s); its multithreaded loop starts workers on demand with no cap.")
    Integer threads;

    @Option(names = "--max-request", paramLabel = "SIZE", defaultValue = "1M", converter = ByteSizeConverter.class,
            description = "direct: the largest READ and WRITE request to ask the kernel for (FUSE_MAX_PAGES;"
                    + " 128K to 1M, default: ${DEFAULT-VALUE}). jnr-fuse: fixed at 128K by libfuse 2.9.")
    long maxRequest;

    @Option(names = "--read-ahead", paramLabel = "SIZE", converter = ByteSizeConverter.class,
            description = "direct, as root: the mount's read-ahead window (its bdi's read_ahead_kb); 0 keeps the"
                    + " kernel's 128K. Default: the largest request, so sequential reads come as requests of that"
                    + " size.")
    Long readAhead;

    @Option(names = "--direct-io",
            description = "direct: open files with FOPEN_DIRECT_IO (no FUSE page cache; every read goes to the"
                    + " daemon and lands in the reader's buffer). For measuring; off by default.")
    boolean directIo;

    @Option(names = "--writeback-cache",
            description = "direct: let the kernel cache writes (FUSE_WRITEBACK_CACHE): small writes are merged in"
                    + " its page cache and reach the daemon later (writeback, fsync, close); the kernel keeps the"
                    + " size and mtime itself. Off by default; not with jnr-fuse (libfuse 2.9 has none). Also"
                    + " -o writeback_cache.")
    boolean writebackCache;

    @Option(names = "--transport", paramLabel = "T", defaultValue = "dev", converter = TransportConverter.class,
            completionCandidates = TransportConverter.Candidates.class,
            description = "direct: how requests and replies travel: dev (/dev/fuse, the default) or uring (FUSE over"
                    + " io_uring, Linux 6.14+ with the fuse module's enable_uring=Y; where refused, the mount is"
                    + " served over /dev/fuse and `rsplicefs stats` says why). --read-path=uring-zc implies uring.")
    Transport transport;

    @Option(names = "-o", paramLabel = "OPT", split = ",", splitSynopsisLabel = ",",
            description = "FUSE mount options by libfuse's names (e.g. -o allow_other,nonempty): passed to libfuse"
                    + " (jnr-fuse), or translated for the kernel by the direct engine, which refuses those it"
                    + " does not know.")
    List<String> fuseOptions = new ArrayList<>();

    @Option(names = "--inflate-cache", paramLabel = "SIZE", defaultValue = "1G", converter = ByteSizeConverter.class,
            description = "Archives: how much of the deflated members nobody has open stays inflated (default:"
                    + " ${DEFAULT-VALUE}); an open member is never evicted.")
    long inflateCache;

    @Option(names = "--inflate-cache-dir", paramLabel = "DIR", defaultValue = "/var/tmp",
            description = "Archives: where deflated members are inflated, as unlinked files (default:"
                    + " ${DEFAULT-VALUE}; a disk file system, so the pages can leave its cache).")
    Path inflateCacheDir;

    @Option(names = "--store-ahead", paramLabel = "N",
            description = "Archives, direct engine: after a READ from the start of a small file (up to 256 KiB),"
                    + " push the next files of its directory, in listing order, into the kernel's page cache"
                    + " (FUSE_NOTIFY_STORE, spliced from the archive), N files per window, so a reader going"
                    + " through the directory sends one READ per N files instead of one per file. Stored members"
                    + " only. Default: " + MountConfig.DEFAULT_STORE_AHEAD + "; 0 turns it off.")
    Integer storeAhead;

    @Option(names = "-f", description = "Foreground: serve in this process until unmounted or signalled.")
    boolean foreground;

    @Option(names = "-d", description = "Debug: libfuse prints every request (implies -f, as in FUSE).")
    boolean debug;

    @Option(names = DAEMON_OPTION, hidden = true)
    boolean daemonChild;

    @Override
    public Integer call() throws CliException, MountException {
        if (forceGift && readPath != ReadPath.GIFT) {
            throw new ParameterException(spec.commandLine(), "--force-gift applies only to --read-path=gift");
        }
        if (threads != null && threads < 1) {
            throw new ParameterException(spec.commandLine(), "--threads must be at least 1");
        }
        if (engine == Engine.JNR_FUSE && threads != null && threads != 1) {
            throw new ParameterException(spec.commandLine(), "--threads " + threads + " cannot be honoured by the"
                    + " jnr-fuse engine: libfuse 2.9 has no cap on its worker threads; use --threads 1"
                    + " (single-threaded), leave it out, or use --engine=direct");
        }
        if (engine != Engine.DIRECT && (readAhead != null || directIo)) {
            throw new ParameterException(spec.commandLine(), "--read-ahead and --direct-io need --engine=direct");
        }
        if (fuseOptions.stream().map(String::trim).anyMatch("writeback_cache"::equals)) {
            writebackCache = true; // libfuse 3's name for it; the engine's option, not the kernel's
            fuseOptions = fuseOptions.stream().filter(o -> !o.trim().equals("writeback_cache")).toList();
        }
        if (engine != Engine.DIRECT && writebackCache) {
            throw new ParameterException(spec.commandLine(), "--writeback-cache needs --engine=direct: libfuse 2.9"
                    + " (the jnr-fuse engine) has no writeback cache");
        }
        if (engine != Engine.DIRECT && transport != Transport.DEV) {
            throw new ParameterException(spec.commandLine(), "--transport=" + transport.id() + " needs"
                    + " --engine=direct: the jnr-fuse engine reads /dev/fuse through libfuse 2.9, which has no io_uring");
        }
        if (storeAhead != null && storeAhead < 0) {
            throw new ParameterException(spec.commandLine(), "--store-ahead must be 0 (off) or a number of files");
        }
        if (engine != Engine.DIRECT && storeAhead != null && storeAhead != 0) {
            throw new ParameterException(spec.commandLine(), "--store-ahead needs --engine=direct: libfuse 2.9"
                    + " (the jnr-fuse engine) cannot push files into the kernel's cache");
        }
        if (maxRequest < 128 * 1024 || maxRequest > 1024 * 1024) {
            throw new ParameterException(spec.commandLine(), "--max-request must be between 128K and 1M");
        }
        List<String> opts = fuseOptions.stream().map(String::trim).filter(o -> !o.isEmpty()).toList();
        Path mp = MountTable.canonical(mountpoint);
        MountRequest req = new MountRequest(MountTable.canonical(source), mp, readPath, writePath, donate, forceGift, opts,
                debug, threads == null ? 0 : threads, stableReplies, inflateCache, inflateCacheDir.toAbsolutePath(),
                engine, (int) maxRequest, readAhead == null ? -1 : readAhead, directIo, writebackCache, transport,
                storeAhead == null ? MountConfig.DEFAULT_STORE_AHEAD : storeAhead);
        if (MountPoints.isDead(mp)) {
            // FuseMount would call it missing: every stat on a dead FUSE mount fails.
            throw new CliException("mount point " + mp + " is a dead FUSE mount (its daemon is gone:"
                    + " transport endpoint is not connected); clean it up with: rsplicefs umount " + mp);
        }
        MountPreflight.check(opts, engine);
        if (foreground || debug || daemonChild) {
            return new ServingProcess(req, daemonChild && !foreground && !debug, RuntimeDir.forCurrentUser())
                    .serve();
        }
        return new DaemonLauncher(req.daemonArgs()).launch();
    }
}
