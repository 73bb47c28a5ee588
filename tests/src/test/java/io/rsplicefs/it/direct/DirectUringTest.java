package io.rsplicefs.it.direct;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.rsplicefs.fs.Engine;
import io.rsplicefs.fs.Transport;
import io.rsplicefs.fs.host.MountTable;
import io.rsplicefs.fs.read.ReadPath;
import io.rsplicefs.fs.stats.MountStats;
import io.rsplicefs.it.support.EnableUring;
import io.rsplicefs.it.support.FioVerify;
import io.rsplicefs.it.support.TestData;
import io.rsplicefs.it.support.TestMount;
import io.rsplicefs.it.support.TimeScale;
import io.rsplicefs.it.support.Uncached;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * FUSE over io_uring (--transport=uring, Linux 6.14+): bytes read and written
 * over the ring are exact on every read path that applies, the requests
 * really come over the ring (its own counter), fio's verify pass holds, the
 * mount falls back to /dev/fuse when enable_uring is N, and neither an
 * unmount nor SIGKILL with queues busy leaves a hung mount. Tests that need
 * enable_uring=Y set it and put the old value back.
 */
@Tag("fuse")
@Tag("kernel")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class DirectUringTest {
    @TempDir
    Path dir;

    private TestMount mount(ReadPath path) throws Exception {
        return TestMount.of(dir, path, false, Duration.ofMinutes(2),
                c -> c.engine(Engine.DIRECT).transport(Transport.URING));
    }

    private static void assumeRing() {
        assumeTrue(EnableUring.settable(), "no FUSE over io_uring here (Linux 6.14+, root) or enable_uring not settable");
    }

    private static MountStats.RingStats ring(TestMount m) {
        MountStats.EngineStats e = m.stats().engine();
        assertNotNull(e);
        return e.ring();
    }

    private static long count(TestMount m, String op) {
        return m.stats().engine().requests().getOrDefault(op, 0L);
    }

    @Test
    void readsAndWritesOverTheRingAreByteExact() throws Exception {
        assumeRing();
        try (EnableUring on = EnableUring.set("Y")) {
            for (ReadPath path : List.of(ReadPath.FD, ReadPath.RSPLICE, ReadPath.COPY)) {
                Path sub = Files.createDirectories(dir.resolve(path.id()));
                try (TestMount m = TestMount.of(sub.resolve("src"), sub.resolve("mnt"), path, false,
                        Duration.ofMinutes(2), c -> c.engine(Engine.DIRECT).transport(Transport.URING))) {
                    exactOverTheRing(m, path);
                }
            }
        }
    }

    private static void exactOverTheRing(TestMount m, ReadPath path) throws Exception {
        MountStats.RingStats r = ring(m);
        assertEquals("uring", r.used(), "served over the ring: " + r);
        assertEquals("uring", m.stats().engine().transport());
        assertTrue(m.stats().engine().accepted().contains("OVER_IO_URING"), m.stats().engine().accepted().toString());
        // Writes through the mount: whole files of odd sizes, and positioned writes into one.
        byte[] big = TestData.bytes((3 << 20) + 4093, 11);
        Files.write(m.mountpoint().resolve("big"), big);
        byte[] small = "over the ring\n".getBytes(StandardCharsets.UTF_8);
        Files.write(m.mountpoint().resolve("small"), small);
        Random rnd = new Random(5);
        try (FileChannel ch = FileChannel.open(m.mountpoint().resolve("big"), StandardOpenOption.WRITE)) {
            for (int i = 0; i < 20; i++) {
                byte[] patch = TestData.bytes(1 + rnd.nextInt(200_000), 100 + i);
                int at = rnd.nextInt(big.length - patch.length);
                ch.write(ByteBuffer.wrap(patch), at);
                System.arraycopy(patch, 0, big, at, patch.length);
            }
            ch.force(false);
        }
        assertTrue(Arrays.equals(big, Files.readAllBytes(m.source().resolve("big"))), "the store has every write");
        assertTrue(Arrays.equals(small, Files.readAllBytes(m.source().resolve("small"))));
        // Reads that reach the daemon: the cache dropped, whole file and odd ranges.
        long readsBefore = count(m, "READ");
        try (Uncached u = new Uncached(m.mountpoint().resolve("big"), 1 << 20)) {
            u.dropCache();
            byte[] whole = new byte[big.length];
            for (int off = 0; off < big.length; off += 1 << 20) {
                byte[] b = u.read(off, Math.min(1 << 20, big.length - off));
                System.arraycopy(b, 0, whole, off, b.length);
            }
            assertEquals(-1, TestData.mismatch(big, 0, whole, big.length), path.id() + ": whole file");
            for (int i = 0; i < 50; i++) {
                int off = rnd.nextInt(big.length);
                int len = 1 + rnd.nextInt(300_000);
                byte[] got = u.readUncached(off, len);
                int want = Math.min(len, big.length - off);
                assertEquals(want, got.length, path.id() + ": length at " + off);
                assertEquals(-1, TestData.mismatch(big, off, got, want), path.id() + ": bytes at " + off);
            }
        }
        assertEquals(new String(small, StandardCharsets.UTF_8), Files.readString(m.mountpoint().resolve("small")));
        MountStats.EngineStats e = m.stats().engine();
        r = e.ring();
        long reads = count(m, "READ") - readsBefore;
        System.out.printf("uring %s: %d requests over the ring of %d in all (READ %d, WRITE %d), %s%n", path.id(),
                r.requests(), e.requests().values().stream().mapToLong(Long::longValue).sum(), count(m, "READ"),
                count(m, "WRITE"), r);
        assertTrue(reads >= 50, "the reads reached the daemon: " + reads);
        assertTrue(r.requests() >= count(m, "READ") + count(m, "WRITE"),
                "READs and WRITEs came over the ring: " + r.requests() + " ring requests, " + e.requests());
        assertTrue(m.counters().requests() > 0, path.id() + " served the reads");
        assertEquals(0, m.counters().errors());
        assertEquals(0, e.replyFailures(), "every reply committed");
        assertEquals(0, e.malformedRequests());
    }

    /** fio writes 16 MiB with crc32c headers, then reads it back uncached and verifies every block. */
    @Test
    void fioVerifiesEveryBlockOverTheRing() throws Exception {
        assumeRing();
        assumeTrue(FioVerify.installed(), "fio is not installed (apt-get install fio)");
        try (EnableUring on = EnableUring.set("Y"); TestMount m = mount(ReadPath.FD)) {
            assertEquals("uring", ring(m).used());
            long served = FioVerify.writeThenVerify(m.mountpoint(), "16m", "64k", () -> m.counters().bytes());
            assertTrue(served >= 16L << 20, "the verify reads reached the daemon: " + served);
            assertTrue(ring(m).requests() >= count(m, "READ") + count(m, "WRITE"), ring(m).toString());
        }
    }

    @Test
    void withEnableUringOffTheMountIsServedOverDevFuseAndSaysWhy() throws Exception {
        assumeTrue(Files.exists(EnableUring.PARAMETER) ? EnableUring.settable() : true,
                "enable_uring exists but cannot be set");
        try (EnableUring off = Files.exists(EnableUring.PARAMETER) ? EnableUring.set("N") : null;
             TestMount m = mount(ReadPath.AUTO)) {
            byte[] data = TestData.write(m.source().resolve("f"), 1 << 20, 3);
            assertTrue(Arrays.equals(data, Files.readAllBytes(m.mountpoint().resolve("f"))));
            MountStats.EngineStats e = m.stats().engine();
            MountStats.RingStats r = e.ring();
            System.out.println("fallback: " + r);
            assertEquals("uring", r.asked());
            assertEquals("dev", r.used());
            assertEquals("dev", e.transport());
            assertEquals(0, r.requests(), "nothing over a ring");
            assertFalse(e.accepted().contains("OVER_IO_URING"));
            assertTrue(r.why().contains(Files.exists(EnableUring.PARAMETER) ? "enable_uring is N" : "no FUSE over io_uring"),
                    r.why());
        }
    }

    /**
     * The mount is detached (umount -l) while two readers keep the queues busy,
     * each opening the file again for every pass: the readers end, the
     * connection ends with the last close, and so do the ring workers.
     */
    @Test
    void unmountWithQueuesBusyLeavesNothingBehind() throws Exception {
        assumeRing();
        AtomicBoolean stop = new AtomicBoolean();
        try (EnableUring on = EnableUring.set("Y"); TestMount m = mount(ReadPath.FD)) {
            TestData.write(m.source().resolve("f"), 8 << 20, 9);
            AtomicLong bytes = new AtomicLong();
            List<CompletableFuture<Throwable>> readers = List.of(
                    reopeningReadLoop(m.mountpoint().resolve("f"), 8 << 20, stop, bytes),
                    reopeningReadLoop(m.mountpoint().resolve("f"), 8 << 20, stop, bytes));
            awaitBytes(bytes, 32L << 20, readers);
            assertTrue(ring(m).requests() > 0);
            Process u = new ProcessBuilder("umount", "-l", m.mountpoint().toString()).inheritIO().start();
            assertTrue(u.waitFor(TimeScale.of(20), TimeUnit.SECONDS));
            for (CompletableFuture<Throwable> r : readers) {
                assertNotNull(r.get(TimeScale.of(20), TimeUnit.SECONDS), "the reader's next open failed");
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TimeScale.of(20));
            while (m.fuse().isLive() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertFalse(m.fuse().isLive(), "the connection ended with the last close");
            assertFalse(MountTable.isMounted(m.mountpoint()));
            while (ringThreads() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(20); // a worker that counted itself out may still be leaving run()
            }
            assertEquals(0, ringThreads(), "the ring workers ended with the connection");
        } finally {
            stop.set(true);
        }
    }

    /** SIGKILL of a daemon whose queues are busy with reads and writes: clients get errors, umount recovers. */
    @Test
    void sigkillWithQueuesBusyLeavesNoHungMount() throws Exception {
        assumeRing();
        Path src = Files.createDirectories(dir.resolve("k-src"));
        Path mnt = Files.createDirectories(dir.resolve("k-mnt"));
        TestData.write(src.resolve("f"), 8 << 20, 4);
        AtomicBoolean stop = new AtomicBoolean();
        Process daemon = null;
        try (EnableUring on = EnableUring.set("Y")) {
            daemon = daemon(src, mnt, "--transport=uring", "--read-path=fd");
            awaitMounted(mnt, daemon);
            assertEquals("uring", MountStats.read(mnt).engine().ring().used());
            AtomicLong bytes = new AtomicLong();
            List<CompletableFuture<Throwable>> clients = List.of(readLoop(mnt.resolve("f"), 8 << 20, stop, bytes),
                    readLoop(mnt.resolve("f"), 8 << 20, stop, bytes), writeLoop(mnt.resolve("w"), stop, bytes));
            awaitBytes(bytes, 32L << 20, clients);
            daemon.destroyForcibly(); // SIGKILL with requests in the ring entries
            for (CompletableFuture<Throwable> c : clients) {
                Throwable t = c.get(TimeScale.of(20), TimeUnit.SECONDS);
                assertNotNull(t, "the client saw an error once the daemon died");
            }
            assertTrue(daemon.waitFor(TimeScale.of(20), TimeUnit.SECONDS), "the daemon is gone");
            Process u = new ProcessBuilder("umount", mnt.toString()).inheritIO().start();
            assertTrue(u.waitFor(TimeScale.of(20), TimeUnit.SECONDS), "umount returns");
            assertEquals(0, u.exitValue(), "umount of the dead mount");
            assertFalse(MountTable.isMounted(mnt));
        } finally {
            stop.set(true);
            if (MountTable.isMounted(mnt)) {
                new ProcessBuilder("umount", "-l", mnt.toString()).inheritIO().start().waitFor(30, TimeUnit.SECONDS);
            }
            if (daemon != null) {
                daemon.destroyForcibly();
            }
        }
    }

    @Test
    void theJnrFuseEngineRefusesTheRingInOneLine() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(java, "-jar", System.getProperty("rsplicefs.jar"), "mount", "--engine=jnr-fuse",
                "--transport=uring", dir.toString(), dir.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(2, p.exitValue(), out);
        assertTrue(out.lines().findFirst().orElse("").contains("--transport=uring needs --engine=direct"), out);
        assertFalse(out.contains("Exception"), out);
    }

    private static CompletableFuture<Throwable> readLoop(Path file, int size, AtomicBoolean stop, AtomicLong bytes) {
        return CompletableFuture.supplyAsync(() -> {
            try (Uncached u = new Uncached(file, 1 << 20)) {
                while (!stop.get()) {
                    u.dropCache();
                    for (long off = 0; off < size && !stop.get(); off += 1 << 20) {
                        bytes.addAndGet(u.read(off, 1 << 20).length);
                    }
                }
                return null;
            } catch (Throwable t) {
                return t;
            }
        });
    }

    /** Like {@link #readLoop}, with the file opened again for every pass. */
    private static CompletableFuture<Throwable> reopeningReadLoop(Path file, int size, AtomicBoolean stop,
                                                                  AtomicLong bytes) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                while (!stop.get()) {
                    try (Uncached u = new Uncached(file, 1 << 20)) {
                        u.dropCache();
                        for (long off = 0; off < size && !stop.get(); off += 1 << 20) {
                            bytes.addAndGet(u.read(off, 1 << 20).length);
                        }
                    }
                }
                return null;
            } catch (Throwable t) {
                return t;
            }
        });
    }

    private static CompletableFuture<Throwable> writeLoop(Path file, AtomicBoolean stop, AtomicLong bytes) {
        return CompletableFuture.supplyAsync(() -> {
            byte[] chunk = TestData.bytes(256 << 10, 8);
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                long off = 0;
                while (!stop.get()) {
                    ch.write(ByteBuffer.wrap(chunk), off % (8 << 20));
                    ch.force(false);
                    off += chunk.length;
                    bytes.addAndGet(chunk.length);
                }
                return null;
            } catch (Throwable t) {
                return t;
            }
        });
    }

    private static void awaitBytes(AtomicLong bytes, long want, List<CompletableFuture<Throwable>> clients)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TimeScale.of(60));
        while (bytes.get() < want) {
            for (CompletableFuture<Throwable> c : clients) {
                if (c.isDone()) {
                    throw new AssertionError("a client ended early: " + c.join());
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("clients moved only " + bytes.get() + " bytes");
            }
            Thread.sleep(10);
        }
    }

    private static long ringThreads() throws IOException {
        long n = 0;
        try (Stream<Path> s = Files.list(Path.of("/proc/self/task"))) {
            for (Path t : (Iterable<Path>) s::iterator) {
                try {
                    if (Files.readString(t.resolve("comm")).startsWith("rsplicefs-uring")) {
                        n++;
                    }
                } catch (IOException gone) {
                    // the thread ended while listing
                }
            }
        }
        return n;
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
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TimeScale.of(30));
        while (!MountTable.isMounted(mnt) && daemon.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(MountTable.isMounted(mnt), "mounted: " + Files.readString(dir.resolve("daemon.log")));
        // INIT answered and the queues registered: stats answer once the mount serves.
        while (System.nanoTime() < deadline) {
            try {
                MountStats.read(mnt);
                return;
            } catch (IOException e) {
                Thread.sleep(20);
            }
        }
    }
}
