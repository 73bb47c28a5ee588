package io.rsplicefs.it.cli;

import io.rsplicefs.fs.stats.MountStats;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.rsplicefs.fs.host.MountTable;
import io.rsplicefs.fs.host.ProcessStat;
import io.rsplicefs.it.support.TimeScale;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Mounting, serving, stats and unmounting through the real CLI, in the background and in the foreground. */
@Timeout(90)
class MountLifecycleTest extends CliTestBase {
    private static final int SIZE = 3 * 1024 * 1024 + 123;

    @Test
    @Tag("kernel")
    void backgroundMountServesReadsAndStatsUntilUmount() throws Exception {
        Path src = source(SIZE);
        Path mp = dir("mnt");
        // The default runtime directory (/run/rsplicefs for root): the place real users get.
        Cli defaults = Cli.withRuntimeDir(null);
        Path log = null;
        try {
            Cli.Result mount = defaults.run("mount", src.toString(), mp.toString()).succeeds();
            assertEquals("", mount.out(), mount::describe);
            assertEquals("", mount.err(), mount::describe);
            assertTrue(MountTable.isMounted(mp), "mounted when mount returns");

            assertArrayEquals(Files.readAllBytes(src.resolve("data.bin")), Files.readAllBytes(mp.resolve("data.bin")));
            assertEquals("hello\n", Files.readString(mp.resolve("hello.txt")));

            Cli.Result json = defaults.run("stats", "--json", mp.toString()).succeeds();
            MountStats stats = MountStats.fromJson(json.out());
            assertEquals(mp.toString(), stats.mount().mountpoint());
            long maxBytes = stats.readPaths().values().stream().mapToLong(MountStats.ReadPathStats::bytes)
                    .max().orElse(0);
            // By default (auto) the direct engine passes whole files through: the kernel reads them itself.
            assertTrue(maxBytes >= SIZE || stats.passthrough().opens() >= 1,
                    "a read path counted the file's bytes, or the open was passed through: " + json.out());

            long pid = stats.mount().pid();
            assertTrue(ProcessStat.isRunning(pid), "the daemon runs after mount returned");
            assertTrue(Leftovers.processesMentioning(mp.toString()).contains(pid));
            Path record = findRecord(Path.of("/run/rsplicefs"), mp);
            Properties rec = load(record);
            assertEquals(Long.toString(pid), rec.getProperty("pid"));
            log = Path.of(rec.getProperty("log"));
            assertTrue(Files.readString(log).contains("serving " + src + " on " + mp), "daemon log");

            Cli.Result table = defaults.run("stats", mp.toString()).succeeds();
            assertTrue(table.out().contains("READPATH"), table::describe);
            assertTrue(table.out().lines().anyMatch(l -> l.startsWith("auto ")), table::describe);
            assertTrue(table.out().contains(mp.toString()), table::describe);

            Cli.Result umount = defaults.run("umount", mp.toString()).succeeds();
            assertEquals("", umount.err(), umount::describe);
            assertFalse(MountTable.isMounted(mp), "unmounted when umount returns");
            assertFalse(ProcessStat.isRunning(pid), "the daemon exited when umount returns");
            assertFalse(Files.exists(record), "the daemon record is removed");
        } finally {
            Leftovers.cleanUp(base);
            if (log != null) {
                Files.deleteIfExists(log);
            }
        }
    }

    @Test
    @Tag("kernel")
    void foregroundMountUnmountsAndExitsZeroOnSigterm() throws Exception {
        Path src = source(64 * 1024);
        Path mp = dir("mnt");
        File out = base.resolve("fg.out").toFile();
        File err = base.resolve("fg.err").toFile();
        Process fg = cli.start(out, err, "mount", "-f", src.toString(), mp.toString());
        try {
            awaitMounted(mp, fg, err);
            assertEquals("hello\n", Files.readString(mp.resolve("hello.txt")));
            fg.destroy(); // SIGTERM
            assertTrue(fg.waitFor(TimeScale.of(30), TimeUnit.SECONDS), "exits after SIGTERM");
            String stderr = Files.readString(err.toPath());
            assertEquals(0, fg.exitValue(), "exit code after SIGTERM; stderr: " + stderr);
            assertFalse(stderr.contains("Exception"), stderr);
            assertFalse(MountTable.isMounted(mp), "unmounted on SIGTERM");
            assertEquals(List.of(), Leftovers.processesMentioning(mp.toString()));
            try (Stream<Path> records = Files.list(runtimeDir)) {
                assertEquals(0, records.filter(p -> p.toString().endsWith(".pid")).count(), "record removed");
            }
        } finally {
            fg.destroyForcibly();
            fg.waitFor(TimeScale.of(10), TimeUnit.SECONDS);
        }
    }

    @Test
    @Tag("kernel")
    void umountCleansUpAfterTheDaemonWasKilled() throws Exception {
        Path src = source(256 * 1024);
        Path mp = dir("mnt");
        cli.run("mount", src.toString(), mp.toString()).succeeds();
        long pid = daemonPid(mp);
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly); // SIGKILL
        assertTrue(Leftovers.awaitExit(pid, 10_000), "daemon killed");
        assertTrue(MountTable.isMounted(mp), "a dead mount stays in the mount table");

        cli.run("stats", mp.toString()).failsWith(mp.toString(), "rsplicefs umount");
        cli.run("mount", src.toString(), mp.toString()).failsWith(mp.toString(), "rsplicefs umount " + mp);

        Cli.Result umount = cli.run("umount", mp.toString()).succeeds();
        assertTrue(umount.err().contains("had died"), umount::describe);
        assertFalse(MountTable.isMounted(mp), "the dead mount is gone");

        cli.run("mount", src.toString(), mp.toString()).succeeds();
        assertArrayEquals(Files.readAllBytes(src.resolve("data.bin")), Files.readAllBytes(mp.resolve("data.bin")));
        long again = daemonPid(mp);
        cli.run("unmount", mp.toString()).succeeds(); // the alias
        assertFalse(MountTable.isMounted(mp));
        assertFalse(ProcessStat.isRunning(again));
    }

    @Test
    void nonEmptyMountpointNeedsTheNonemptyOption() throws Exception {
        Path src = source(4096);
        Path mp = dir("mnt");
        Files.writeString(mp.resolve("already-here"), "x");
        cli.run("mount", src.toString(), mp.toString()).failsWith(mp.toString(), "not empty", "-o nonempty");
        assertFalse(MountTable.isMounted(mp));

        cli.run("mount", "-o", "nonempty", src.toString(), mp.toString()).succeeds();
        assertTrue(Files.exists(mp.resolve("hello.txt")), "the mirror covers the directory");
        assertFalse(Files.exists(mp.resolve("already-here")));
        cli.run("umount", mp.toString()).succeeds();
        assertTrue(Files.exists(mp.resolve("already-here")), "the directory's own file is back");
    }

    @Test
    void mountOnAMountIsRefused() throws Exception {
        Path src = source(4096);
        Path mp = dir("mnt");
        cli.run("mount", "--read-path=copy", src.toString(), mp.toString()).succeeds();
        cli.run("mount", src.toString(), mp.toString()).failsWith(mp.toString(), "already a mount",
                "rsplicefs umount");
        assertEquals("hello\n", Files.readString(mp.resolve("hello.txt")), "the first mount still serves");
        cli.run("umount", mp.toString()).succeeds();
        assertFalse(MountTable.isMounted(mp));
    }

    @Test
    void singleThreadedMountServesReads() throws Exception {
        Path src = source(1 << 20);
        Path mp = dir("mnt");
        cli.run("mount", "--threads", "1", src.toString(), mp.toString()).succeeds();
        assertEquals("hello\n", Files.readString(mp.resolve("hello.txt")));
        cli.run("umount", mp.toString()).succeeds();
        assertFalse(MountTable.isMounted(mp));
        // libfuse 2.9 cannot cap its workers; the direct engine honours any count (DirectEngineCliTest)
        cli.run("mount", "--engine=jnr-fuse", "--threads", "4", src.toString(), mp.toString())
                .usageError("--threads 4", "--threads 1");
        assertFalse(MountTable.isMounted(mp));
    }

    @Test
    void theWritebackCacheIsRefusedOnJnrFuse() throws Exception {
        Path src = source(4096);
        Path mp = dir("mnt");
        cli.run("mount", "--engine=jnr-fuse", "--writeback-cache", src.toString(), mp.toString())
                .usageError("--writeback-cache needs --engine=direct", "libfuse 2.9");
        cli.run("mount", "--engine=jnr-fuse", "-o", "allow_other,writeback_cache", src.toString(), mp.toString())
                .usageError("--writeback-cache needs --engine=direct");
        assertFalse(MountTable.isMounted(mp));
    }

    private long daemonPid(Path mp) throws Exception {
        return MountStats.fromJson(cli.run("stats", "--json", mp.toString()).succeeds().out()).mount().pid();
    }

    private static Path findRecord(Path dir, Path mp) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".pid"))
                    .filter(p -> mp.toString().equals(load(p).getProperty("mountpoint"))).findFirst().orElseThrow(() -> new AssertionError("no daemon record for " + mp + " in " + dir));
        }
    }

    private static Properties load(Path record) {
        Properties p = new Properties();
        try (var r = Files.newBufferedReader(record)) {
            p.load(r);
        } catch (IOException e) {
            // another daemon's record, being replaced: not ours
        }
        return p;
    }

    private static void awaitMounted(Path mp, Process p, File err) throws Exception {
        long deadline = System.currentTimeMillis() + TimeScale.of(30_000);
        while (!MountTable.isMounted(mp)) {
            if (!p.isAlive()) {
                fail("mount -f exited " + p.exitValue() + ": " + Files.readString(err.toPath()));
            }
            if (System.currentTimeMillis() > deadline) {
                fail("not mounted within 30 s");
            }
            Thread.sleep(20);
        }
    }
}
