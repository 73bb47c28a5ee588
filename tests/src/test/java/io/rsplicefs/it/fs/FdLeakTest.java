package io.rsplicefs.it.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rsplicefs.fs.read.ReadPath;
import io.rsplicefs.it.support.TestData;
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

    static long openFds() throws Exception {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    @ParameterizedTest
    @EnumSource(value = ReadPath.class, names = {"COPY", "FD", "RSPLICE", "AUTO"})
    void noFdOrPipeLeaks(ReadPath path) throws Exception {
        try (TestMount m = TestMount.of(dir, path, false)) {
            int size = 4 << 20;
            TestData.write(m.source().resolve("f"), size, 9);
            Path f = m.mountpoint().resolve("f");
            Random r = new Random(1);
            try (Uncached u = new Uncached(f, 128 << 10)) {
                u.readUncached(0, 128 << 10); // warm-up: workers and their pipes exist
            }
            DonationTest.awaitReleased(m);
            long fds = openFds();
            int pipes = ThreadPipe.live();

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
            long pipeFds = 2L * (ThreadPipe.live() - pipes);
            long after = openFds();
            assertTrue(after <= fds + pipeFds + 2, "fds after mount+warm-up " + fds + ", after the loop " + after
                    + " (new worker pipes account for " + pipeFds + ")");
            assertEquals(0, m.counters().errors());
        }
    }
}
