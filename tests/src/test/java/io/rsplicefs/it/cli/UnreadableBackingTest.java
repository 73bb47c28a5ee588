package io.rsplicefs.it.cli;

import io.rsplicefs.fs.stats.MountStats;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.rsplicefs.fs.host.MountTable;
import io.rsplicefs.fs.host.ProcFile;
import io.rsplicefs.fs.host.ProcessStat;
import io.rsplicefs.it.support.TestData;
import io.rsplicefs.it.support.TimeScale;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A backing directory and a backing file become unreadable (chmod 000) while
 * mounted. As root the daemon would read them anyway (CAP_DAC_OVERRIDE), so
 * here the daemon and its clients run as nobody: /dev/fuse is opened to all
 * for the test (Debian's usual 0666; restored afterwards) and libfuse mounts
 * through the setuid fusermount, as for any user.
 *
 * The kernel checks permissions itself (default_permissions) against the
 * modes it has cached; the mount is made with long attribute and entry
 * timeouts so that it keeps the modes from before the chmod and sends the
 * requests on: then the daemon's own opens fail, and what is tested is that
 * the daemon turns that into EACCES for the client without crashing or
 * hanging, while a file opened before the chmod reads on to its end and
 * other files keep working.
 */
@Tag("fuse")
@Timeout(180)
class UnreadableBackingTest extends CliTestBase {
    static final Path DEV_FUSE = Path.of("/dev/fuse");
    static final int BIG = 8 << 20;

    private Cli nobodyCli;

    @Test
    void unreadableBackingGivesEaccesAndTheMountKeepsServing() throws Exception {
        assumeTrue(Host.isRoot(), "needs root to run the daemon as nobody");
        assumeTrue(Host.onPath("setpriv"), "needs setpriv (util-linux)");
        assumeTrue(Host.readableByAll(Cli.JAR), "nobody cannot read " + Cli.JAR);
        Set<PosixFilePermission> devFuseBefore = Files.getPosixFilePermissions(DEV_FUSE);
        Path src = dir("source");
        Path d = Files.createDirectory(src.resolve("d"));
        try {
            Files.setPosixFilePermissions(DEV_FUSE, PosixFilePermissions.fromString("rw-rw-rw-"));
            Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.setPosixFilePermissions(runtimeDir, PosixFilePermissions.fromString("rwxrwxrwx"));
            nobodyCli = cli.asUser(Host.NOBODY, Host.NOBODY);
            byte[] ok = TestData.write(src.resolve("ok.bin"), 1 << 20, 31);
            byte[] f = TestData.write(d.resolve("f.bin"), BIG, 32);
            byte[] g = TestData.write(src.resolve("g.bin"), 64 << 10, 33);
            Path mp = dir("mnt");
            for (Path p : List.of(src, d, src.resolve("ok.bin"), d.resolve("f.bin"), src.resolve("g.bin"), mp)) {
                Files.setAttribute(p, "unix:uid", Host.NOBODY);
                Files.setAttribute(p, "unix:gid", Host.NOBODY);
            }
            nobodyCli.run("mount", "-o", "attr_timeout=3600,entry_timeout=3600", src.toString(), mp.toString())
                    .succeeds();
            long pid = daemonPid(mp);
            assertTrue(ProcFile.read(Path.of("/proc/" + pid + "/status")).contains("\nUid:\t65534\t"),
                    "the daemon runs as nobody");

            // Everything readable; the kernel now holds the entries and modes.
            assertEquals(List.of(sha(ok), sha(f), sha(g)),
                    sums(asNobody("sha256sum", mp + "/ok.bin", mp + "/d/f.bin", mp + "/g.bin")));

            // A reader has d/f.bin open and has read 64 KiB when both chmods happen.
            HeldReader held = HeldReader.start(mp.resolve("d/f.bin"));
            long bytesBefore = bytesServed(mp);
            Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("---------"));
            Files.setPosixFilePermissions(src.resolve("g.bin"), PosixFilePermissions.fromString("---------"));
            String rest = held.finish();
            assertEquals(sha(Arrays.copyOfRange(f, 64 << 10, BIG)), rest, "the open file reads on to its end");
            long servedAfter = bytesServed(mp) - bytesBefore;
            assertTrue(servedAfter >= 4 << 20, "the rest came from the daemon after the chmod: " + servedAfter);
            System.out.println("unreadable: the held reader read on to the end; the daemon served " + servedAfter
                    + " bytes after the chmod");

            // New opens, listings and lookups fail with EACCES, each within the command's time limit.
            assertDenied(asNobody("cat", mp + "/d/f.bin"));
            assertDenied(asNobody("cat", mp + "/g.bin"));
            assertDenied(asNobody("ls", mp + "/d"));
            assertDenied(asNobody("stat", mp + "/d/new"));

            // The mount keeps serving everything else, and nothing was turned into EIO.
            assertEquals(List.of(sha(ok)), sums(asNobody("sha256sum", mp + "/ok.bin")));
            assertEquals(Map.of(), stats(mp).callbackFailures(), "callback failures (EIO)");
            assertTrue(ProcessStat.isRunning(pid), "the daemon is alive");

            // Readable again: the same entries work again.
            Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.setPosixFilePermissions(src.resolve("g.bin"), PosixFilePermissions.fromString("rw-r--r--"));
            assertEquals(List.of(sha(f), sha(g)), sums(asNobody("sha256sum", mp + "/d/f.bin", mp + "/g.bin")));

            nobodyCli.run("umount", mp.toString()).succeeds();
            assertFalse(MountTable.isMounted(mp));
            assertTrue(Leftovers.awaitExit(pid, 10_000), "the daemon exited");
        } finally {
            Files.setPosixFilePermissions(DEV_FUSE, devFuseBefore);
            Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwx------"));
        }
    }

    private static void assertDenied(Cli.Result r) {
        assertNotEquals(0, r.exit(), r::describe);
        assertTrue(r.err().contains("Permission denied"), r::describe);
        System.out.println("unreadable: " + r.err().strip());
    }

    private static Cli.Result asNobody(String... cmd) throws Exception {
        List<String> all = new ArrayList<>(Cli.asUserPrefix(Host.NOBODY, Host.NOBODY));
        all.addAll(List.of(cmd));
        return Cli.exec(all, Map.of());
    }

    /** The checksums sha256sum printed, in order; it must have succeeded. */
    private static List<String> sums(Cli.Result r) {
        assertEquals(0, r.exit(), r::describe);
        return r.out().lines().map(l -> l.split(" ")[0]).toList();
    }

    static String sha(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    private MountStats stats(Path mp) throws Exception {
        return MountStats.fromJson(nobodyCli.run("stats", "--json", mp.toString()).succeeds().out());
    }

    private long daemonPid(Path mp) throws Exception {
        return stats(mp).mount().pid();
    }

    /** Bytes the daemon has served on all read paths. */
    private long bytesServed(Path mp) throws Exception {
        long sum = 0;
        for (MountStats.ReadPathStats p : stats(mp).readPaths().values()) {
            sum += p.bytes();
        }
        return sum;
    }

    /**
     * A shell (as nobody) that opens a file on fd 3, reads its first 64 KiB,
     * says "opened", waits for a line on stdin, then prints the SHA-256 of the
     * rest of the file read through the same fd.
     */
    private static final class HeldReader {
        private final Process p;
        private final BufferedReader out;
        private final CompletableFuture<String> err;

        private HeldReader(Process p) {
            this.p = p;
            this.out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            this.err = CompletableFuture.supplyAsync(() -> {
                try {
                    return new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
                } catch (java.io.IOException e) {
                    return "<unreadable>";
                }
            });
        }

        static HeldReader start(Path file) throws Exception {
            List<String> cmd = new ArrayList<>(Cli.asUserPrefix(Host.NOBODY, Host.NOBODY));
            cmd.addAll(List.of("sh", "-c", "exec 3<\"$1\" && dd bs=65536 count=1 <&3 >/dev/null 2>&1"
                    + " && echo opened && read go && sha256sum <&3", "sh", file.toString()));
            HeldReader r = new HeldReader(new ProcessBuilder(cmd).start());
            String first = r.out.readLine();
            if (!"opened".equals(first)) {
                r.p.destroyForcibly();
                throw new AssertionError("the held reader did not open " + file + ": " + first + " / " + r.err.join());
            }
            return r;
        }

        /** Lets it read the rest; returns the checksum it printed. */
        String finish() throws Exception {
            try (OutputStream in = p.getOutputStream()) {
                in.write("go\n".getBytes(StandardCharsets.UTF_8));
            }
            String line = out.readLine();
            if (!p.waitFor(TimeScale.of(60), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("the held reader hung");
            }
            assertEquals(0, p.exitValue(), "held reader: " + line + " / " + err.join());
            return line == null ? "" : line.split(" ")[0];
        }
    }
}
