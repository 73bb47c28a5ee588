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
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The direct engine through the CLI: a non-root user mounts through the
 * setuid helper (fusermount3 or fusermount sends the mounted /dev/fuse fd
 * back over _FUSE_COMMFD, as libfuse does), reads, asks for stats and
 * unmounts; root mounts with mount(2) and needs no libfuse.
 */
@Tag("fuse")
@Timeout(120)
class DirectEngineCliTest extends CliTestBase {

    @Test
    void aUserMountsThroughTheHelperReadsAndUnmounts() throws Exception {
        assumeTrue(Host.isRoot(), "needs root to run the CLI as another user");
        assumeTrue(Host.onPath("fusermount3") || Host.onPath("fusermount"), "needs fusermount");
        assumeTrue(Files.isReadable(Path.of("/dev/fuse")), "/dev/fuse");
        Path src = source(1 << 20);
        Path mp = dir("mnt");
        for (Path p : new Path[] {base, src}) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        for (Path f : new Path[] {src.resolve("data.bin"), src.resolve("hello.txt")}) {
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
        }
        UserPrincipalLookupService users = mp.getFileSystem().getUserPrincipalLookupService();
        Files.setOwner(mp, users.lookupPrincipalByName("nobody"));
        Files.setPosixFilePermissions(runtimeDir, PosixFilePermissions.fromString("rwxrwxrwx"));
        Cli user = cli.asUser(Host.NOBODY, Host.NOBODY);
        // Users need rw on /dev/fuse (Debian's udev rule makes it 0666; this machine's is 0600): set, restored below.
        Path devFuse = Path.of("/dev/fuse");
        var modeBefore = Files.getPosixFilePermissions(devFuse);
        Files.setPosixFilePermissions(devFuse, PosixFilePermissions.fromString("rw-rw-rw-"));
        try {
            user.run("mount", "--engine=direct", src.toString(), mp.toString()).succeeds();
        } finally {
            Files.setPosixFilePermissions(devFuse, modeBefore);
        }
        assertEquals(modeBefore, Files.getPosixFilePermissions(devFuse), "/dev/fuse mode restored");
        try {
            assertTrue(MountTable.isMounted(mp), "mounted");
            assertEquals("fuse.rsplicefs", MountTable.typeAt(mp).orElse(""));
            List<String> cat = new ArrayList<>(Cli.asUserPrefix(Host.NOBODY, Host.NOBODY));
            cat.addAll(List.of("cat", mp.resolve("hello.txt").toString()));
            assertEquals("hello\n", Cli.exec(cat, java.util.Map.of()).succeeds().out(), "the user reads");
            List<String> cmp = new ArrayList<>(Cli.asUserPrefix(Host.NOBODY, Host.NOBODY));
            cmp.addAll(List.of("cmp", src.resolve("data.bin").toString(), mp.resolve("data.bin").toString()));
            Cli.exec(cmp, java.util.Map.of()).succeeds();
            String json = user.run("stats", "--json", mp.toString()).succeeds().out();
            MountStats s = MountStats.fromJson(json);
            assertEquals("direct", s.mount().engine());
            assertEquals("direct", s.engine().name());
            assertTrue(s.engine().maxRequestBytes() >= 128 * 1024, "a user mount gets large requests too: "
                    + s.engine().maxRequestBytes());
        } finally {
            user.run("umount", mp.toString()).succeeds();
        }
        assertFalse(MountTable.isMounted(mp), "unmounted by the user");
    }

    @Test
    void rootMountsWithTheDirectEngineAndUnmounts() throws Exception {
        Path src = source(1 << 20);
        Path mp = dir("mnt");
        cli.run("mount", "--engine=direct", "--threads=3", src.toString(), mp.toString()).succeeds();
        try {
            assertArrayEqualsFile(src.resolve("data.bin"), mp.resolve("data.bin"));
            MountStats s = MountStats.read(mp);
            assertEquals(3, s.engine().threads(), "--threads honoured exactly");
        } finally {
            cli.run("umount", mp.toString()).succeeds();
        }
        assertFalse(MountTable.isMounted(mp));
    }

    private static void assertArrayEqualsFile(Path a, Path b) throws Exception {
        assertEquals(-1L, Files.mismatch(a, b), a + " and " + b);
    }
}
