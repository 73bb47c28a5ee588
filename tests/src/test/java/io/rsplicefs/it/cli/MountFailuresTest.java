package io.rsplicefs.it.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.rsplicefs.fs.host.MountTable;
import io.rsplicefs.it.support.TimeScale;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Bad input and failures: each gives one line that names the path and what
 * to do, the right exit code, no stack trace, and leaves nothing mounted and
 * no process behind (checked after every test by CliTestBase).
 */
@Timeout(60)
class MountFailuresTest extends CliTestBase {

    @Test
    void missingSourceIsAUsageError() throws Exception {
        cli.run("mount").usageError("SOURCE", "MOUNTPOINT");
        cli.run("mount", dir("only-one").toString()).usageError("MOUNTPOINT");
    }

    @Test
    void unknownReadPathIsAUsageError() throws Exception {
        cli.run("mount", "--read-path=turbo", source(10).toString(), dir("mnt").toString())
                .usageError("turbo", "copy, fd, rsplice, gift, passthrough, uring-zc, auto");
    }

    @Test
    void unknownOptionIsAUsageError() throws Exception {
        cli.run("mount", "--frobnicate", source(10).toString(), dir("mnt").toString()).usageError("--frobnicate");
        cli.run("mount", "--force-gift", source(10).toString(), dir("mnt").toString()).usageError("--force-gift");
        cli.run("frobnicate").usageError("frobnicate");
        cli.run().usageError("missing command");
    }

    @Test
    void sourceThatDoesNotExist() throws Exception {
        Path missing = base.resolve("no-such-source");
        cli.run("mount", missing.toString(), dir("mnt").toString()).failsWith(missing.toString(), "does not exist");
    }

    @Test
    void sourceThatIsNeitherADirectoryNorAnArchive() throws Exception {
        Path file = Files.writeString(base.resolve("a-file"), "x");
        cli.run("mount", file.toString(), dir("mnt").toString()).failsWith(file.toString(), "not a tar or zip archive");
        cli.run("mount", "/dev/null", dir("mnt").toString()).failsWith("/dev/null", "neither a directory");
    }

    @Test
    void mountpointThatDoesNotExist() throws Exception {
        Path missing = base.resolve("no-such-mountpoint");
        cli.run("mount", source(10).toString(), missing.toString())
                .failsWith(missing.toString(), "does not exist", "mkdir -p " + missing);
    }

    @Test
    void mountpointThatIsNotADirectory() throws Exception {
        Path file = Files.writeString(base.resolve("a-file"), "x");
        cli.run("mount", source(10).toString(), file.toString()).failsWith(file.toString(), "not a directory");
    }

    @Test
    void foregroundFailuresAreReportedTheSameWay() throws Exception {
        Path full = dir("full");
        Files.writeString(full.resolve("x"), "x");
        cli.run("mount", "-f", source(10).toString(), full.toString())
                .failsWith(full.toString(), "not empty", "-o nonempty");
    }

    @Test
    void unknownFuseOptionRelaysWhatLibfuseSaid() throws Exception {
        Path mp = dir("mnt");
        cli.run("mount", "-o", "no_such_fuse_option", source(10).toString(), mp.toString())
                .failsWith(mp.toString(), "no_such_fuse_option");
    }

    /** /dev/fuse mode 0600 root: an ordinary user (nobody) may not open it. */
    @Test
    void devFuseWithoutPermission() throws Exception {
        assumeTrue(Host.isRoot(), "needs root to run the CLI as nobody");
        assumeTrue(Host.onPath("setpriv"), "needs setpriv (util-linux)");
        int mode = (Integer) Files.getAttribute(Path.of("/dev/fuse"), "unix:mode");
        assumeTrue((mode & 0006) == 0, "/dev/fuse is open to everyone here; not changing it");
        assumeTrue(Host.readableByAll(Cli.JAR), "nobody cannot read " + Cli.JAR);
        Path src = source(10);
        Path mp = dir("mnt");
        for (Path p : new Path[] {base, src, mp}) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Files.setPosixFilePermissions(runtimeDir, PosixFilePermissions.fromString("rwxrwxrwx"));
        cli.asUser(Host.NOBODY, Host.NOBODY).run("mount", src.toString(), mp.toString())
                .failsWith("/dev/fuse", "rw access");
        assertFalse(MountTable.isMounted(mp));
    }

    @Test
    void umountOfWhatIsNotMounted() throws Exception {
        Path mp = dir("mnt");
        cli.run("umount", mp.toString()).failsWith(mp.toString(), "not mounted");
        cli.run("umount").usageError("MOUNTPOINT");
    }

    @Test
    void umountLeavesOtherFilesystemsAlone() throws Exception {
        assumeTrue(Host.isRoot(), "needs root to mount a tmpfs");
        Path mp = dir("tmpfs");
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "rsplicefs-test", mp.toString())
                .redirectErrorStream(true).start();
        assumeTrue(p.waitFor(TimeScale.of(30), TimeUnit.SECONDS) && p.exitValue() == 0, "cannot mount a tmpfs here");
        cli.run("umount", mp.toString()).failsWith(mp.toString(), "not a rsplicefs mount", "tmpfs");
        assertTrue(MountTable.isMounted(mp), "the tmpfs is still mounted");
        cli.run("stats", mp.toString()).failsWith(mp.toString(), "not a rsplicefs mount");
        new ProcessBuilder("umount", mp.toString()).start().waitFor(TimeScale.of(30), TimeUnit.SECONDS);
    }

    @Test
    void statsOfWhatIsNotMounted() throws Exception {
        Path mp = dir("mnt");
        cli.run("stats", mp.toString()).failsWith(mp.toString(), "not mounted");
        cli.run("stats", "--watch", "0", mp.toString()).usageError("--watch");
    }
}
