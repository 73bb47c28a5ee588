package io.rsplicefs.it.direct;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.rsplicefs.fs.host.MountTable;
import io.rsplicefs.fs.stats.MountStats;
import io.rsplicefs.it.support.EnableUring;
import io.rsplicefs.it.support.TestData;
import io.rsplicefs.it.support.TimeScale;
import io.rsplicefs.it.support.Uncached;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ending a uring-zc mount while READs are being filled in the readers' pages
 * (several readers of a 64 MiB file, the page cache dropped before each pass):
 * SIGKILL of the daemon, and a lazy unmount of a live one. No hung mount (the
 * readers return, with data or an error; the mount point is gone or cleared
 * by rsplicefs umount; the daemon of a lazily unmounted mount ends when the
 * last reader closes) and no kernel warning in the kernel log of the run. The
 * daemon is a process of its own so it can be killed. 7.3 guest only
 * (vagrant/kernel-matrix.sh --kernels 7.3 --tests uring); skipped where the
 * kernel offers no bufpool.
 */
@Tag("fuse")
@Tag("kernel")
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class UringZeroCopyTeardownTest {
    static final int SIZE = 64 << 20;
    static final int READERS = 3;
    /** What the kernel logs when something went wrong (as KernelLogJudge's OFFENDING, plus hung tasks). */
    static final Pattern OFFENDING = Pattern.compile("WARNING|\\bBUG\\b|Oops|cut here|Call Trace|general protection"
            + "|blocked for more than|hung_task|refcount_t|bad page|list_del corruption");

    @TempDir
    Path dir;

    @Test
    void sigkillWithZeroCopyReadsInFlightLeavesNoHungMount() throws Exception {
        run(false);
    }

    @Test
    void lazyUnmountWithZeroCopyReadsInFlightLeavesNoHungMount() throws Exception {
        run(true);
    }

    private void run(boolean lazy) throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "zero-copy queues need CAP_SYS_ADMIN");
        assumeTrue(EnableUring.settable(), "no FUSE over io_uring here (Linux 6.14+) or enable_uring not settable");
        Path src = Files.createDirectories(dir.resolve("src"));
        Path mnt = Files.createDirectories(dir.resolve("mnt"));
        byte[] want = TestData.write(src.resolve("f"), SIZE, 17);
        int logBefore = kernelLog().size();
        String taintBefore = Files.readString(Path.of("/proc/sys/kernel/tainted")).trim();
        AtomicBoolean stop = new AtomicBoolean();
        Process daemon = null;
        try (EnableUring on = EnableUring.set("Y")) {
            daemon = daemon(src, mnt, "--read-path=uring-zc");
            awaitMounted(mnt, daemon);
            MountStats s = MountStats.read(mnt);
            assumeTrue(s.engine().kernelOffered().contains("HAS_IO_URING_BUFPOOL"),
                    "the kernel offers no io_uring bufpool (FUSE 7.46, Linux 7.3): " + s.engine().protocol());
            assertEquals("on", s.zeroCopy().status());
            AtomicLong bytes = new AtomicLong();
            List<CompletableFuture<Throwable>> readers = new ArrayList<>();
            for (int i = 0; i < READERS; i++) {
                readers.add(readLoop(mnt.resolve("f"), want, i, stop, bytes));
            }
            awaitBytes(bytes, SIZE, readers);
            long zc = MountStats.read(mnt).zeroCopy().zeroCopied();
            assertTrue(zc > 0, "READs zero-copied before the end: " + zc);
            long t0 = System.nanoTime();
            if (lazy) {
                Process u = new ProcessBuilder("umount", "-l", mnt.toString()).inheritIO().start();
                assertTrue(u.waitFor(TimeScale.of(20), TimeUnit.SECONDS), "umount -l returns");
                assertEquals(0, u.exitValue(), "umount -l of the live mount");
                assertFalse(MountTable.isMounted(mnt), "detached at once");
                Thread.sleep(500); // the readers go on through their open files
                stop.set(true);
            } else {
                daemon.destroyForcibly(); // SIGKILL with read-fixes into the readers' pages in flight
            }
            List<String> ends = new ArrayList<>();
            for (CompletableFuture<Throwable> r : readers) {
                Throwable t = r.get(TimeScale.of(30), TimeUnit.SECONDS); // a hung reader fails here (timeout)
                ends.add(t == null ? "stopped" : t.toString());
                if (t instanceof AssertionError) {
                    throw (AssertionError) t; // wrong bytes, never acceptable
                }
            }
            assertTrue(daemon.waitFor(TimeScale.of(30), TimeUnit.SECONDS),
                    "the daemon ended (" + (lazy ? "last reader closed the detached mount" : "SIGKILL") + "): "
                            + Files.readString(dir.resolve("daemon.log")));
            if (!lazy) {
                assertEquals(137, daemon.exitValue(), "killed");
                Process u = rsplicefs("umount", mnt.toString());
                assertTrue(u.waitFor(TimeScale.of(30), TimeUnit.SECONDS), "rsplicefs umount returns");
                String out = new String(u.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertEquals(0, u.exitValue(), "rsplicefs umount of the dead mount: " + out);
            }
            assertFalse(MountTable.isMounted(mnt), "no mount left");
            System.out.printf("uring-zc %s: %d MiB read, %d READs zero-copied before; readers: %s; daemon %s after "
                    + "%d ms%n", lazy ? "lazy umount" : "SIGKILL", bytes.get() >> 20, zc, ends,
                    "exit " + daemon.exitValue(), (System.nanoTime() - t0) / 1_000_000);
        } finally {
            stop.set(true);
            if (MountTable.isMounted(mnt)) {
                new ProcessBuilder("umount", "-l", mnt.toString()).inheritIO().start().waitFor(30, TimeUnit.SECONDS);
            }
            if (daemon != null) {
                daemon.destroyForcibly();
            }
        }
        Thread.sleep(1000); // let a late warning reach the log
        List<String> log = kernelLog();
        List<String> fresh = log.subList(Math.min(logBefore, log.size()), log.size());
        List<String> bad = fresh.stream().filter(l -> OFFENDING.matcher(l).find()).toList();
        System.out.println("uring-zc kernel log during the run (" + fresh.size() + " lines): " + fresh);
        assertEquals(List.of(), bad, "no kernel warning");
        assertEquals(taintBefore, Files.readString(Path.of("/proc/sys/kernel/tainted")).trim(), "kernel not tainted");
    }

    /** Reads the file in 1 MiB pieces, dropping its pages before each pass so each pass is READs again. */
    private static CompletableFuture<Throwable> readLoop(Path file, byte[] want, int seed, AtomicBoolean stop,
                                                         AtomicLong bytes) {
        return CompletableFuture.supplyAsync(() -> {
            try (Uncached u = new Uncached(file, 1 << 20)) {
                int start = seed * (want.length / READERS) & -(1 << 20); // 1 MiB pieces, none short
                while (!stop.get()) {
                    u.dropCache();
                    for (int k = 0; k < want.length && !stop.get(); k += 1 << 20) {
                        int off = (start + k) % want.length;
                        int len = Math.min(1 << 20, want.length - off);
                        byte[] got = u.read(off, len);
                        if (got.length != len || TestData.mismatch(want, off, got, len) != -1) {
                            return new AssertionError("wrong bytes at " + off + " (" + got.length + " read)");
                        }
                        bytes.addAndGet(got.length);
                    }
                }
                return null;
            } catch (Throwable t) {
                return t;
            }
        });
    }

    private static void awaitBytes(AtomicLong bytes, long want, List<CompletableFuture<Throwable>> readers)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TimeScale.of(120));
        while (bytes.get() < want) {
            for (CompletableFuture<Throwable> c : readers) {
                if (c.isDone()) {
                    throw new AssertionError("a reader ended early: " + c.join());
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("readers moved only " + bytes.get() + " bytes");
            }
            Thread.sleep(10);
        }
    }

    /** The kernel log as dmesg prints it (root: the guest's tests run as root). */
    private static List<String> kernelLog() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("dmesg").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, "dmesg: " + out);
        return out.lines().toList();
    }

    private Process rsplicefs(String... args) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "-jar", System.getProperty("rsplicefs.jar")));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("RSPLICEFS_RUNTIME_DIR", dir.resolve("run").toString());
        return pb.start();
    }

    /** A direct-engine daemon in the foreground, a process of its own (so it can be killed). */
    private Process daemon(Path src, Path mnt, String... options) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "-jar", System.getProperty("rsplicefs.jar"), "mount", "-f",
                "--engine=direct"));
        cmd.addAll(List.of(options));
        cmd.addAll(List.of(src.toString(), mnt.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("daemon.log").toFile());
        pb.environment().put("RSPLICEFS_RUNTIME_DIR", Files.createDirectories(dir.resolve("run")).toString());
        return pb.start();
    }

    private void awaitMounted(Path mnt, Process daemon) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TimeScale.of(60));
        while (!MountTable.isMounted(mnt) && daemon.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(MountTable.isMounted(mnt), "mounted: " + Files.readString(dir.resolve("daemon.log")));
        while (System.nanoTime() < deadline) {
            try {
                assertNotNull(MountStats.read(mnt));
                return;
            } catch (IOException e) {
                Thread.sleep(20);
            }
        }
        throw new AssertionError("the mount never answered its stats: " + Files.readString(dir.resolve("daemon.log")));
    }
}
