package io.rsplicefs.fs.jnrfuse;

import io.rsplicefs.fs.reply.ReadReply;
import io.rsplicefs.nativeio.Threads;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When libfuse 2.9 has sent a reply: it does so on the worker thread right
 * after read_buf returns, so a worker's last reply is consumed once that
 * worker is seen again: at its next callback, blocked back in read() on
 * /dev/fuse (or in splice() from it, with splice_read: the write path splice
 * or auto), or gone (libfuse retires idle workers; one that exits right
 * after a read never comes back).
 */
final class WorkerReplies {
    private static final int MIN_SWEEP_AT = 64;

    private final Map<Integer, ReadReply> byWorker = new ConcurrentHashMap<>();
    private volatile int sweepAt = MIN_SWEEP_AT;

    /** Called first in every callback: worker {@code tid}'s previous reply has been sent. */
    void back(int tid) {
        ReadReply r = byWorker.remove(tid);
        if (r != null) {
            r.consumed();
        }
    }

    /** The reply goes to libfuse now, on worker {@code tid}. */
    void handedOver(int tid, ReadReply reply) {
        reply.handedOver();
        if (!reply.tracked()) {
            return;
        }
        ReadReply stale = byWorker.put(tid, reply);
        if (stale != null) {
            // back(tid) took this worker's own previous reply; one left under its tid belongs to an
            // exited thread whose tid was reused, so that reply is long sent.
            stale.consumed();
        }
        if (byWorker.size() > sweepAt) {
            forgetExited();
            sweepAt = Math.max(MIN_SWEEP_AT, 2 * byWorker.size());
        }
    }

    /** Replies whose worker exited were sent before it did. */
    private void forgetExited() {
        byWorker.forEach((tid, r) -> {
            if (!Files.exists(Path.of("/proc/self/task/" + tid)) && byWorker.remove(tid, r)) {
                r.consumed();
            }
        });
    }

    /** Marks consumed every reply whose worker is blocked reading (or splicing from) /dev/fuse again, or gone. */
    void sweep() {
        byWorker.forEach((tid, r) -> {
            if (replySent(tid) && byWorker.remove(tid, r)) {
                r.consumed();
            }
        });
    }

    private static boolean replySent(int tid) {
        Path task = Path.of("/proc/self/task/" + tid);
        String sys;
        try {
            sys = Files.readString(task.resolve("syscall")).trim();
        } catch (NoSuchFileException gone) {
            return true; // the worker thread ended, and its reply with it
        } catch (IOException e) {
            return false;
        }
        // "NR arg0 arg1 ..." while blocked in a syscall, "running" otherwise
        String[] f = sys.split(" ");
        if (f.length < 2 || !f[0].matches("\\d+")) {
            return false;
        }
        int nr = Integer.parseInt(f[0]);
        if (nr != Threads.SYS_READ && nr != Threads.SYS_SPLICE) {
            return false; // splice: libfuse's receive with splice_read, /dev/fuse is its fd_in (arg0)
        }
        try {
            long fd = Long.decode(f[1]);
            return "/dev/fuse".equals(Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString());
        } catch (IOException | NumberFormatException e) {
            return false;
        }
    }
}
