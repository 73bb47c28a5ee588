package io.rsplicefs.nativeio;

/**
 * One pipe per native thread, kept in C thread-local storage (a pthread key
 * whose destructor closes the pipe when the thread ends). A Java ThreadLocal
 * would not do: jffi attaches and detaches libfuse's worker threads around
 * each callback for their first 1000 calls.
 */
public final class ThreadPipe {
    static {
        NativeLibrary.ensureAvailable();
    }

    private ThreadPipe() {
    }

    /**
     * This thread's pipe, drained and verified empty, with capacity of at least
     * {@code minCapacity} bytes. Returns both fds packed ({@link PipeFds}).
     * The pipe belongs to the thread: never close its fds.
     */
    public static long acquire(int minCapacity) throws NativeIoException {
        return Errors.check("threadPipe", NativeMethods.threadPipe(minCapacity));
    }

    /** Capacity of this thread's pipe, 0 if it has none yet. */
    public static int capacity() {
        return NativeMethods.threadPipeCapacity();
    }

    /** Closes this thread's pipe now (a later acquire makes a new one); false if it had none. */
    public static boolean release() throws NativeIoException {
        return Errors.check("threadPipeRelease", NativeMethods.threadPipeRelease()) == 1;
    }

    /** Thread pipes currently open in this process. */
    public static int live() {
        return NativeMethods.threadPipesLive();
    }
}
