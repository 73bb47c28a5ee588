package io.rsplicefs.it.reliability;

import io.rsplicefs.fs.stats.MountStats;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.rsplicefs.fs.host.Capabilities;
import io.rsplicefs.fs.read.ReadPath;
import io.rsplicefs.fs.stats.ReadCounters;
import io.rsplicefs.it.support.TestData;
import io.rsplicefs.it.support.TestEngine;
import io.rsplicefs.it.support.TestMount;
import io.rsplicefs.it.support.Uncached;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pipe capacity refused: with pipe-max-size below what a 128 KiB reply needs
 * (and without CAP_SYS_RESOURCE to exceed it), rsplice cannot size its pipe;
 * every such read must fall back to copy, be counted with the reason, and
 * return the right bytes. The sysctl is restored afterwards.
 */
@Tag("fuse")
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class PipeFallbackTest {
    static final Path PIPE_MAX = Path.of("/proc/sys/fs/pipe-max-size");

    @TempDir
    Path dir;

    /**
     * libfuse's workers make their pipes on their first spliced reply, the
     * direct engine's when they read their first request (at INIT): with
     * jnr-fuse the limit is lowered after mounting, with direct before.
     */
    @Test
    void refusedPipeCapacityFallsBackToCopy() throws Exception {
        assumeTrue(Files.isWritable(PIPE_MAX), "needs root to lower pipe-max-size");
        assumeTrue(!Capabilities.hasSysResource(), "with CAP_SYS_RESOURCE the kernel grants any pipe size");
        // Pipe.maxCapacity reads the sysctl in one read(): Files.readString would get "1" of
        // "1048576" and the restore below would leave pipe-max-size at one page.
        String before = String.valueOf(io.rsplicefs.nativeio.Pipe.maxCapacity());
        boolean early = TestEngine.isDirect();
        try {
            if (early) {
                Files.writeString(PIPE_MAX, "65536");
            }
            try (TestMount m = TestMount.of(dir, ReadPath.RSPLICE, false, Duration.ofMinutes(1), null)) {
                byte[] want = TestData.write(m.source().resolve("f"), 4 << 20, 12);
                ReadCounters c = m.counters();
                byte[] got = new byte[want.length];
                Files.writeString(PIPE_MAX, "65536");
                // with jnr-fuse nothing was read yet, so no worker has a pipe: every one must ask for its size now
                try (Uncached u = new Uncached(m.mountpoint().resolve("f"), 128 << 10)) {
                    u.dropCache();
                    for (int off = 0; off < want.length; off += 128 << 10) {
                        byte[] part = u.read(off, 128 << 10);
                        System.arraycopy(part, 0, got, off, part.length);
                    }
                }
                Files.writeString(PIPE_MAX, before);
                assertEquals(-1, TestData.mismatch(want, 0, got, want.length), "bytes read while pipes were refused");
                MountStats.ReadPathStats snap = c.snapshot();
                System.out.println("pipe fallback: " + snap);
                Map<String, Long> reasons = snap.copyReasons();
                assertTrue(reasons.getOrDefault("fallback: pipe EPERM", 0L) > 0, "fallbacks counted: " + reasons);
                assertEquals(0, c.errors());
            }
        } finally {
            Files.writeString(PIPE_MAX, before);
            assertEquals(before, String.valueOf(io.rsplicefs.nativeio.Pipe.maxCapacity()), "pipe-max-size restored");
        }
    }
}
