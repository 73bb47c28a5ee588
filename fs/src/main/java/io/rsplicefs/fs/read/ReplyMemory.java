package io.rsplicefs.fs.read;

import com.kenai.jffi.MemoryIO;

/**
 * Native memory for copied replies: plain malloc, because libfuse 2.9 frees
 * a reply's buffer with free() after sending it, and never Java memory.
 */
public final class ReplyMemory {
    private static final MemoryIO IO = MemoryIO.getInstance();

    private ReplyMemory() {
    }

    /** malloc's {@code capacity} bytes (at least one). */
    public static long allocate(long capacity) {
        long mem = IO.allocateMemory(Math.max(1, capacity), false);
        if (mem == 0) {
            throw new OutOfMemoryError("malloc(" + capacity + ")");
        }
        return mem;
    }

    public static void free(long mem) {
        IO.freeMemory(mem);
    }
}
