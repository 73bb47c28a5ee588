package io.rsplicefs.cli;

import java.time.Duration;

/** Waits for a daemon to exit after its mount went away; kills one that hangs. */
final class DaemonStopper {
    /** A daemon ends its loop and exits within a second or two once unmounted. */
    static final Duration EXIT_TIMEOUT = Duration.ofSeconds(15);

    private DaemonStopper() {
    }

    /** Waits up to {@code timeout} for the process to exit; true when it did. */
    static boolean awaitExit(long pid, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (ProcessInfo.isRunning(pid)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(25);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return !ProcessInfo.isRunning(pid);
            }
        }
        return true;
    }

    /** SIGKILL, then waits for it to be gone; true when it is. */
    static boolean kill(long pid) {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        return awaitExit(pid, Duration.ofSeconds(5));
    }
}
