package io.rsplicefs.fs.direct;

/**
 * Which request a worker thread is handling, so that FUSE_INTERRUPT (which
 * arrives on another thread, over /dev/fuse) can interrupt the thread that
 * handles its target. Shared by the /dev/fuse and the io_uring workers.
 */
final class InFlight {
    private volatile long current;
    private volatile Thread thread;

    /** Called by the worker's thread once, before it handles anything. */
    void bindToCurrentThread() {
        thread = Thread.currentThread();
    }

    /** The worker starts handling {@code unique}; an interrupt left over from an earlier request is cleared. */
    void begin(long unique) {
        current = unique;
        Thread.interrupted();
    }

    void end() {
        current = 0;
    }

    /** Interrupts the thread if it is handling request {@code unique}; returns whether it was. */
    boolean interruptIfHandling(long unique) {
        Thread t = thread;
        if (t != null && current == unique) {
            t.interrupt();
            return true;
        }
        return false;
    }
}
