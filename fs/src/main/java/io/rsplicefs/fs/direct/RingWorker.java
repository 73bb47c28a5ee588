package io.rsplicefs.fs.direct;

import io.rsplicefs.fs.Errno;
import io.rsplicefs.fs.core.FsCore;
import io.rsplicefs.fs.store.ByteSource;
import io.rsplicefs.nativeio.FuseRing;
import io.rsplicefs.nativeio.NativeIoException;
import io.rsplicefs.nativeio.Splice;
import io.rsplicefs.nativeio.Threads;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One FUSE-over-io_uring queue's worker: registers the ring's entries for
 * queue {@code qid}, then waits for a request in any of them, hands it to the
 * same {@link Dispatcher} as the /dev/fuse workers and commits the reply into
 * the entry, until the connection ends (the entries complete with ENOTCONN).
 * A reply's commit goes to the kernel with the next wait: one io_uring_enter
 * per request.
 * <p>
 * The header and the opcode's arguments are copied out of the entry into a
 * {@link Request} buffer laid out as /dev/fuse delivers it, so the handlers
 * are those of the dev transport; a WRITE's payload stays in the entry's
 * payload buffer and is written to the store from there.
 */
final class RingWorker implements Runnable {
    private static final int ENOENT = 2;
    private static final int ENODEV = 19;
    private static final int ECONNABORTED = 103;
    private static final int ENOTCONN = 107;
    private static final int ECANCELED = 125;

    private final DirectSession session;
    private final UringTransport transport;
    private final FuseRing ring;
    private final int devFd;
    private final int qid;
    private final boolean pin;
    /** Whether this ring is made for a zero-copy queue (set up with ADD_QUEUE and ADD_BUFPOOL first). */
    private final boolean zeroCopyRing;
    /** Whether the kernel took this queue as zero-copy (its READs may then come as the reader's pages). */
    private boolean zeroCopyQueue;
    private final InFlight inFlight = new InFlight();
    /** The 16-byte reply header of a zero-copied READ. */
    private final ByteBuffer zcHeader = ByteBuffer.allocateDirect(Fuse.OUT_HEADER).order(ByteOrder.LITTLE_ENDIAN);
    /** The completion tag of a read-fixed (entries are 0..depth-1). */
    private static final int READ_FIXED_TAG = 0x7ffe0000;
    /** The completion tag of a write-fixed. */
    private static final int WRITE_FIXED_TAG = 0x7ffe0001;
    private static final int EINTR = 4;
    private static final int EAGAIN = 11;
    /** The registered-buffer slot of the zero-copied WRITE being drained (1 + its entry). */
    private int drainSlot;
    private final FsCore.InPlaceWrite drain = this::drainPages;
    /** Whether this worker told the transport how its registration went. */
    private boolean settled;

    RingWorker(DirectSession session, UringTransport transport, FuseRing ring, int devFd, int qid, boolean pin,
            boolean zeroCopyRing) {
        this.pin = pin;
        this.zeroCopyRing = zeroCopyRing;
        this.session = session;
        this.transport = transport;
        this.ring = ring;
        this.devFd = devFd;
        this.qid = qid;
    }

    /** Interrupts the thread if it is handling request {@code unique}; returns whether it was. */
    boolean interruptIfHandling(long unique) {
        return inFlight.interruptIfHandling(unique);
    }

    @Override
    public void run() {
        inFlight.bindToCurrentThread();
        try {
            serve();
        } catch (Throwable t) {
            // The kernel would keep queueing requests for this CPU with nobody to take them: end the connection.
            transport.workerFailed(qid, t);
            session.workerFailed(t);
            transport.abortConnection(session);
        } finally {
            if (!settled) {
                transport.settled();
            }
            ring.close();
            session.ringWorkerEnded();
        }
    }

    private void serve() throws NativeIoException {
        if (pin) {
            try {
                // The kernel queues a request on the queue of its caller's CPU: served on that CPU, the reply
                // needs no other CPU woken, and the caller's data is in that CPU's cache.
                Threads.pinToCpu(qid);
            } catch (NativeIoException e) {
                transport.notPinned(qid, e);
            }
        }
        int payloadBytes = (int) ring.payloadBytes();
        ByteBuffer in = ByteBuffer.allocateDirect(Fuse.IN_HEADER + FuseRing.OP_IN_SIZE + payloadBytes);
        ByteBuffer outBuf = ByteBuffer.allocateDirect(Reply.CAPACITY);
        Request q = new Request(in, Splice.address(in));
        RingSlot slot = new RingSlot(ring, devFd, qid);
        Reply out = new Reply(outBuf, Splice.address(outBuf), devFd, session.timeouts(), slot);
        // No PipePrefix for this thread: a read path that fills a pipe queues the payload alone.
        ReplySender sender = new ReplySender(out, false, session.counters());
        Dispatcher d = session.dispatcher();
        if (zeroCopyRing) {
            setUpZeroCopyQueue();
        }
        for (int e = 0; e < ring.depth(); e++) {
            ring.register(devFd, qid, e);
        }
        // A refused registration completes at once (the kernel then goes on over /dev/fuse).
        long c = ring.await(false);
        if (FuseRing.entry(c) != FuseRing.NONE && FuseRing.result(c) < 0) {
            transport.refused(qid, -FuseRing.result(c));
            settled = true;
            transport.settled();
            drainUntilEnd();
            return;
        }
        transport.registered(qid);
        settled = true;
        transport.settled();
        while (true) {
            if (FuseRing.entry(c) == FuseRing.NONE) {
                c = ring.await(true);
            }
            int e = FuseRing.entry(c);
            int res = FuseRing.result(c);
            c = FuseRing.NONE;
            if (res < 0) {
                if (ended(-res)) {
                    return;
                }
                if (-res == ENOENT) {
                    // The kernel no longer knew the request committed (it ended it): the entry is lost to it; give it back.
                    transport.lostEntry();
                    ring.register(devFd, qid, e);
                    continue;
                }
                throw new NativeIoException("FUSE io_uring entry " + e + " of queue " + qid, -res);
            }
            handle(e, q, slot, out, sender, d);
        }
    }

    /**
     * FUSE 7.46, before any REGISTER: ADD_QUEUE with FUSE_URING_ZERO_COPY
     * (binds the queue to this ring), then ADD_BUFPOOL (the ring's payload
     * buffers, slot 0 of its table). A refused ADD_QUEUE leaves the queue to
     * be made by REGISTER as a plain one (entries with their own payload
     * buffers: the mount is served, without zero copy). A refused ADD_BUFPOOL
     * after it leaves a zero-copy queue without a pool, whose REGISTER the
     * kernel refuses: the connection then goes on over /dev/fuse (see
     * {@link UringTransport#refused}). Either way the errno is the reason.
     */
    private void setUpZeroCopyQueue() {
        int rc = ring.addQueue(devFd, qid, true);
        if (rc < 0) {
            transport.zeroCopyRefused(new NativeIoException("FUSE_IO_URING_CMD_ADD_QUEUE (zero copy) on queue " + qid,
                    -rc).getMessage());
            return;
        }
        rc = ring.addBufpool(devFd, qid);
        if (rc < 0) {
            transport.zeroCopyRefused(new NativeIoException("FUSE_IO_URING_CMD_ADD_BUFPOOL on queue " + qid, -rc)
                    .getMessage());
            return;
        }
        zeroCopyQueue = true;
    }

    /** After a refused registration: the entries still registered end with the connection. */
    private void drainUntilEnd() throws NativeIoException {
        int open = ring.depth() - 1;
        long c = ring.await(false);
        while (open > 0) {
            if (FuseRing.entry(c) == FuseRing.NONE) {
                c = ring.await(true);
            }
            if (FuseRing.result(c) < 0) {
                open--;
            }
            c = FuseRing.NONE;
        }
    }

    private static boolean ended(int errno) {
        return errno == ENOTCONN || errno == ECONNABORTED || errno == ECANCELED || errno == ENODEV;
    }

    /**
     * A request whose payload the kernel handed over as the reader's pages
     * (FUSE_URING_ENT_ZERO_COPY), registered at the entry's slot 1 + e: a
     * READ is filled by IORING_OP_READ_FIXED from the open file's backing fd
     * at the range's offset, clamped to the range's end (a member's
     * neighbour is never read), and committed only after its completion (the
     * kernel takes the pages as filled at the commit). A WRITE does not come
     * here (see {@link #drainPages}); anything else, and a file without a
     * backing range, is answered EIO, counted.
     */
    private void fillPages(int e, Request q, RingSlot slot, Reply out) throws NativeIoException {
        UringZeroCopy zc = transport.zeroCopy();
        // Counted by opcode as the dispatcher counts the requests it routes (the engine's "requests" line).
        session.counters().request(q.opcode());
        if (q.opcode() != Fuse.READ) {
            zc.copied("zero-copied opcode " + q.opcode() + " not served (answered EIO)");
            replyError(q, out, Errno.EIO);
            return;
        }
        long fh = q.u64(0);
        long off = q.u64(8);
        int size = q.u32(16);
        session.counters().readSize(size);
        ByteSource.FdRange r;
        try {
            r = session.core().backingRange(fh);
        } catch (NativeIoException ex) {
            replyError(q, out, ex.errno());
            return;
        }
        if (r == null) {
            zc.copied(UringZeroCopy.NO_RANGE + " (answered EIO)");
            replyError(q, out, Errno.EIO);
            return;
        }
        int len = (int) r.clamp(off, size);
        int n = 0;
        if (len > 0) {
            ring.readFixed(r.fd(), r.position(off), 1 + e, 0, len, READ_FIXED_TAG);
            long c = ring.await(true);
            if (FuseRing.entry(c) != READ_FIXED_TAG) {
                throw new NativeIoException("IORING_OP_READ_FIXED on queue " + qid + ": completion of "
                        + FuseRing.entry(c) + " came first", Errno.EIO);
            }
            n = FuseRing.result(c);
            if (n < 0) {
                zc.copied("read-fixed failed: " + new NativeIoException("", -n).getMessage());
                replyError(q, out, -n);
                return;
            }
        }
        zc.zeroCopied();
        if (slot.commitFilled(Splice.address(zcHeader), zcHeader, q.unique(), n) < 0) {
            session.counters().replyFailed();
        }
    }

    /**
     * A zero-copied WRITE's pages, registered at slot {@link #drainSlot}, into
     * {@code fd} at {@code off} by IORING_OP_WRITE_FIXED ({@code addr}: the
     * offset in the pages), each waited for; a short write is continued from
     * where it stopped. Like pwrite until all is written: an error after some
     * bytes, or a write that takes nothing, ends it with the count so far
     * (the kernel is told it in fuse_write_out); an error before any byte is thrown.
     */
    private long drainPages(int fd, long off, long len) throws NativeIoException {
        long done = 0;
        while (done < len) {
            ring.writeFixed(fd, off + done, drainSlot, done, (int) (len - done), WRITE_FIXED_TAG);
            long c = ring.await(true);
            if (FuseRing.entry(c) != WRITE_FIXED_TAG) {
                throw new NativeIoException("IORING_OP_WRITE_FIXED on queue " + qid + ": completion of "
                        + FuseRing.entry(c) + " came first", Errno.EIO);
            }
            int n = FuseRing.result(c);
            if (n == -EINTR || n == -EAGAIN) {
                continue;
            }
            if (n <= 0) {
                if (done > 0) {
                    break;
                }
                NativeIoException e = new NativeIoException("IORING_OP_WRITE_FIXED", n < 0 ? -n : Errno.EIO);
                transport.zeroCopy().writeFailed("write-fixed " + e.errnoName());
                throw e;
            }
            done += n;
        }
        transport.zeroCopy().zeroCopiedWrite();
        return done;
    }

    private static void replyError(Request q, Reply out, int errno) {
        out.start(q.unique());
        out.error(errno);
    }

    private void handle(int e, Request q, RingSlot slot, Reply out, ReplySender sender, Dispatcher d)
            throws NativeIoException {
        ByteBuffer h = ring.headers();
        int base = e * FuseRing.HEADER_STRIDE;
        int len = h.getInt(base + FuseRing.IN_OUT + Fuse.IN_LEN);
        int opcode = h.getInt(base + FuseRing.IN_OUT + Fuse.IN_OPCODE);
        long commitId = h.getLong(base + FuseRing.ENT_COMMIT_ID);
        boolean pages = zeroCopyQueue && (h.getLong(base + FuseRing.ENT_FLAGS) & FuseRing.ENT_ZERO_COPY) != 0;
        int payloadSize = h.getInt(base + FuseRing.ENT_PAYLOAD_SIZE);
        // A zero-copied request's page bytes are at the entry's slot, none in the pool: a READ's are its
        // reply's (not in the request), a WRITE's are its payload, which payload_sz still counts.
        int payload = pages ? 0 : payloadSize;
        int opLen = len - Fuse.IN_HEADER - (pages && opcode == Fuse.WRITE ? payloadSize : payload);
        slot.start(e, commitId);
        transport.countRequest();
        q.buf.put(0, h, base + FuseRing.IN_OUT, Fuse.IN_HEADER);
        if (opLen < 0 || opLen > FuseRing.OP_IN_SIZE || payloadSize < 0 || payloadSize > ring.payloadBytes()) {
            q.filled(Fuse.IN_HEADER - 1); // not a request the entry can hold: answered EIO, counted as malformed
        } else {
            q.buf.put(Fuse.IN_HEADER, h, base + FuseRing.OP_IN, opLen);
            if (pages && opcode == Fuse.WRITE) {
                q.filledHead(Fuse.IN_HEADER + opLen, len); // the payload is the writer's pages
            } else if (opcode == Fuse.WRITE) {
                q.filledFromRing(Fuse.IN_HEADER + opLen, len, ring.payloadAddress(e));
            } else {
                q.buf.put(Fuse.IN_HEADER + opLen, ring.payloads(), (int) (e * ring.payloadBytes()), payload);
                q.filled(len);
            }
        }
        inFlight.begin(q.unique());
        if (pages && opcode == Fuse.WRITE) {
            drainSlot = 1 + e;
            d.handleWriteInPlace(q, out, drain);
        } else if (pages) {
            fillPages(e, q, slot, out);
        } else {
            d.handle(q, out, sender, -1);
        }
        inFlight.end();
        if (!slot.committed()) {
            // Every ring request needs its commit, or the entry never comes back (a reply marked as not needed).
            session.counters().replyFailed();
            out.start(q.unique());
            if (out.error(Errno.EIO) < 0) {
                throw new NativeIoException("commit to FUSE io_uring entry " + e, Errno.EIO);
            }
        }
    }
}
