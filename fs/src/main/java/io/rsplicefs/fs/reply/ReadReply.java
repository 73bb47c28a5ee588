package io.rsplicefs.fs.reply;

import java.util.ArrayList;
import java.util.List;

/**
 * One read reply and its life: filled (by a read path) -> handed over (the
 * front end gives it to the transport: libfuse, or its own write to
 * /dev/fuse) -> consumed (the kernel has taken the bytes; pages the payload
 * referenced may change or be reused). Those that care hang on the two
 * transitions: the LRU flush runs when the reply is handed over; the
 * stable-replies guard releases its range and the donation sampler checks
 * its sample once it is consumed.
 * <p>
 * Only the front end knows when a reply is consumed: after its own write or
 * splice to /dev/fuse returned, or, with libfuse, when the worker that sent it
 * is seen again. Both transitions are idempotent; consumed implies handed over.
 * Listeners run on the thread that makes the transition and must not block.
 */
public final class ReadReply {
    /** What the reply carries. */
    public sealed interface Payload permits Memory, FileRange, FilledPipe {
        long length();
    }

    /**
     * Bytes at {@code address} in malloc'd native memory whose allocation
     * starts at {@code base} (the bytes may be placed further in: see
     * PageSkew); whoever sends the reply frees {@code base} (libfuse frees
     * what it is given, so the jnr-fuse engine hands it an allocation of the
     * bytes' own).
     */
    public record Memory(long address, long length, long base) implements Payload {
        /** Bytes at the start of their allocation. */
        public Memory(long address, long length) {
            this(address, length, address);
        }
    }

    /** {@code length} bytes of {@code fd} from {@code position}: the transport reads (splices) them itself. */
    public record FileRange(int fd, long position, long length) implements Payload {
    }

    /**
     * Exactly {@code length} payload bytes queued in the pipe whose read end is
     * {@code readFd}, behind {@code prefixLength} bytes of the transport's reply
     * header (0 unless the transport asked for one: {@link PipePrefix}).
     */
    public record FilledPipe(int readFd, long length, int prefixLength) implements Payload {
        public FilledPipe(int readFd, long length) {
            this(readFd, length, 0);
        }
    }

    private static final int FILLED = 0;
    private static final int HANDED_OVER = 1;
    private static final int CONSUMED = 2;

    private final Payload payload;
    private List<Runnable> onHandedOver;
    private List<Runnable> onConsumed;
    private int state = FILLED;

    public ReadReply(Payload payload) {
        this.payload = payload;
    }

    public Payload payload() {
        return payload;
    }

    /** Bytes in the reply (0 = end of file). */
    public long length() {
        return payload.length();
    }

    /** Runs {@code r} when the reply is handed over (at once if it already was). */
    public void onHandedOver(Runnable r) {
        boolean now;
        synchronized (this) {
            now = state >= HANDED_OVER;
            if (!now) {
                onHandedOver = add(onHandedOver, r);
            }
        }
        if (now) {
            r.run();
        }
    }

    /** Runs {@code r} when the reply is consumed (at once if it already was). */
    public void onConsumed(Runnable r) {
        boolean now;
        synchronized (this) {
            now = state >= CONSUMED;
            if (!now) {
                onConsumed = add(onConsumed, r);
            }
        }
        if (now) {
            r.run();
        }
    }

    /** Whether anything waits for this reply's transitions (a front end may skip tracking it otherwise). */
    public synchronized boolean tracked() {
        return state < CONSUMED && (onConsumed != null || onHandedOver != null);
    }

    public synchronized boolean isConsumed() {
        return state == CONSUMED;
    }

    public void handedOver() {
        List<Runnable> run;
        synchronized (this) {
            if (state >= HANDED_OVER) {
                return;
            }
            state = HANDED_OVER;
            run = onHandedOver;
            onHandedOver = null;
        }
        runAll(run);
    }

    /**
     * The kernel has the bytes. Also ends a reply that was never handed over
     * (its fill failed after listeners were added, or the front end gave up).
     */
    public void consumed() {
        handedOver();
        List<Runnable> run;
        synchronized (this) {
            if (state == CONSUMED) {
                return;
            }
            state = CONSUMED;
            run = onConsumed;
            onConsumed = null;
        }
        runAll(run);
    }

    private static List<Runnable> add(List<Runnable> l, Runnable r) {
        List<Runnable> out = l == null ? new ArrayList<>(2) : l;
        out.add(r);
        return out;
    }

    private static void runAll(List<Runnable> l) {
        if (l != null) {
            for (Runnable r : l) {
                r.run();
            }
        }
    }
}
