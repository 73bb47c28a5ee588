package io.rsplicefs.it.support;

import java.time.Duration;

/**
 * How many times longer a test may wait here than on the host the waits were written for: system property
 * {@code rsplicefs.timeScale}, 1 by default. vagrant/suite.sh sets 10 in a guest under qemu's software
 * emulation, where the JVM starts and mounts about 7-15 times slower. It stretches waits for things to
 * happen (a process to finish, a mount's watchdog), never a figure a test measures.
 */
public final class TimeScale {
    public static final long FACTOR = Math.max(1, Long.getLong("rsplicefs.timeScale", 1));

    private TimeScale() {
    }

    public static Duration of(Duration d) {
        return d.multipliedBy(FACTOR);
    }

    /** {@code amount} of any time unit, scaled. */
    public static long of(long amount) {
        return amount * FACTOR;
    }
}
