package io.rsplicefs.cli.bench;

/** Waiting for processes that are not this JVM's children (daemons). */
final class Processes {
    private Processes() {
    }

    /** Waits up to {@code seconds} for the process to exit, then SIGKILLs it; true when it is gone. */
    static boolean awaitExitOrKill(long pid, int seconds) {
        if (awaitExit(pid, seconds * 1000L)) {
            return true;
        }
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        return awaitExit(pid, 5000);
    }

    static boolean awaitExit(long pid, long millis) {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (Proc.isRunning(pid)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return !Proc.isRunning(pid);
            }
        }
        return true;
    }
}
