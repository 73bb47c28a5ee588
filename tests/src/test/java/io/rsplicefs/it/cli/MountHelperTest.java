package io.rsplicefs.it.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.rsplicefs.fs.host.MountTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * rsplicefs as a FUSE filesystem is used: mount -t fuse.rsplicefs and /etc/fstab (through mount.fuse), and
 * the one-line messages for a machine that lacks what a mount needs.
 *
 * <p>mount(8) runs its helpers without PATH, so mount.fuse's shell finds "rsplicefs" only in the default
 * path (/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin). Each case therefore runs in a private
 * mount namespace (unshare -m) where a temporary directory holding a "rsplicefs" wrapper of the jar under
 * test is bind-mounted over /usr/local/sbin, and the fstab is a temporary file given with mount -T. Nothing
 * outside the namespace changes: its mounts (the bind and the FUSE mounts) are invisible outside and go when
 * its last process ends; the script unmounts what it mounted on every exit, and CliTestBase checks that no
 * daemon is left. The missing-library cases hide a file the same way (/dev/null bound over it).
 */
@Timeout(180)
class MountHelperTest extends CliTestBase {
    private static final String NS_SHELL = "sh";

    private Path wrapperDir() throws IOException {
        Path bin = dir("sbin");
        Path w = bin.resolve("rsplicefs");
        Files.writeString(w, "#!/bin/sh\n"
                + "export RSPLICEFS_RUNTIME_DIR='" + runtimeDir + "'\n"
                + "exec '" + Cli.JAVA + "' -jar '" + Cli.JAR + "' \"$@\"\n");
        Files.setPosixFilePermissions(w, PosixFilePermissions.fromString("rwxr-xr-x"));
        return bin;
    }

    /** Runs a shell script in a private mount namespace (as root). */
    private Cli.Result inNamespace(String script) throws IOException, InterruptedException {
        return Cli.exec(List.of("unshare", "--mount", "--propagation", "private", NS_SHELL, "-c", script),
                Map.of());
    }

    private static void assumeNamespaces() throws IOException {
        assumeTrue(Host.isRoot(), "needs root (mount namespaces, mount -t)");
        assumeTrue(Host.onPath("unshare"), "needs unshare (util-linux)");
        assumeTrue(Files.isExecutable(Path.of("/sbin/mount.fuse")), "needs mount.fuse (apt-get install fuse)");
    }

    @Test
    void mountDashTAndFstab() throws Exception {
        assumeNamespaces();
        Path src = source(3 * 1024 * 1024 + 123);
        Path mp = dir("mnt");
        Path mp2 = dir("mnt2");
        Path fstab = base.resolve("fstab");
        Files.writeString(fstab, "# a temporary fstab, used with mount -T\n"
                + src + " " + mp + " fuse.rsplicefs noauto,read_path=fd 0 0\n"
                + src + " " + mp2 + " fuse.rsplicefs defaults,nofail,_netdev,threads=1,x-systemd.after=x.service"
                + " 0 0\n");
        String script = String.join("\n",
                "set -u",
                "cleanup() { for m in '" + mp + "' '" + mp2 + "'; do",
                "  grep -q \" $m fuse.rsplicefs \" /proc/self/mounts && fusermount -u -z \"$m\"; done; }",
                "trap cleanup EXIT",
                // this test's mounts only: the namespace starts with a copy of the machine's mount table
                "mounted() { grep ' fuse.rsplicefs ' /proc/self/mounts | grep -c ' " + base + "/'; }",
                "mount --bind '" + wrapperDir() + "' /usr/local/sbin || exit 90",
                "mp='" + mp + "'; mp2='" + mp2 + "'; src='" + src + "'",
                // 1. mount -t with rsplicefs's own options and mount(8)'s
                "mount -t fuse.rsplicefs \"$src\" \"$mp\" -o read_path=rsplice,donate,nofail,nosuid,nodev;"
                        + " echo \"mount-t=$?\"",
                "grep \" $mp \" /proc/self/mountinfo | sed 's/^/mountinfo: /'",
                "cmp \"$src/data.bin\" \"$mp/data.bin\" && echo same-bytes=1",
                "rsplicefs stats \"$mp\" | sed -n 's/^read path */readpath: /p'",
                "umount \"$mp\"; echo \"umount=$?\"",
                // 2. refused options: one line each, non-zero
                "mount -t fuse.rsplicefs \"$src\" \"$mp\" -o engine=fuse3 2>&1 | sed 's/^/engine: /'",
                "mount -t fuse.rsplicefs \"$src\" \"$mp\" -o no_such_option 2>&1 | sed 's/^/unknown: /'",
                "mount -t fuse.rsplicefs \"$src\" \"$mp\" -o engine=jnr-fuse,read_path=copy; echo \"engine-ok=$?\"",
                "umount \"$mp\"",
                // 3. fstab: mount -a skips noauto, mounts the other, a second mount -a sees it mounted
                "mount -a -T '" + fstab + "'; echo \"mount-a=$?\"",
                "mount -a -T '" + fstab + "'; echo \"mount-a-again=$?\"",
                "echo \"mounted=$(mounted)\"",
                "mount -T '" + fstab + "' \"$mp\"; echo \"mount-noauto=$?\"",
                "echo \"mounted=$(mounted)\"",
                "rsplicefs stats \"$mp\" | sed -n 's/^read path */readpath-fstab: /p'",
                "cat \"$mp2/hello.txt\" | sed 's/^/hello: /'",
                "umount \"$mp\"; rsplicefs umount \"$mp2\"; echo \"umount-both=$?\"",
                "echo \"mounted=$(mounted)\"");
        Cli.Result r = inNamespace(script);
        String out = r.out();
        assertEquals(0, r.exit(), r::describe);
        for (String expected : List.of("mount-t=0", "same-bytes=1", "readpath: rsplice (requested rsplice)"
                        + "   donate on", "umount=0", "engine-ok=0", "mount-a=0", "mount-a-again=0",
                "mount-noauto=0", "readpath-fstab: fd (requested fd)", "hello: hello", "umount-both=0")) {
            assertTrue(out.lines().anyMatch(l -> l.startsWith(expected)), () -> expected + "\n" + r.describe());
        }
        // the source names the mount in the mount table, as fstab does; nosuid,nodev reached the kernel
        assertTrue(out.lines().anyMatch(l -> l.startsWith("mountinfo: ") && l.contains("nosuid,nodev")
                && l.contains(" - fuse.rsplicefs " + src + " ")), r::describe);
        assertEquals(List.of("mounted=1", "mounted=2", "mounted=0"),
                out.lines().filter(l -> l.startsWith("mounted=")).toList(), r::describe);
        List<String> engine = out.lines().filter(l -> l.startsWith("engine: ")).toList();
        assertEquals(1, engine.size(), r::describe);
        assertTrue(engine.get(0).contains("rsplicefs: mount option engine=fuse3: no such engine"), r::describe);
        List<String> unknown = out.lines().filter(l -> l.startsWith("unknown: ")).toList();
        assertEquals(1, unknown.size(), r::describe);
        assertTrue(unknown.get(0).contains("rsplicefs: ") && unknown.get(0).contains("no_such_option"),
                r::describe);
    }

    /** The real file behind a library or program, so that /dev/null can be bound over it. */
    private static Path realFile(String... candidates) throws IOException {
        for (String c : candidates) {
            Path p = Path.of(c);
            if (Files.exists(p)) {
                return p.toRealPath();
            }
        }
        assumeTrue(false, "none of " + String.join(", ", candidates) + " exists");
        return null;
    }

    /** Runs the CLI in a private mount namespace where /dev/null hides {@code hidden}. */
    private Cli.Result withHidden(Path hidden, List<String> cliCommand) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("unshare", "--mount", "--propagation", "private", NS_SHELL, "-c",
                "mount --bind /dev/null \"$0\" && exec \"$@\"", hidden.toString()));
        cmd.addAll(cliCommand);
        return Cli.exec(cmd, Map.of("RSPLICEFS_RUNTIME_DIR", runtimeDir.toString()));
    }

    @Test
    void missingLibfuse2() throws Exception {
        mountFailsWithout(realFile("/usr/lib/x86_64-linux-gnu/libfuse.so.2", "/lib/x86_64-linux-gnu/libfuse.so.2",
                "/usr/lib64/libfuse.so.2", "/usr/lib/libfuse.so.2"), "libfuse.so.2", "apt-get install libfuse2");
    }

    @Test
    void missingFusermount() throws Exception {
        mountFailsWithout(realFile("/usr/bin/fusermount", "/bin/fusermount"), "fusermount", "apt-get install fuse");
    }

    /**
     * With {@code hidden} gone, a jnr-fuse mount fails with one line naming {@code message}, mounting nothing
     * (the direct engine, the default, needs neither libfuse nor, as root, fusermount).
     */
    private void mountFailsWithout(Path hidden, String... message) throws Exception {
        assumeNamespaces();
        Path mp = dir("mnt");
        withHidden(hidden, cli.command("mount", "--engine=jnr-fuse", source(10).toString(), mp.toString()))
                .failsWith(message);
        assertFalse(MountTable.isMounted(mp));
    }

    /** A non-root user's allow_other needs user_allow_other in /etc/fuse.conf (hidden: an empty file). */
    @Test
    void allowOtherWithoutUserAllowOther() throws Exception {
        assumeNamespaces();
        assumeTrue(Host.onPath("setpriv"), "needs setpriv (util-linux)");
        assumeTrue(Host.readableByAll(Cli.JAR), "nobody cannot read " + Cli.JAR);
        Path src = source(10);
        Path mp = dir("mnt");
        // refused before the daemon starts: nobody needs no access to the directories
        Path conf = Path.of("/etc/fuse.conf");
        List<String> asNobody = cli.asUser(Host.NOBODY, Host.NOBODY).command("mount", "-o", "allow_other",
                src.toString(), mp.toString());
        Cli.Result r = Files.exists(conf) ? withHidden(conf.toRealPath(), asNobody) : Cli.exec(asNobody,
                Map.of("RSPLICEFS_RUNTIME_DIR", runtimeDir.toString()));
        r.failsWith("allow_other", "user_allow_other", "/etc/fuse.conf");
        assertFalse(MountTable.isMounted(mp));
    }
}
