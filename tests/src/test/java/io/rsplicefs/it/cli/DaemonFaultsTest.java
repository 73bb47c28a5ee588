package io.rsplicefs.it.cli;

import io.rsplicefs.fs.stats.MountStats;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.rsplicefs.fs.host.MountTable;
import io.rsplicefs.it.support.TestEngine;
import io.rsplicefs.it.support.TimeScale;
import io.rsplicefs.it.support.Uncached;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The daemon dies or is stopped while reads are in flight, or runs out of
 * file descriptors: clients get errors, not hangs; the CLI recovers; no data
 * is wrong.
 */
@Tag("fuse")
@Timeout(120)
@Tag("kernel")
class DaemonFaultsTest extends CliTestBase {
    static final int SIZE = 16 << 20;

    private long daemonPid(Path mp) throws Exception {
        return MountStats.fromJson(cli.run("stats", "--json", mp.toString()).succeeds().out()).mount().pid();
    }

    /** Reads the whole file over and over (cache dropped each pass) until stopped or an error ends it. */
    private static CompletableFuture<Throwable> readLoop(Path file, AtomicBoolean stop, AtomicLong bytes) {
        return CompletableFuture.supplyAsync(() -> {
            try (Uncached u = new Uncached(file, 1 << 20)) {
                while (!stop.get()) {
                    u.dropCache();
                    for (long off = 0; off < SIZE && !stop.get(); off += 1 << 20) {
                        bytes.addAndGet(u.read(off, 1 << 20).length);
                    }
                }
                return null;
            } catch (Throwable t) {
                return t;
            }
        });
    }

    @Test
    void sigkillDuringReadsGivesClientsAnErrorAndUmountRecovers() throws Exception {
        Path src = source(SIZE);
        Path mp = dir("mnt");
        cli.run("mount", "--read-path=rsplice", src.toString(), mp.toString()).succeeds();
        long pid = daemonPid(mp);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong bytes = new AtomicLong();
        CompletableFuture<Throwable> reader = readLoop(mp.resolve("data.bin"), stop, bytes);
        while (bytes.get() < 4L * SIZE) {
            Thread.sleep(10);
            if (reader.isDone()) {
                fail("reader ended early: " + reader.join());
            }
        }
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly); // SIGKILL mid-read
        Throwable t = reader.get(TimeScale.of(20), TimeUnit.SECONDS); // an error, not a hang
        stop.set(true);
        assertTrue(t != null, "the reader saw an error once the daemon died");
        System.out.println("reader after SIGKILL: " + t);
        assertTrue(Leftovers.awaitExit(pid, 10_000));
        cli.run("umount", mp.toString()).succeeds();
        assertFalse(MountTable.isMounted(mp));
        cli.run("mount", src.toString(), mp.toString()).succeeds();
        assertArrayEquals(Files.readAllBytes(src.resolve("data.bin")), Files.readAllBytes(mp.resolve("data.bin")));
        cli.run("umount", mp.toString()).succeeds();
    }

    @Test
    void sigtermDuringHeavyReadsUnmountsCleanlyAndExitsZero() throws Exception {
        Path src = source(SIZE);
        Path mp = dir("mnt");
        File out = base.resolve("fg.out").toFile();
        File err = base.resolve("fg.err").toFile();
        Process fg = cli.start(out, err, "mount", "-f", "--read-path=rsplice", src.toString(), mp.toString());
        AtomicBoolean stop = new AtomicBoolean();
        try {
            long deadline = System.currentTimeMillis() + TimeScale.of(30_000);
            while (!MountTable.isMounted(mp) && System.currentTimeMillis() < deadline && fg.isAlive()) {
                Thread.sleep(20);
            }
            assertTrue(MountTable.isMounted(mp), "mounted: " + Files.readString(err.toPath()));
            AtomicLong bytes = new AtomicLong();
            CompletableFuture<Throwable> r1 = readLoop(mp.resolve("data.bin"), stop, bytes);
            CompletableFuture<Throwable> r2 = readLoop(mp.resolve("data.bin"), stop, bytes);
            while (bytes.get() < 4L * SIZE) {
                Thread.sleep(10);
            }
            fg.destroy(); // SIGTERM with two readers busy
            assertTrue(fg.waitFor(TimeScale.of(30), TimeUnit.SECONDS), "exits after SIGTERM");
            String stderr = Files.readString(err.toPath());
            assertEquals(0, fg.exitValue(), "exit code after SIGTERM; stderr: " + stderr);
            assertFalse(stderr.contains("Exception"), stderr);
            stop.set(true);
            System.out.println("readers after SIGTERM: " + r1.get(TimeScale.of(20), TimeUnit.SECONDS) + ", "
                    + r2.get(TimeScale.of(20), TimeUnit.SECONDS));
            assertFalse(MountTable.isMounted(mp), "unmounted on SIGTERM");
        } finally {
            stop.set(true);
            fg.destroyForcibly();
            fg.waitFor(TimeScale.of(10), TimeUnit.SECONDS);
        }
    }

    @Test
    void fdExhaustionInTheDaemonFallsBackToCopy() throws Exception {
        Path src = source(SIZE);
        Path mp = dir("mnt");
        cli.run("mount", "--read-path=rsplice", src.toString(), mp.toString()).succeeds();
        long pid = daemonPid(mp);
        byte[] want = Files.readAllBytes(src.resolve("data.bin"));
        byte[] got = new byte[SIZE];
        String softBefore = softNofile(pid);
        try (Uncached u = new Uncached(mp.resolve("data.bin"), 1 << 20)) {
            // The file is open (the daemon holds its fd); now leave the daemon no fd to spare:
            // no worker has made a pipe yet, so every one will fail to.
            long open;
            try (var s = Files.list(Path.of("/proc/" + pid + "/fd"))) {
                open = s.count();
            }
            prlimit(pid, String.valueOf(open));
            u.dropCache();
            for (int off = 0; off < SIZE; off += 1 << 20) {
                byte[] part = u.read(off, 1 << 20);
                System.arraycopy(part, 0, got, off, part.length);
            }
        } finally {
            prlimit(pid, softBefore);
        }
        assertArrayEquals(want, got, "bytes read while the daemon had no fds to spare");
        MountStats.ReadPathStats rsplice = MountStats.fromJson(cli.run("stats", "--json", mp.toString()).succeeds()
                .out()).readPath("rsplice");
        System.out.println("fd exhaustion: " + rsplice);
        if (TestEngine.isDirect()) {
            // its workers made their pipes when they read INIT: nothing left to fail, all spliced
            assertEquals(rsplice.requests(), rsplice.spliceReplies(), "spliced: " + rsplice);
            assertEquals(0, rsplice.errors());
            cli.run("umount", mp.toString()).succeeds();
            return;
        }
        assertTrue(rsplice.copyReasons().getOrDefault("fallback: pipe EMFILE", 0L) > 0,
                "counted: " + rsplice.copyReasons());
        assertEquals(0, rsplice.errors());
        cli.run("umount", mp.toString()).succeeds();
    }

    /** The soft RLIMIT_NOFILE of a process (/proc/PID/limits). */
    private static String softNofile(long pid) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/limits"))) {
            if (line.startsWith("Max open files")) {
                return line.substring("Max open files".length()).trim().split("\\s+")[0];
            }
        }
        throw new AssertionError("no open-files limit for " + pid);
    }

    /** Sets only the soft limit: lowering the hard one could not be undone without CAP_SYS_RESOURCE. */
    private static void prlimit(long pid, String soft) throws Exception {
        Process p = new ProcessBuilder("prlimit", "--pid", String.valueOf(pid), "--nofile=" + soft + ":")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(TimeScale.of(10), TimeUnit.SECONDS) && p.exitValue() == 0, "prlimit: " + out);
    }
}
