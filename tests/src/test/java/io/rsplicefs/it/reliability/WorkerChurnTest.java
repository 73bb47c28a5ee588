package io.rsplicefs.it.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rsplicefs.fs.read.ReadPath;
import io.rsplicefs.it.support.FuseWorkers;
import io.rsplicefs.it.support.TestData;
import io.rsplicefs.it.support.TestMount;
import io.rsplicefs.it.support.Uncached;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * libfuse 2.9 starts a worker per burst of requests and retires workers when
 * more than 10 are idle. A retired worker never comes back to release the
 * range its last read held for stable replies; the guard must notice that it
 * exited, or the held ranges grow with every burst (they did: one entry per
 * retired worker, each scanned on every release).
 */
@Tag("fuse")
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class WorkerChurnTest {
    @TempDir
    Path dir;

    @Test
    void readsOfRetiredWorkersAreReleased() throws Exception {
        try (TestMount m = TestMount.of(dir, ReadPath.RSPLICE, false, Duration.ofMinutes(2), c -> { })) {
            int size = 16 << 20;
            TestData.write(m.source().resolve("f"), size, 11);
            Path f = m.mountpoint().resolve("f");
            ExecutorService readers = Executors.newFixedThreadPool(24);
            try {
                for (int burst = 0; burst < 40; burst++) {
                    List<Future<?>> done = new ArrayList<>();
                    for (int t = 0; t < 24; t++) {
                        int seed = burst * 100 + t;
                        done.add(readers.submit(() -> {
                            Random r = new Random(seed);
                            try (Uncached u = new Uncached(f, 128 << 10)) {
                                for (int i = 0; i < 8; i++) {
                                    u.readUncached((long) r.nextInt(size / (128 << 10)) * (128 << 10), 128 << 10);
                                }
                            }
                            return null;
                        }));
                    }
                    for (Future<?> d : done) {
                        d.get();
                    }
                    Thread.sleep(20); // idle: libfuse retires the workers beyond 10
                }
            } finally {
                readers.shutdownNow();
            }
            long held = m.stats().stableReplies().heldReads();
            long workers = FuseWorkers.alive();
            System.out.printf("worker churn: %d reads held, %d libfuse workers alive%n", held, workers);
            assertTrue(held <= 2 * 64 + workers, held + " reads still held with " + workers + " workers alive");
            assertEquals(0, m.counters().errors());
        }
    }
}
