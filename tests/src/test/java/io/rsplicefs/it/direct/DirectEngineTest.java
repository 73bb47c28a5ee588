package io.rsplicefs.it.direct;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.rsplicefs.fs.Engine;
import io.rsplicefs.fs.host.Capabilities;
import io.rsplicefs.fs.read.ReadPath;
import io.rsplicefs.fs.stats.MountStats;
import io.rsplicefs.it.support.FuseTracepoints;
import io.rsplicefs.it.support.TestData;
import io.rsplicefs.it.support.TestMount;
import io.rsplicefs.it.support.TimeScale;
import io.rsplicefs.nativeio.AtFiles;
import io.rsplicefs.nativeio.FileStat;
import io.rsplicefs.nativeio.NativeIoException;
import io.rsplicefs.nativeio.Pipe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The direct engine's protocol on a real mount: what INIT agreed, exact
 * lookup counts, 1 MiB requests as the kernel's tracepoints see them, ENOSYS
 * for what it does not implement, and what libfuse 2.9's path API could not
 * do (rename flags, a hard link's other name, UTIME_OMIT). FUSE_INTERRUPT: {@link DirectInterruptTest}.
 */
@Tag("fuse")
@Tag("kernel")
@Timeout(value = 30, unit = TimeUnit.MINUTES) // per test; the mount watchdog (2 min, scaled) ends a hang first
class DirectEngineTest {
    private static final int AT_FDCWD = -100;
    private static final int RENAME_NOREPLACE = 1;
    private static final int RENAME_EXCHANGE = 2;
    private static final long UTIME_OMIT = (1L << 30) - 2;
    private static final Path PIPE_MAX = Path.of("/proc/sys/fs/pipe-max-size");

    @TempDir
    Path dir;

    private TestMount mount(ReadPath path) throws Exception {
        return TestMount.of(dir, path, false, Duration.ofMinutes(2), c -> c.engine(Engine.DIRECT));
    }

    @Test
    void initAgreesOnTheKernelsVersionAndLargeRequests() throws Exception {
        try (TestMount m = mount(ReadPath.RSPLICE)) {
            MountStats.EngineStats e = m.stats().engine();
            assertNotNull(e, "the direct engine reports what INIT agreed");
            System.out.println("INIT: protocol " + e.protocol() + ", offered " + e.kernelOffered() + ", accepted "
                    + e.accepted() + ", max request " + e.maxRequestBytes() + ", readahead " + e.maxReadahead());
            assertEquals("direct", e.name());
            assertTrue(e.protocol().startsWith("7."), e.protocol());
            int minor = Integer.parseInt(e.protocol().substring(2, e.protocol().indexOf(' ')));
            assertTrue(minor >= 38, "6.1 speaks 7.38, newer kernels more: " + e.protocol());
            assertTrue(e.accepted().containsAll(List.of("ASYNC_READ", "BIG_WRITES", "MAX_PAGES", "PARALLEL_DIROPS",
                    "DO_READDIRPLUS", "ATOMIC_O_TRUNC")), e.accepted().toString());
            // POSIX ACLs come with DONT_MASK (the daemon applies the umask), never one without the other
            assertEquals(e.accepted().contains("POSIX_ACL"), e.accepted().contains("DONT_MASK"),
                    e.accepted().toString());
            assertTrue(e.maxRequestBytes() >= 1016 * 1024, "requests of about 1 MiB: " + e.maxRequestBytes());
            assertEquals(Runtime.getRuntime().availableProcessors(), e.threads(), "one worker per CPU by default");
        }
    }

    @Test
    void lookupCountsGoBackToZeroWhenTheKernelDropsItsCaches() throws Exception {
        try (TestMount m = mount(ReadPath.RSPLICE)) {
            Path d = Files.createDirectories(m.source().resolve("many"));
            for (int i = 0; i < 2000; i++) {
                Files.writeString(d.resolve("f" + i), "x");
            }
            for (int round = 0; round < 3; round++) {
                for (int i = 0; i < 2000; i++) {
                    Files.size(m.mountpoint().resolve("many").resolve("f" + i));
                }
            }
            MountStats.EngineStats before = m.stats().engine();
            assertTrue(before.outstandingLookups() >= 2001, "every file looked up: " + before);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TimeScale.of(20));
            MountStats.EngineStats after = before;
            while (System.nanoTime() < deadline) {
                new ProcessBuilder("sh", "-c", "sync; echo 2 > /proc/sys/vm/drop_caches").inheritIO().start()
                        .waitFor(TimeScale.of(60), TimeUnit.SECONDS);
                after = m.stats().engine();
                if (after.outstandingLookups() == 0) {
                    break;
                }
                Thread.sleep(200);
            }
            System.out.println("lookups: before " + before.outstandingLookups() + " outstanding, " + before.nodes()
                    + " nodes; after drop_caches " + after.outstandingLookups() + " outstanding, " + after.nodes()
                    + " nodes; " + after.lookups() + " lookups and " + after.forgets() + " forgets in all");
            assertEquals(0, after.outstandingLookups(), "every lookup forgotten");
            assertEquals(1, after.nodes(), "only the root left");
            assertEquals(after.lookups(), after.forgets(), "forgets balance lookups exactly");
            assertEquals(Files.readString(m.source().resolve("many/f7")),
                    Files.readString(m.mountpoint().resolve("many/f7")), "the mount serves on, with fresh nodes");
        }
    }

    /**
     * A 1 MiB reply is a header page and 256 payload pages in one pipe: pipes
     * of 2 MiB, which needs CAP_SYS_RESOURCE or pipe-max-size of 2 MiB (set
     * here and restored). Direct I/O makes the kernel send a READ per read(2).
     */
    @Test
    void oneMebibyteReadAndWriteRequestsAsTheTracepointsSeeThem() throws Exception {
        assumeTrue(Capabilities.hasSysResource() || Files.isWritable(PIPE_MAX), "needs root for pipe-max-size");
        String before = String.valueOf(Pipe.maxCapacity());
        try {
            if (!Capabilities.hasSysResource()) {
                Files.writeString(PIPE_MAX, "2097152");
            }
            try (TestMount m = mount(ReadPath.RSPLICE)) {
                assertEquals(1 << 20, m.stats().engine().maxRequestBytes());
                try (FuseTracepoints trace = FuseTracepoints.open(m.mountpoint())) {
                    assumeTrue(trace != null, "this kernel has no fuse tracepoints (6.15+)");
                    byte[] want = TestData.bytes(8 << 20, 31);
                    Path src = m.source().resolve("src");
                    Files.write(src, want);
                    Path f = m.mountpoint().resolve("big");
                    Process w = new ProcessBuilder("dd", "if=" + src, "of=" + f, "bs=1M", "oflag=direct")
                            .redirectErrorStream(true).start();
                    assertTrue(w.waitFor(TimeScale.of(60), TimeUnit.SECONDS) && w.exitValue() == 0, "dd write");
                    Process r = new ProcessBuilder("sh", "-c", "dd if=" + f + " bs=1M iflag=direct | cmp - " + src)
                            .redirectErrorStream(true).start();
                    String out = new String(r.getInputStream().readAllBytes());
                    assertTrue(r.waitFor(TimeScale.of(60), TimeUnit.SECONDS) && r.exitValue() == 0, "dd read, cmp: " + out);
                    List<FuseTracepoints.Request> reqs = trace.requests();
                    long maxRead = reqs.stream().filter(q -> q.opcode() == 15 && q.error() == 0)
                            .mapToLong(q -> q.replyLen() - 16).max().orElse(0);
                    long maxWrite = reqs.stream().filter(q -> q.opcode() == 16)
                            .mapToLong(q -> q.requestLen() - 80).max().orElse(0);
                    System.out.println("tracepoints: largest READ reply " + maxRead + " bytes, largest WRITE "
                            + maxWrite + " bytes; engine counted " + m.stats().engine().readSizes() + " / "
                            + m.stats().engine().writeSizes());
                    assertEquals(1 << 20, maxRead, "1 MiB READ replies");
                    assertEquals(1 << 20, maxWrite, "1 MiB WRITE requests");
                }
            }
        } finally {
            Files.writeString(PIPE_MAX, before);
            assertEquals(before, String.valueOf(Pipe.maxCapacity()), "pipe-max-size restored");
        }
    }

    @Test
    void anOpcodeTheEngineDoesNotImplementIsAnsweredEnosysAndCounted() throws Exception {
        try (TestMount m = mount(ReadPath.RSPLICE)) {
            Files.writeString(m.source().resolve("f"), "data");
            assumeTrue(Files.isExecutable(Path.of("/usr/bin/lsattr")) || Files.isExecutable(Path.of("/bin/lsattr")),
                    "needs lsattr (e2fsprogs)");
            // lsattr asks FS_IOC_GETFLAGS: FUSE_IOCTL, which the engine does not serve
            Process p = new ProcessBuilder("lsattr", m.mountpoint().resolve("f").toString())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            p.waitFor(TimeScale.of(30), TimeUnit.SECONDS);
            MountStats.EngineStats e = m.stats().engine();
            System.out.println("lsattr: " + out.trim() + "; unknown opcodes " + e.unknownOpcodes());
            assertTrue(e.unknownOpcodes() >= 1, "FUSE_IOCTL counted as unknown: " + e.requests());
            assertEquals("data", Files.readString(m.mountpoint().resolve("f")), "the mount serves on");
        }
    }

    @Test
    void renameFlagsNoreplaceAndExchange() throws Exception {
        try (TestMount m = mount(ReadPath.RSPLICE)) {
            Files.writeString(m.source().resolve("a"), "A");
            Files.writeString(m.source().resolve("b"), "B");
            String a = m.mountpoint().resolve("a").toString();
            String b = m.mountpoint().resolve("b").toString();
            NativeIoException e = assertThrows(NativeIoException.class,
                    () -> AtFiles.renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_NOREPLACE));
            assertEquals(17, e.errno(), "EEXIST: NOREPLACE keeps the target");
            AtFiles.renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE);
            assertEquals("B", Files.readString(Path.of(a)));
            assertEquals("A", Files.readString(Path.of(b)));
            assertEquals("B", Files.readString(m.source().resolve("a")), "exchanged in the store too");
        }
    }

    @Test
    void theOtherNameOfAHardLinkSeesLinkCountsAtOnce() throws Exception {
        try (TestMount m = mount(ReadPath.RSPLICE)) {
            Path a = m.mountpoint().resolve("a");
            Files.writeString(a, "x");
            assertEquals(1, nlink(a));
            Files.createLink(m.mountpoint().resolve("b"), a);
            assertEquals(2, nlink(a), "link through the mount: the first name sees 2 at once");
            Files.delete(m.mountpoint().resolve("b"));
            assertEquals(1, nlink(a), "unlink of the second name: the first sees 1 at once");
            assertEquals("x", Files.readString(a));
        }
    }

    private static long nlink(Path p) throws NativeIoException {
        FileStat s = AtFiles.fstatat(AT_FDCWD, p.toString(), 0);
        return s.nlink();
    }

    @Test
    void utimeOmitLeavesThatTimeAlone() throws Exception {
        try (TestMount m = mount(ReadPath.RSPLICE)) {
            Path f = m.mountpoint().resolve("f");
            Files.writeString(f, "x");
            AtFiles.utimensat(AT_FDCWD, f.toString(), 1_000_000_000L, 0, 1_100_000_000L, 0, 0);
            AtFiles.utimensat(AT_FDCWD, f.toString(), 0, UTIME_OMIT, 1_200_000_000L, 0, 0);
            FileStat s = AtFiles.fstatat(AT_FDCWD, m.source().resolve("f").toString(), 0);
            assertEquals(1_000_000_000L, s.atimeSec(), "atime omitted: unchanged");
            assertEquals(1_200_000_000L, s.mtimeSec(), "mtime set");
        }
    }

}
