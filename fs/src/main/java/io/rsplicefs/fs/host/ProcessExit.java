package io.rsplicefs.fs.host;

import java.time.Duration;

/** Waits for a process that is not this JVM's child (a daemon) to exit, and kills one that does not. */
public final class ProcessExit {
    /** How long a SIGKILLed process may take to be gone. */
    static final Duration AFTER_KILL = Duration.ofSeconds(5);

    private ProcessExit() {
    }

    /** Waits up to {@code timeout} for the process to exit (a zombie counts as exited); true when it did. */
    public static boolean await(long pid, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (ProcessStat.isRunning(pid)) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return !ProcessStat.isRunning(pid);
            }
        }
        return true;
    }

    /** SIGKILL, then waits for it to be gone; true when it is. */
    public static boolean kill(long pid) {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        return await(pid, AFTER_KILL);
    }

    /** Waits up to {@code timeout} for the process to exit, then SIGKILLs it; true when it is gone. */
    public static boolean awaitOrKill(long pid, Duration timeout) {
        return await(pid, timeout) || kill(pid);
    }
}
