package io.rsplicefs.cli.bench;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The short-lived child processes of a run (fio, mount commands, compilers).
 * Once the run is being torn down (Ctrl-C), no new child starts and the
 * running ones are killed, so the teardown can unmount.
 */
final class Children {
    private final Set<Process> running = new HashSet<>();
    private boolean closed;

    /** Starts a child unless the run is stopping. */
    Process start(ProcessBuilder pb) throws IOException, BenchException {
        synchronized (this) {
            if (closed) {
                throw new BenchException("interrupted");
            }
            Process p = pb.start();
            running.add(p);
            return p;
        }
    }

    synchronized void done(Process p) {
        running.remove(p);
    }

    synchronized boolean stopping() {
        return closed;
    }

    /** No new children; SIGTERM then SIGKILL for the running ones. */
    void close() {
        Set<Process> left;
        synchronized (this) {
            closed = true;
            left = new HashSet<>(running);
        }
        for (Process p : left) {
            p.destroy();
        }
        for (Process p : left) {
            try {
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    p.waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Runs a command to completion; its output (stdout and stderr together) is returned. */
    Result run(ProcessBuilder pb, long timeoutSeconds) throws BenchException {
        pb.redirectErrorStream(true);
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Process p;
        try {
            p = start(pb);
        } catch (IOException e) {
            throw new BenchException("cannot run " + pb.command().get(0) + ": " + e.getMessage(), e);
        }
        try {
            // The output is read on another thread so that a child that prints a lot cannot block.
            CompletableFuture<String> out = new CompletableFuture<>();
            Thread reader = new Thread(() -> {
                try {
                    out.complete(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
                } catch (IOException e) {
                    out.complete("");
                }
            }, "bench-output");
            reader.setDaemon(true);
            reader.start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
                throw new BenchException(String.join(" ", pb.command()) + " did not finish within "
                        + timeoutSeconds + " s");
            }
            return new Result(p.exitValue(), out.join());
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new BenchException("interrupted");
        } finally {
            done(p);
        }
    }

    record Result(int exit, String output) {
        boolean ok() {
            return exit == 0;
        }
    }
}
