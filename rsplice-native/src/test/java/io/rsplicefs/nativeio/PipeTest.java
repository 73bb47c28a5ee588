package io.rsplicefs.nativeio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("kernel")
class PipeTest {
    @Test
    void capacityCanBeRaisedUpToPipeMaxSize() throws Exception {
        try (Pipe p = Pipe.create()) {
            assertEquals(65536, p.capacity(), "a new pipe holds 16 pages");
            int want = 128 * 1024 + 4096;
            int got = p.setCapacity(want);
            assertTrue(got >= want, "capacity " + got + " < " + want);
            assertEquals(got, p.capacity());
            int max = Pipe.maxCapacity();
            assertTrue(max >= 4096, "pipe-max-size read as " + max);
            assertEquals(Integer.parseInt(java.nio.file.Files.readAllLines(
                    java.nio.file.Path.of("/proc/sys/fs/pipe-max-size")).get(0).trim()), max);
            assertTrue(p.setCapacity(max) >= max);
        }
    }

    @Test
    void capacityAboveMaxIsRefusedForUnprivileged() throws Exception {
        // CAP_SYS_RESOURCE may exceed pipe-max-size; without it the kernel says EPERM
        // (root in a container may lack it, so ask the capability, not the uid).
        try (Pipe p = Pipe.create()) {
            int tooBig = Pipe.maxCapacity() * 2;
            if (ProcessResources.hasCapability(24 /* CAP_SYS_RESOURCE */)) {
                assertTrue(p.setCapacity(tooBig) >= tooBig);
            } else {
                NativeIoException e = assertThrows(NativeIoException.class, () -> p.setCapacity(tooBig));
                assertEquals("EPERM", e.errnoName());
            }
        }
    }

    @Test
    void queuedCountsAndDrainEmpties() throws Exception {
        try (Pipe p = Pipe.create(); PageArena a = PageArena.allocate(4)) {
            assertEquals(0, p.queued());
            assertEquals(10000, Splice.vmsplice(p.writeFd(), a.address(), 10000, 0));
            assertEquals(10000, p.queued());
            assertEquals(10000, p.drain());
            assertEquals(0, p.queued());
            assertEquals(0, p.drain(), "draining an empty pipe is a no-op");
        }
    }

    @Test
    void closeIsIdempotentAndThreadSafe() throws Exception {
        long before = ProcessResources.openFds();
        Pipe p = Pipe.create();
        assertEquals(before + 2, ProcessResources.openFds());
        int threads = 8;
        CountDownLatch go = new CountDownLatch(1);
        AtomicInteger failures = new AtomicInteger();
        List<Thread> ts = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(() -> {
                try {
                    go.await();
                    p.close();
                } catch (Exception e) {
                    failures.incrementAndGet();
                }
            });
            t.start();
            ts.add(t);
        }
        go.countDown();
        for (Thread t : ts) {
            t.join();
        }
        assertEquals(0, failures.get());
        assertTrue(p.isClosed());
        assertEquals(before, ProcessResources.openFds());
    }

    @Test
    void threadPipeIsPerThreadEmptyAndClosedWhenThreadEnds() throws Exception {
        int liveBefore = ThreadPipe.live();
        long fdsBefore = ProcessResources.openFds();
        long[] seen = new long[2];
        Thread t = new Thread(() -> {
            try {
                long a = ThreadPipe.acquire(132 * 1024);
                long b = ThreadPipe.acquire(132 * 1024);
                seen[0] = a;
                seen[1] = b;
                // leave bytes behind: the next acquire must hand out an empty pipe
                try (PageArena arena = PageArena.allocate(1)) {
                    Splice.vmsplice(PipeFds.writeFd(b), arena.address(), 100, 0);
                }
                long c = ThreadPipe.acquire(4096);
                if (c != b || NativeMethods.pipeQueued(PipeFds.readFd(c)) != 0) {
                    seen[1] = -1;
                }
                if (ThreadPipe.capacity() < 132 * 1024) {
                    seen[1] = -2;
                }
            } catch (NativeIoException e) {
                seen[0] = -1;
            }
        });
        t.start();
        t.join();
        assertTrue(seen[0] > 0, "acquire failed");
        assertEquals(seen[0], seen[1], "the same thread must get the same, emptied pipe");
        // The pthread key destructor runs when the native thread exits, a moment after join() returns.
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (ThreadPipe.live() != liveBefore && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(liveBefore, ThreadPipe.live());
        // At most as many: a leaked pipe end adds fds, while the JVM's own cleaners may close one meanwhile
        // (a loaded run saw 27 after 28).
        long fdsAfter = ProcessResources.openFds();
        assertTrue(fdsAfter <= fdsBefore, "fds " + fdsBefore + " before, " + fdsAfter + " after");
    }

    @Test
    void threadPipeReleaseClosesNow() throws Exception {
        int liveBefore = ThreadPipe.live();
        ThreadPipe.acquire(4096);
        assertEquals(liveBefore + 1, ThreadPipe.live());
        assertTrue(ThreadPipe.release());
        assertEquals(liveBefore, ThreadPipe.live());
        assertTrue(!ThreadPipe.release());
    }
}
