package io.rsplicefs.it.direct;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.rsplicefs.fs.stats.MountStats;
import io.rsplicefs.it.support.EnableUring;
import io.rsplicefs.it.support.TestData;
import io.rsplicefs.it.support.TimeScale;
import io.rsplicefs.nativeio.AtFiles;
import io.rsplicefs.nativeio.NativeIoException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * FUSE_INTERRUPT on the direct engine, with two daemon processes. Not tagged
 * kernel: the harness needs care on each kernel (6.1 takes the inode lock in
 * fuse_flush, so a process spawned at the wrong moment waits for the
 * writer), and what it checks is the engine's, not the kernel's.
 */
@Tag("fuse")
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class DirectInterruptTest {
    private static final int AT_FDCWD = -100;

    @TempDir
    Path dir;

    /**
     * FUSE_INTERRUPT on a real mount. A read is held: the file lives on a
     * second mount (B) inside the first one's (A's) backing directory, and B's
     * daemon is stopped (SIGSTOP), so A's worker waits in its splice from
     * that file while it holds the range in the stable-replies guard. A
     * writer is then killed while its request waits in A: the kernel sends
     * FUSE_INTERRUPT. What the writer waits on is the kernel's check for
     * security.capability before any write (a GETXATTR that A passes to the
     * stopped B, blocked in a native call, which cannot give up); a WRITE
     * waiting in the guard itself gives up at once (ReplyGuardTest). Checked:
     * the interrupt reaches the worker that handles the request, no reply is
     * sent to it, and once B runs again every request completes and A serves
     * on. Both daemons are separate processes: this JVM must hold no fd on B
     * while B is stopped (a child it spawns closes its copies, and every close
     * of a FUSE file waits for a FLUSH). A has four workers. On the uring
     * transport the requests come over A's io_uring queues while INTERRUPT
     * still comes over /dev/fuse (the kernel queues interrupts and forgets
     * there): the interrupt must find the ring worker handling the request
     * (three workers per queue here: see {@link #daemon}).
     */
    @ParameterizedTest(name = "transport={0}")
    @ValueSource(strings = {"dev", "uring"})
    void anInterruptForARequestHeldInTheDaemonIsTakenAndEverythingCompletes(String transport) throws Exception {
        if (transport.equals("uring")) {
            assumeTrue(EnableUring.settable(), "no FUSE over io_uring here (Linux 6.14+, root)");
            try (EnableUring on = EnableUring.set("Y")) {
                interruptTaken(transport);
            }
        } else {
            interruptTaken(transport);
        }
    }

    private void interruptTaken(String transport) throws Exception {
        Path bSrc = Files.createDirectories(dir.resolve("b-src"));
        TestData.write(bSrc.resolve("slow"), 1 << 20, 5);
        Path aSrc = Files.createDirectories(dir.resolve("a-src"));
        Path bMnt = Files.createDirectories(aSrc.resolve("inner"));
        Path aMnt = Files.createDirectories(dir.resolve("a-mnt"));
        Process b = daemon("b", bSrc, bMnt, "--read-path=copy");
        // No process may be spawned while the writer waits: the child closes its copy of this JVM's fd of the
        // file, and that close's FLUSH waits for the inode lock the writer holds (6.1 takes it in fuse_flush).
        Signaller signals = new Signaller();
        Process a = null;
        Process writer = null;
        int fd = -1;
        try {
            awaitMounted(bMnt);
            a = daemon("a", aSrc, aMnt, "--read-path=rsplice", "--threads=4", "--transport=" + transport);
            awaitMounted(aMnt);
            if (transport.equals("uring")) {
                MountStats.RingStats ring = MountStats.read(aMnt).engine().ring();
                assertTrue(ring != null && "uring".equals(ring.used()), "A is served over io_uring: " + ring);
            }
            Path f = aMnt.resolve("inner/slow");
            fd = AtFiles.openat(AT_FDCWD, f.toString(), io.rsplicefs.nativeio.FileConstants.O_RDONLY
                    | io.rsplicefs.nativeio.FileConstants.O_DIRECT, 0);
            writer = new ProcessBuilder("bash", "-c", "exec 3<>\"$0\"; echo ready; read x; printf x >&3", f.toString())
                    .redirectErrorStream(true).start();
            java.io.BufferedReader out = new java.io.BufferedReader(
                    new java.io.InputStreamReader(writer.getInputStream()));
            assertEquals("ready", out.readLine(), "the writer has the file open");
            signals.send("STOP", b.pid());
            int rfd = fd;
            Thread reader = new Thread(() -> {
                try (io.rsplicefs.nativeio.PageArena buf = io.rsplicefs.nativeio.PageArena.allocate(32)) {
                    io.rsplicefs.nativeio.Splice.preadFully(rfd, buf.address(), 128 << 10, 0);
                } catch (NativeIoException e) {
                    // the outcome of the read is not what this test is about
                }
            });
            reader.setDaemon(true);
            reader.start();
            Thread.sleep(TimeScale.of(500L)); // the read is held: A's worker waits on the stopped daemon
            writer.getOutputStream().write("go\n".getBytes());
            writer.getOutputStream().flush();
            Thread.sleep(TimeScale.of(500L)); // the writer's request waits in A
            assertTrue(writer.isAlive(), "the writer waits in A");
            writer.destroyForcibly(); // SIGKILL: the kernel sends FUSE_INTERRUPT for the waiting request
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TimeScale.of(10));
            while (MountStats.read(aMnt).engine().interrupts() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            MountStats s = MountStats.read(aMnt);
            System.out.println("interrupt over " + transport + ": " + s.engine().interrupts() + " taken; requests " + s.engine().requests()
                    + ", guard " + s.stableReplies());
            assertTrue(s.engine().interrupts() >= 1, "FUSE_INTERRUPT taken");
            signals.send("CONT", b.pid());
            assertTrue(writer.waitFor(TimeScale.of(20), TimeUnit.SECONDS), "the writer's request completed once B ran again");
            reader.join(TimeScale.of(30_000L));
            assertFalse(reader.isAlive(), "the held read completed");
            assertEquals(1 << 20, Files.size(aMnt.resolve("inner/slow")), "A serves on");
        } finally {
            signals.send("CONT", b.pid());
            signals.close();
            if (writer != null) {
                writer.destroyForcibly();
            }
            if (fd >= 0) {
                AtFiles.close(fd);
            }
            for (Path mp : new Path[] {aMnt, bMnt}) {
                new ProcessBuilder("umount", "-l", mp.toString()).inheritIO().start().waitFor(TimeScale.of(30), TimeUnit.SECONDS);
            }
            for (Process p : new Process[] {a, b}) {
                if (p != null) {
                    p.destroy();
                    p.waitFor(TimeScale.of(30), TimeUnit.SECONDS);
                }
            }
        }
    }

    /** A direct-engine daemon in the foreground, a process of its own. */
    private Process daemon(String name, Path src, Path mnt, String... options) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        // Three io_uring workers (entries) per queue: the kernel puts a request on its caller's CPU's queue only,
        // so with the held READ and the writer's request both on one CPU's queue, this JVM's own requests (the
        // stats reads) need a third entry there.
        java.util.List<String> cmd = new java.util.ArrayList<>(List.of(java, "-Drsplicefs.uring.workersPerQueue=3",
                "-jar", System.getProperty("rsplicefs.jar"), "mount", "-f", "--engine=direct"));
        cmd.addAll(List.of(options));
        cmd.addAll(List.of(src.toString(), mnt.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile());
        pb.environment().put("RSPLICEFS_RUNTIME_DIR", Files.createDirectories(dir.resolve("run-" + name)).toString());
        return pb.start();
    }

    private static void awaitMounted(Path mp) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TimeScale.of(30));
        while (!io.rsplicefs.fs.host.MountTable.isMounted(mp) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertTrue(io.rsplicefs.fs.host.MountTable.isMounted(mp), mp + " mounted");
    }

    /** A shell started before the test opens the file, sending signals on request (bash's own kill). */
    private static final class Signaller implements AutoCloseable {
        private final Process shell;
        private final java.io.Writer in;

        Signaller() throws Exception {
            shell = new ProcessBuilder("bash", "-c", "while read sig pid; do kill -$sig $pid; done")
                    .redirectErrorStream(true).start();
            in = new java.io.OutputStreamWriter(shell.getOutputStream());
        }

        void send(String sig, long pid) throws Exception {
            in.write(sig + " " + pid + "\n");
            in.flush();
            Thread.sleep(100); // a kill is immediate once bash reads the line
        }

        @Override
        public void close() throws Exception {
            in.close();
            shell.waitFor(TimeScale.of(10), TimeUnit.SECONDS);
            shell.destroyForcibly();
        }
    }
}
