package io.rsplicefs.nativeio;

/**
 * Both ends of a pipe packed into one long (read end in the high 32 bits), so
 * the hot path allocates nothing.
 */
public final class PipeFds {
    private PipeFds() {
    }

    public static int readFd(long packed) {
        return (int) (packed >>> 32);
    }

    public static int writeFd(long packed) {
        return (int) packed;
    }
}
