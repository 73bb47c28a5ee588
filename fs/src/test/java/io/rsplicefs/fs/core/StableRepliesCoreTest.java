package io.rsplicefs.fs.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.kenai.jffi.MemoryIO;
import io.rsplicefs.fs.MountConfig;
import io.rsplicefs.fs.read.ReadPath;
import io.rsplicefs.fs.read.ReplyMemory;
import io.rsplicefs.fs.reply.ReadReply;
import io.rsplicefs.fs.stats.FsStats;
import io.rsplicefs.fs.store.DirectoryStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reply lifecycle carries the stable-replies guarantee: a write through
 * the core that overlaps a spliced reply waits until that reply is consumed,
 * so the bytes the reply references cannot change under it.
 */
class StableRepliesCoreTest {
    @TempDir
    Path dir;

    @Test
    void anOverlappingWriteWaitsForTheReplyToBeConsumed() throws Exception {
        Path src = Files.createDirectories(dir.resolve("src"));
        byte[] old = new byte[64 * 1024];
        Arrays.fill(old, (byte) 'a');
        Files.write(src.resolve("f"), old);
        FsCore core = new FsCore(DirectoryStore.open(src),
                new MountConfig(src, dir.resolve("mnt")).readPath(ReadPath.RSPLICE), new FsStats());
        long fh = core.open("/f", 2 /* O_RDWR */, () -> new Caller(0, 0, 1));
        ReadReply reply = core.read(fh, old.length, 0);
        reply.handedOver();
        assertEquals(1, core.stats().snapshot().stableReplies().heldReads());

        long mem = ReplyMemory.allocate(4096);
        byte[] b = new byte[4096];
        Arrays.fill(b, (byte) 'b');
        MemoryIO.getInstance().putByteArray(mem, b, 0, b.length);
        CompletableFuture<Long> write = CompletableFuture.supplyAsync(() -> {
            try {
                return core.write(fh, mem, 4096, 8192);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        Thread.sleep(300);
        assertFalse(write.isDone(), "the write waits while the reply references the pages");
        assertArrayEquals(old, Transport.take(reply), "the reply carries the bytes of before the write");
        reply.consumed();
        assertEquals(4096L, write.get(10, TimeUnit.SECONDS));
        ReplyMemory.free(mem);
        assertEquals(0, core.stats().snapshot().stableReplies().heldReads());
        assertTrue(core.stats().snapshot().stableReplies().writesHeld() >= 1);
        core.release(fh);
        core.close();
    }

    @Test
    void releasingAFileEndsItsRepliesInFlight() throws Exception {
        Path src = Files.createDirectories(dir.resolve("src"));
        Files.write(src.resolve("f"), new byte[32 * 1024]);
        FsCore core = new FsCore(DirectoryStore.open(src),
                new MountConfig(src, dir.resolve("mnt")).readPath(ReadPath.FD), new FsStats());
        long fh = core.open("/f", 0, () -> new Caller(0, 0, 1));
        ReadReply reply = core.read(fh, 16384, 0);
        reply.handedOver();
        core.release(fh); // the kernel releases a file only when no request on it is pending
        assertTrue(reply.isConsumed());
        assertEquals(0, core.stats().snapshot().stableReplies().heldReads());
        core.close();
    }
}
