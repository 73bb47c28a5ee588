package io.rsplicefs.it.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.rsplicefs.fs.host.MountTable;
import io.rsplicefs.fs.stats.MountStats;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * --read-path=uring-zc mounted by a user without CAP_SYS_ADMIN (through the
 * setuid helper): the kernel would refuse its zero-copy queues (EPERM), so
 * the daemon does not ask, serves every open by the other read paths and
 * says why, whatever the kernel offers.
 */
@Tag("fuse")
@Timeout(120)
class UringZeroCopyCliTest extends CliTestBase {

    @Test
    void anUnprivilegedDaemonFallsBackAndSaysWhy() throws Exception {
        assumeTrue(Host.isRoot(), "needs root to run the CLI as another user");
        assumeTrue(Host.onPath("fusermount3") || Host.onPath("fusermount"), "needs fusermount");
        Path src = source(1 << 20);
        Path mp = dir("mnt");
        for (Path p : new Path[] {base, src}) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        for (Path f : new Path[] {src.resolve("data.bin"), src.resolve("hello.txt")}) {
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
        }
        Files.setOwner(mp, mp.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
        Files.setPosixFilePermissions(runtimeDir, PosixFilePermissions.fromString("rwxrwxrwx"));
        Cli user = cli.asUser(Host.NOBODY, Host.NOBODY);
        // Users need rw on /dev/fuse (this machine's is 0600): set, and restored below.
        Path devFuse = Path.of("/dev/fuse");
        var modeBefore = Files.getPosixFilePermissions(devFuse);
        Files.setPosixFilePermissions(devFuse, PosixFilePermissions.fromString("rw-rw-rw-"));
        try {
            user.run("mount", "--engine=direct", "--read-path=uring-zc", src.toString(), mp.toString()).succeeds();
        } finally {
            Files.setPosixFilePermissions(devFuse, modeBefore);
        }
        assertEquals(modeBefore, Files.getPosixFilePermissions(devFuse), "/dev/fuse mode restored");
        try {
            assertTrue(MountTable.isMounted(mp), "mounted");
            List<String> cmp = new ArrayList<>(Cli.asUserPrefix(Host.NOBODY, Host.NOBODY));
            cmp.addAll(List.of("cmp", src.resolve("data.bin").toString(), mp.resolve("data.bin").toString()));
            Cli.exec(cmp, Map.of()).succeeds();
            MountStats s = MountStats.fromJson(user.run("stats", "--json", mp.toString()).succeeds().out());
            String why = "zero-copy queues need CAP_SYS_ADMIN";
            assertEquals("uring-zc", s.mount().readPath());
            assertEquals("unavailable: " + why, s.zeroCopy().status());
            assertEquals(0, s.zeroCopy().opens());
            assertTrue(s.zeroCopy().fallbacks() >= 1, s.zeroCopy().toString());
            assertEquals(Map.of(why, s.zeroCopy().fallbacks()), s.zeroCopy().fallbackReasons());
            String table = user.run("stats", mp.toString()).succeeds().out();
            assertTrue(table.contains("uring-zc    unavailable: " + why), table);
        } finally {
            user.run("umount", mp.toString()).succeeds();
        }
        assertFalse(MountTable.isMounted(mp), "unmounted by the user");
    }
}
