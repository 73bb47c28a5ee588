package io.rsplicefs.it.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rsplicefs.fs.read.ReadPath;
import io.rsplicefs.it.support.FuseWorkers;
import io.rsplicefs.it.support.TestData;
import io.rsplicefs.it.support.TestEngine;
import io.rsplicefs.it.support.TestMount;
import io.rsplicefs.it.support.Uncached;
import io.rsplicefs.nativeio.ThreadPipe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The daemon (this JVM) holds as many fds after 100,000 reads and 1,000
 * open/close cycles as after mounting, give or take the per-worker pipes
 * (two fds each, counted by ThreadPipe.live()).
 */
@Tag("fuse")
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class FdLeakTest {
    @TempDir
    Path dir;

    /** Open fds of this process: {pipes, everything else}. */
    static long[] openFds() throws Exception {
        long pipes = 0;
        long other = 0;
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) s::iterator) {
                try {
                    if (Files.readSymbolicLink(fd).toString().startsWith("pipe:")) {
                        pipes++;
                    } else {
                        other++;
                    }
                } catch (java.io.IOException gone) {
                    // closed while listing (e.g. the listing's own fd)
                }
            }
        }
        return new long[] {pipes, other};
    }

    @ParameterizedTest
    @EnumSource(value = ReadPath.class, names = {"COPY", "FD", "RSPLICE", "AUTO"})
    void noFdOrPipeLeaks(ReadPath path) throws Exception {
        long pipesBeforeMount = openFds()[0];
        try (TestMount m = TestMount.of(dir, path, false)) {
            int size = 4 << 20;
            TestData.write(m.source().resolve("f"), size, 9);
            Path f = m.mountpoint().resolve("f");
            Random r = new Random(1);
            try (Uncached u = new Uncached(f, 128 << 10)) {
                u.readUncached(0, 128 << 10); // warm-up: workers and their pipes exist
            }
            DonationTest.awaitReleased(m);
            long[] fds = openFds();

            try (Uncached u = new Uncached(f, 128 << 10)) {
                for (int i = 0; i < 100_000; i++) {
                    // Dropping the cache every 16 reads keeps most reads going to the daemon cheaply.
                    if (i % 16 == 0) {
                        u.dropCache();
                    }
                    u.read(r.nextInt(size), 1 + r.nextInt(128 << 10));
                }
            }
            for (int i = 0; i < 1_000; i++) {
                try (Uncached u = new Uncached(f, 4096)) {
                    u.read(0, 4096);
                }
            }
            DonationTest.awaitReleased(m);
            assertEquals(0, m.fuse().openHandles(), "every open was released");
            long[] after = openFds();
            // The pool: each libfuse worker has its own splice pipe and, on the rsplice path, one of
            // ours (ThreadPipe): at most 4 pipe fds per worker thread alive now.
            long workers = TestEngine.isDirect() ? m.stats().engine().threads() : FuseWorkers.alive();
            assertTrue(after[1] <= fds[1] + 2, "non-pipe fds after mount+warm-up " + fds[1] + ", after the loop "
                    + after[1]);
            assertTrue(after[0] <= pipesBeforeMount + 4 * workers, "pipe fds " + pipesBeforeMount + " before the"
                    + " mount, " + after[0] + " after the loop with " + workers + " workers (thread pipes live: "
                    + ThreadPipe.live() + ")");
            assertEquals(0, m.counters().errors());
        }
    }
}
