package io.rsplicefs.fs.stable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rsplicefs.fs.store.FileKey;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ReplyGuardTest {
    private static final FileKey A = new FileKey(1, 1);
    private static final FileKey B = new FileKey(1, 2);

    private static CompletableFuture<Void> writeAsync(ReplyGuard g, FileKey k, long off, long len) {
        return CompletableFuture.runAsync(() -> {
            try (ReplyGuard.WriteHold h = g.write(k, off, len)) {
                // the write itself
            } catch (InterruptedException e) {
                throw new RuntimeException(e);
            }
        });
    }

    @Test
    void writesWaitOnlyForOverlappingHeldReadsOfTheSameFile() throws Exception {
        ReplyGuard g = new ReplyGuard();
        Runnable release = g.holdRead(A, 4096, 8192);
        writeAsync(g, A, 0, 4096).get(5, TimeUnit.SECONDS);           // before the range
        writeAsync(g, A, 12288, 4096).get(5, TimeUnit.SECONDS);       // after it
        writeAsync(g, B, 4096, 8192).get(5, TimeUnit.SECONDS);        // another file
        CompletableFuture<Void> overlapping = writeAsync(g, A, 8000, 10);
        Thread.sleep(200);
        assertFalse(overlapping.isDone());
        assertEquals(1, g.heldReads());
        release.run();
        release.run(); // idempotent
        overlapping.get(5, TimeUnit.SECONDS);
        assertEquals(0, g.heldReads());
        assertEquals(1, g.writesHeld());
    }

    @Test
    void aWaitingWriteAsksTheSweeperToFindSentReplies() throws Exception {
        ReplyGuard g = new ReplyGuard();
        Runnable release = g.holdRead(A, 0, 4096);
        AtomicInteger sweeps = new AtomicInteger();
        g.sweeper(() -> {
            if (sweeps.incrementAndGet() == 3) {
                release.run(); // the front end found the reply sent
            }
        });
        writeAsync(g, A, 0, Long.MAX_VALUE).get(5, TimeUnit.SECONDS); // a truncate covers everything after 0
        assertTrue(sweeps.get() >= 3);
    }

    @Test
    void anInterruptedWaitingWriteGivesUpAndLetsReadsIn() throws Exception {
        ReplyGuard g = new ReplyGuard();
        Runnable release = g.holdRead(A, 0, 4096);
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread writer = new Thread(() -> {
            try (ReplyGuard.WriteHold h = g.write(A, 0, 4096)) {
                outcome.complete(null);
            } catch (Throwable t) {
                outcome.complete(t);
            }
        });
        writer.start();
        Thread.sleep(200);
        assertFalse(outcome.isDone(), "the write waits for the held read");
        writer.interrupt(); // what the direct engine does on FUSE_INTERRUPT
        assertTrue(outcome.get(5, TimeUnit.SECONDS) instanceof InterruptedException);
        // the abandoned write holds nothing: a new read of the range does not wait
        CompletableFuture.runAsync(() -> {
            try {
                g.holdRead(A, 0, 4096).run();
            } catch (InterruptedException e) {
                throw new RuntimeException(e);
            }
        }).get(5, TimeUnit.SECONDS);
        release.run();
        assertEquals(0, g.timeouts());
    }
}
