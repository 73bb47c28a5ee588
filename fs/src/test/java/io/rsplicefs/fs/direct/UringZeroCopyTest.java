package io.rsplicefs.fs.direct;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rsplicefs.fs.stats.MountStats;
import io.rsplicefs.fs.stats.ZeroCopyCounters;
import io.rsplicefs.nativeio.FuseRing;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** uring-zc's decision per mount and its count per open, for each reason it can fall back (no kernel needed). */
class UringZeroCopyTest {
    private static final long RING = FuseRing.INIT_FLAG;
    private static final long BUFPOOL = FuseRing.BUFPOOL_INIT_FLAG;

    private static MountStats.ZeroCopyStats opens(UringZeroCopy zc, ZeroCopyCounters c, int n) {
        for (int i = 0; i < n; i++) {
            assertEquals(0, zc.openFlags(true, true, true), "no FOPEN_IO_URING_ZERO_COPY while it cannot be had");
        }
        return c.snapshot();
    }

    @Test
    void otherReadPathsAskForNothingAndCountNothing() {
        ZeroCopyCounters c = new ZeroCopyCounters();
        UringZeroCopy zc = new UringZeroCopy(c, false, false, null);
        zc.atInit(RING | BUFPOOL, true, "", null);
        assertEquals(new MountStats.ZeroCopyStats("off", 0, 0, 0, Map.of(), 0), opens(zc, c, 3));
    }

    @Test
    void aKernelWithout746IsTheReasonWhateverTheRingDoes() {
        for (boolean ring : new boolean[] {true, false}) {
            ZeroCopyCounters c = new ZeroCopyCounters();
            UringZeroCopy zc = new UringZeroCopy(c, true, false, null);
            zc.atInit(ring ? RING : 0, ring, ring ? "" : "the fuse module's enable_uring is N", null);
            MountStats.ZeroCopyStats s = opens(zc, c, 2);
            assertEquals("unavailable: " + UringZeroCopy.NO_KERNEL, s.status());
            assertEquals(Map.of(UringZeroCopy.NO_KERNEL, 2L), s.fallbackReasons());
        }
    }

    @Test
    void anUnprivilegedDaemonKeepsItsReasonOnAnyKernel() {
        ZeroCopyCounters c = new ZeroCopyCounters();
        UringZeroCopy zc = new UringZeroCopy(c, true, false, UringZeroCopy.NOT_PRIVILEGED);
        zc.atInit(RING | BUFPOOL, true, "", null);
        MountStats.ZeroCopyStats s = opens(zc, c, 1);
        assertEquals("unavailable: " + UringZeroCopy.NOT_PRIVILEGED, s.status());
        assertEquals(Map.of(UringZeroCopy.NOT_PRIVILEGED, 1L), s.fallbackReasons());
    }

    @Test
    void aRingThatDoesNotServeGivesTheTransportsReason() {
        ZeroCopyCounters c = new ZeroCopyCounters();
        UringZeroCopy zc = new UringZeroCopy(c, true, false, null);
        zc.transportFellBack("before INIT: not yet the reason"); // the transport's own INIT fallback comes first
        zc.atInit(BUFPOOL, false, "the fuse module's enable_uring is N", null);
        String why = "the io_uring transport does not serve this mount: the fuse module's enable_uring is N";
        assertEquals(Map.of(why, 1L), opens(zc, c, 1).fallbackReasons());
    }

    @Test
    void everythingInPlaceZeroCopiesOpensWithABackingRangeAndWritableOnesThatWriteInPlace() {
        ZeroCopyCounters c = new ZeroCopyCounters();
        UringZeroCopy zc = new UringZeroCopy(c, true, false, null);
        assertTrue(zc.wantsQueues(RING | BUFPOOL));
        zc.atInit(RING | BUFPOOL, true, "", null);
        assertEquals(FuseRing.FOPEN_ZERO_COPY, zc.openFlags(true, true, false));
        assertEquals(FuseRing.FOPEN_ZERO_COPY, zc.openFlags(true, false, true), "a directory file opened to write");
        assertEquals(0, zc.openFlags(false, true, false), "produced bytes have nothing to read-fix from");
        assertEquals(0, zc.openFlags(true, false, false), "nothing to write-fix into");
        zc.zeroCopied();
        zc.zeroCopiedWrite();
        zc.zeroCopiedWrite();
        zc.copied("x");
        zc.writeFailed("y");
        MountStats.ZeroCopyStats s = c.snapshot();
        assertEquals("on", s.status());
        assertEquals(2, s.opens());
        assertEquals(1, s.zeroCopied());
        assertEquals(2, s.zeroCopiedWrites());
        assertEquals(2, s.fallbacks());
        assertEquals(Map.of(UringZeroCopy.NO_RANGE, 1L, UringZeroCopy.WRITABLE, 1L, "read copied: x", 1L,
                "write failed: y", 1L), s.fallbackReasons());
    }

    @Test
    void aRefusedQueueOrBufferTableIsTheReason() {
        ZeroCopyCounters c = new ZeroCopyCounters();
        UringZeroCopy zc = new UringZeroCopy(c, true, false, null);
        zc.atInit(RING | BUFPOOL, true, "", "no zero-copy queues: io_uring_register failed: ENOMEM");
        assertEquals("unavailable: no zero-copy queues: io_uring_register failed: ENOMEM", opens(zc, c, 1).status());
        ZeroCopyCounters c2 = new ZeroCopyCounters();
        UringZeroCopy zc2 = new UringZeroCopy(c2, true, false, null);
        zc2.atInit(RING | BUFPOOL, true, "", null);
        zc2.queueRefused("FUSE_IO_URING_CMD_ADD_QUEUE (zero copy) on queue 0 failed: EPERM");
        assertEquals(Map.of("FUSE_IO_URING_CMD_ADD_QUEUE (zero copy) on queue 0 failed: EPERM", 1L),
                opens(zc2, c2, 1).fallbackReasons());
    }

    @Test
    void noBufpoolOfferedMeansNoZeroCopyRings() {
        UringZeroCopy zc = new UringZeroCopy(new ZeroCopyCounters(), true, false, null);
        assertFalse(zc.wantsQueues(RING));
        assertFalse(new UringZeroCopy(new ZeroCopyCounters(), false, false, null).wantsQueues(RING | BUFPOOL));
        assertFalse(new UringZeroCopy(new ZeroCopyCounters(), true, false, UringZeroCopy.NOT_PRIVILEGED)
                .wantsQueues(RING | BUFPOOL));
    }

    @Test
    void autoTakesItWhereTheKernelGrantsItAndCountsNoOpenWhereTheMountCannot() {
        ZeroCopyCounters c = new ZeroCopyCounters();
        UringZeroCopy zc = new UringZeroCopy(c, true, true, null);
        zc.atInit(RING, true, "", null); // 6.18: the ring, no bufpool
        assertEquals(0, zc.openFlags(true, true, false));
        assertEquals(new MountStats.ZeroCopyStats("unavailable: " + UringZeroCopy.NO_KERNEL, 0, 0, 0, Map.of(), 0),
                c.snapshot(), "said once in the status; auto's opens are served as before, uncounted");
        ZeroCopyCounters c2 = new ZeroCopyCounters();
        UringZeroCopy zc2 = new UringZeroCopy(c2, true, true, null);
        assertTrue(zc2.wantsQueues(RING | BUFPOOL));
        zc2.atInit(RING | BUFPOOL, true, "", null);
        assertEquals(FuseRing.FOPEN_ZERO_COPY, zc2.openFlags(true, true, false), "a stored archive member");
        assertEquals(0, zc2.openFlags(false, true, false), "an inflated one: auto's other paths, counted");
        assertEquals(new MountStats.ZeroCopyStats("on", 1, 0, 1, Map.of(UringZeroCopy.NO_RANGE, 1L), 0),
                c2.snapshot());
        UringZeroCopy unprivileged = new UringZeroCopy(new ZeroCopyCounters(), true, true,
                UringZeroCopy.NOT_PRIVILEGED);
        assertFalse(unprivileged.wantsQueues(RING | BUFPOOL), "no zero-copy rings for a daemon the kernel refuses");
    }
}
