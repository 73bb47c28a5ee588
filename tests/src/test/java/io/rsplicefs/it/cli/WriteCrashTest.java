package io.rsplicefs.it.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.rsplicefs.fs.host.MountTable;
import io.rsplicefs.fs.stats.MountStats;
import io.rsplicefs.it.support.TestData;
import io.rsplicefs.it.support.TimeScale;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a daemon killed mid-write loses: at most the requests it had not acknowledged. A writer appends
 * 1 MiB chunks through a CLI mount with spliced writes and fsyncs every fourth; the daemon gets SIGKILL while
 * it writes; after {@code rsplicefs umount} of the dead mount and a new mount, every byte up to the last
 * fsync, and up to the last write() that returned, is there.
 */
@Tag("fuse")
@Timeout(120)
class WriteCrashTest extends CliTestBase {
    static final int CHUNK = 1 << 20;
    /** Never reached: the daemon is killed once 16 MiB are synced. */
    static final long LIMIT = 1L << 30;

    private static byte[] chunk(long off) {
        return TestData.bytes(CHUNK, off);
    }

    @Test
    void sigkillMidWriteKeepsEverythingAcknowledged() throws Exception {
        Path src = dir("source");
        Path mp = dir("mnt");
        cli.run("mount", "--write-path=splice", src.toString(), mp.toString()).succeeds();
        long pid = MountStats.fromJson(cli.run("stats", "--json", mp.toString()).succeeds().out()).mount().pid();
        AtomicLong written = new AtomicLong(); // bytes whose write() returned
        AtomicLong synced = new AtomicLong();  // bytes covered by a returned fsync
        CompletableFuture<Throwable> writer = CompletableFuture.supplyAsync(() -> {
            try (FileChannel ch = FileChannel.open(mp.resolve("log"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE)) {
                for (long off = 0, n = 1; off < LIMIT; off += CHUNK, n++) {
                    ByteBuffer b = ByteBuffer.wrap(chunk(off));
                    while (b.hasRemaining()) {
                        ch.write(b, off + b.position());
                    }
                    written.set(off + CHUNK);
                    if (n % 4 == 0) {
                        ch.force(true);
                        synced.set(off + CHUNK);
                    }
                }
                return null;
            } catch (Throwable t) {
                return t;
            }
        });
        while (synced.get() < 16 * CHUNK) {
            Thread.sleep(5);
            if (writer.isDone()) {
                fail("writer ended early: " + writer.join());
            }
        }
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly); // SIGKILL mid-write
        Throwable t = writer.get(TimeScale.of(20), TimeUnit.SECONDS);
        assertNotNull(t, "the writer saw an error once the daemon died");
        long acknowledged = written.get();
        long lastSync = synced.get();
        System.out.println("writer after SIGKILL: " + t + "; written " + acknowledged + ", synced " + lastSync);
        assertTrue(Leftovers.awaitExit(pid, 10_000));
        cli.run("umount", mp.toString()).succeeds();
        assertFalse(MountTable.isMounted(mp));
        cli.run("mount", src.toString(), mp.toString()).succeeds();
        try {
            byte[] got = Files.readAllBytes(mp.resolve("log"));
            assertTrue(got.length >= acknowledged, "length " + got.length + " < acknowledged " + acknowledged);
            for (long off = 0; off < acknowledged; off += CHUNK) {
                assertArrayEquals(chunk(off), Arrays.copyOfRange(got, (int) off, (int) off + CHUNK),
                        "chunk at " + off + (off < lastSync ? " (before the last fsync)" : " (acknowledged)"));
            }
        } finally {
            cli.run("umount", mp.toString()).succeeds();
        }
    }
}
