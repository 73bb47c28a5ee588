package io.rsplicefs.cli;

import io.rsplicefs.fs.MountException;
import io.rsplicefs.fs.Unmounter;
import io.rsplicefs.fs.host.MountTable;
import io.rsplicefs.fs.host.ProcessExit;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** rsplicefs umount: unmount (also a dead mount) and make sure its daemon is gone. */
@Command(name = "umount", aliases = "unmount", mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {
            "Unmount a rsplicefs mount and stop its daemon.",
            "",
            "Waits for the daemon to exit (SIGKILL if it hangs). Also removes a dead mount whose daemon was killed (\"Transport endpoint is not connected\")."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:unmounted", "1:not mounted, not a rsplicefs mount, or the unmount failed (e.g. busy)",
            "2:usage error"})
final class UmountCommand implements Callable<Integer> {
    /** How long to wait for the live daemon's pid over the stats xattr; a hung daemon never answers. */
    private static final Duration PID_QUERY_TIMEOUT = Duration.ofSeconds(3);
    /** After a lazy unmount the daemon exits only when the last open file is closed. */
    private static final Duration LAZY_EXIT_WAIT = Duration.ofSeconds(2);
    /** A daemon ends its loop and exits within a second or two once unmounted. */
    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(15);

    @Parameters(paramLabel = "MOUNTPOINT", description = "Where the filesystem is mounted.")
    Path mountpoint;

    @Option(names = "-z", description = "Lazy: detach now even if files are open; the daemon exits once they"
            + " are closed.")
    boolean lazy;

    @Override
    public Integer call() throws CliException, MountException {
        Path mp = MountTable.canonical(mountpoint);
        Path recordFile = RuntimeDir.forCurrentUser().recordFile(mp);
        Optional<DaemonRecord> record = DaemonRecord.read(recordFile).filter(r -> r.mountpoint().equals(mp));
        Optional<String> type = MountPoints.typeAt(mp);
        if (type.isEmpty()) {
            String leftover = record.filter(DaemonRecord::isRunning).map(this::stopLeftover).orElse("");
            record.ifPresent(r -> r.deleteIfOwner(recordFile));
            throw new CliException(mp + " is not mounted" + leftover);
        }
        if (!type.get().equals(MountPoints.TYPE)) {
            throw new CliException(mp + " is not a rsplicefs mount (it is " + type.get()
                    + "); unmount it with umount(8)");
        }
        boolean dead = MountPoints.isDead(mp);
        OptionalLong pid = record.filter(DaemonRecord::isRunning).map(r -> OptionalLong.of(r.pid()))
                .orElseGet(() -> dead ? OptionalLong.empty() : pidFromStats(mp));
        Unmounter.unmount(mp, lazy);
        if (dead && pid.isEmpty()) {
            System.err.println(ErrorReporter.PREFIX + "note: the daemon of " + mp
                    + " had died; its dead mount was removed");
        }
        if (pid.isPresent()) {
            awaitDaemon(pid.getAsLong(), mp);
        }
        record.filter(r -> !r.isRunning()).ifPresent(r -> r.deleteIfOwner(recordFile));
        return Main.EXIT_OK;
    }

    private void awaitDaemon(long pid, Path mp) {
        if (lazy) {
            if (!ProcessExit.await(pid, LAZY_EXIT_WAIT)) {
                System.err.println(ErrorReporter.PREFIX + "note: the daemon (pid " + pid + ") keeps serving the"
                        + " files still open under " + mp + " and exits once they are closed");
            }
            return;
        }
        if (!ProcessExit.await(pid, EXIT_TIMEOUT)) {
            boolean gone = ProcessExit.kill(pid);
            System.err.println(ErrorReporter.PREFIX + "note: the daemon (pid " + pid + ") had not exited "
                    + EXIT_TIMEOUT.toSeconds() + " s after the unmount; "
                    + (gone ? "killed it" : "it survived SIGKILL"));
        }
    }

    /** A daemon still running for a mount point that is not mounted (someone else unmounted it). */
    private String stopLeftover(DaemonRecord r) {
        if (ProcessExit.awaitOrKill(r.pid(), Duration.ofSeconds(2))) {
            return " (its leftover daemon, pid " + r.pid() + ", was stopped)";
        }
        return " (its leftover daemon, pid " + r.pid() + ", survived SIGKILL)";
    }

    /** The live daemon's pid as it reports it itself; for mounts made without a record (another runtime dir). */
    private static OptionalLong pidFromStats(Path mp) {
        CompletableFuture<OptionalLong> f = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                f.complete(OptionalLong.of(StatsSource.of(mp).read().mount().pid()));
            } catch (Exception e) {
                f.complete(OptionalLong.empty());
            }
        }, "rsplicefs-pid-query");
        t.setDaemon(true); // stuck in getxattr on a hung daemon: must not keep this JVM alive
        t.start();
        try {
            return f.get(PID_QUERY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            return OptionalLong.empty();
        }
    }
}
