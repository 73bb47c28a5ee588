package io.rsplicefs.it.fs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rsplicefs.fs.read.ReadPath;
import io.rsplicefs.fs.stats.MountStats;
import io.rsplicefs.fs.write.WritePath;
import io.rsplicefs.it.support.SharedMounts;
import io.rsplicefs.it.support.TestData;
import io.rsplicefs.it.support.TestEngine;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Each write path writes large (128 KiB, unaligned up to 300 KB) and small (under a page) writes byte-exact,
 * and its counters say what happened: copy copies every write ("copy path"); splice and auto splice the
 * writes libfuse hands over as a pipe (a page or more) and copy the small ones libfuse reads into memory.
 */
@Tag("fuse")
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class SplicedWritesTest {
    static final int SEQUENTIAL = 4 << 20;
    static final int CHUNK = 128 << 10;
    static final int SMALL_WRITES = 200;

    @RegisterExtension
    static final SharedMounts MOUNTS = new SharedMounts(Duration.ofMinutes(5));

    @ParameterizedTest
    @EnumSource(WritePath.class)
    void largeAndSmallWritesAreByteExactAndCounted(WritePath wp) throws Exception {
        // rsplice, not auto: auto passes files through on the direct engine and no WRITE would reach the daemon
        SharedMounts.Area a = MOUNTS.area("write-" + wp.id(), ReadPath.RSPLICE, false, c -> c.writePath(wp), "rw");
        MountStats.WriteStats before = a.mount().stats().writes();
        byte[] model = new byte[SEQUENTIAL + (512 << 10)];
        Path f = a.mountpoint().resolve("f");
        Random r = new Random(wp.ordinal());
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            for (int off = 0; off < SEQUENTIAL; off += CHUNK) {
                write(ch, model, off, TestData.bytes(CHUNK, off));
            }
            for (int i = 0; i < 64; i++) {
                int len = 4096 + r.nextInt(300_000);
                write(ch, model, r.nextInt(model.length - len), TestData.bytes(len, 1000 + i));
            }
            for (int i = 0; i < SMALL_WRITES; i++) {
                int len = 1 + r.nextInt(3000);
                write(ch, model, r.nextInt(model.length - len), TestData.bytes(len, 5000 + i));
            }
        }
        byte[] backing = Files.readAllBytes(a.source().resolve("f"));
        int end = backing.length;
        assertArrayEquals(Arrays.copyOf(model, end), backing, "backing file");
        assertArrayEquals(backing, Files.readAllBytes(f), "read back through the mount");

        MountStats s = a.mount().stats();
        MountStats.WriteStats after = s.writes();
        long requests = after.requests() - before.requests();
        long spliced = after.splicedRequests() - before.splicedRequests();
        long copied = after.copiedRequests() - before.copiedRequests();
        Map<String, Long> reasons = new HashMap<>(after.copyReasons());
        before.copyReasons().forEach((k, v) -> reasons.merge(k, -v, Long::sum));
        reasons.values().removeIf(v -> v == 0);
        System.out.printf("write path %s: %d requests, %d spliced, %d copied %s; options %s%n", wp.id(), requests,
                spliced, copied, reasons, s.mount().fuseOptions());
        assertEquals(wp.id(), s.mount().writePath());
        boolean direct = TestEngine.isDirect();
        if (!direct) {
            assertEquals(wp != WritePath.COPY, s.mount().fuseOptions().contains("splice_read"),
                    s.mount().fuseOptions());
        }
        assertEquals(0, after.errors() - before.errors(), "errors");
        assertEquals(requests, spliced + copied, "every request spliced or copied");
        assertTrue(requests >= SEQUENTIAL / CHUNK + 64 + SMALL_WRITES, "requests: " + requests);
        if (wp == WritePath.COPY) {
            assertEquals(0, spliced, "copy splices nothing");
            assertEquals(Map.of("copy path", copied), reasons);
        } else if (direct) {
            // the direct engine reads every request by splice: small writes are spliced too
            assertEquals(requests, spliced, "every write spliced: " + reasons);
        } else {
            assertTrue(spliced >= SEQUENTIAL / CHUNK + 64, "large writes spliced: " + spliced);
            assertTrue(reasons.getOrDefault("memory buffer from libfuse", 0L) >= SMALL_WRITES,
                    "small writes arrive in memory: " + reasons);
            assertEquals(Map.of("memory buffer from libfuse", copied), reasons, "no fallbacks");
        }
    }

    private static void write(FileChannel ch, byte[] model, int off, byte[] data) throws Exception {
        System.arraycopy(data, 0, model, off, data.length);
        ByteBuffer b = ByteBuffer.wrap(data);
        while (b.hasRemaining()) {
            ch.write(b, off + b.position());
        }
    }
}
