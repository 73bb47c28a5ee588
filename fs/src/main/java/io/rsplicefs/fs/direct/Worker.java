package io.rsplicefs.fs.direct;

import io.rsplicefs.fs.Errno;
import io.rsplicefs.fs.read.RspliceReader;
import io.rsplicefs.fs.reply.PipePrefix;
import io.rsplicefs.nativeio.FuseDevice;
import io.rsplicefs.nativeio.NativeIoException;
import io.rsplicefs.nativeio.PipeFds;
import io.rsplicefs.nativeio.Splice;
import io.rsplicefs.nativeio.ThreadPipe;
import java.nio.ByteBuffer;

/**
 * One worker: a Java thread with its own /dev/fuse fd (a clone, so workers
 * do not contend on one fd), its own request and reply buffers in native
 * memory and its own pipe (the thread pipe). It reads a request, handles it
 * and answers it, until the connection ends (ENODEV: unmounted or aborted).
 * <p>
 * With spliced writes the request is read by splice into the pipe: the
 * header and a WRITE's arguments are read out of it into memory and the
 * payload is spliced from the pipe into the store; any other request is
 * read out of the pipe whole.
 */
final class Worker implements Runnable {
    /** A WRITE's header and fuse_write_in: what is read out of the pipe before the payload. */
    private static final int WRITE_HEAD = Fuse.IN_HEADER + Fuse.WRITE_IN;

    private final DirectSession session;
    private final int fd;
    private final int requestBytes;
    private final boolean spliceRequests;
    private final InFlight inFlight = new InFlight();

    Worker(DirectSession session, int fd, int requestBytes, boolean spliceRequests) {
        this.session = session;
        this.fd = fd;
        this.requestBytes = requestBytes;
        this.spliceRequests = spliceRequests;
    }

    int fd() {
        return fd;
    }

    /** Interrupts the thread if it is handling request {@code unique}; returns whether it was. */
    boolean interruptIfHandling(long unique) {
        return inFlight.interruptIfHandling(unique);
    }

    @Override
    public void run() {
        inFlight.bindToCurrentThread();
        ByteBuffer in = ByteBuffer.allocateDirect(requestBytes);
        ByteBuffer outBuf = ByteBuffer.allocateDirect(Reply.CAPACITY);
        ReplySender sender = null;
        try {
            Request q = new Request(in, Splice.address(in));
            Reply out = new Reply(outBuf, Splice.address(outBuf), fd, session.timeouts());
            sender = new ReplySender(out, session.donate(), session.counters());
            PipePrefix.CURRENT.set(sender);
            Dispatcher d = session.dispatcher();
            while (true) {
                int pipeRead = spliceRequests ? readBySplice(q) : readToMemory(q);
                if (pipeRead == ENDED) {
                    break;
                }
                inFlight.begin(q.unique());
                d.handle(q, out, sender, pipeRead);
                inFlight.end();
            }
        } catch (NativeIoException e) {
            session.workerFailed(e);
        } catch (Throwable t) {
            session.workerFailed(t);
        } finally {
            if (sender != null) {
                sender.close();
            }
            PipePrefix.CURRENT.remove();
            try {
                ThreadPipe.release();
            } catch (NativeIoException ignored) {
                // the thread ends; its pipe is closed by the thread-exit destructor anyway
            }
            session.workerEnded(this);
        }
    }

    private static final int ENDED = -2;
    private static final int IN_MEMORY = -1;

    private int readToMemory(Request q) throws NativeIoException {
        long n;
        try {
            n = FuseDevice.read(fd, q.address, requestBytes);
        } catch (NativeIoException e) {
            if (e.errno() == Errno.ENODEV) {
                return ENDED;
            }
            throw e;
        }
        q.filled((int) n);
        return IN_MEMORY;
    }

    /**
     * Returns the pipe's read fd when a WRITE's payload waits in it, else
     * IN_MEMORY (or ENDED). Without a pipe that holds the largest request
     * (pipe-max-size lowered below it) the request is read into memory and
     * its payload written from there, counted as copied by the core.
     */
    private int readBySplice(Request q) throws NativeIoException {
        long fds;
        try {
            fds = ThreadPipe.acquire(RspliceReader.pipeCapacityFor(requestBytes));
        } catch (NativeIoException e) {
            session.counters().requestPipeRefused();
            return readToMemory(q);
        }
        long n;
        try {
            n = FuseDevice.spliceRequest(fd, PipeFds.writeFd(fds), requestBytes);
        } catch (NativeIoException e) {
            if (e.errno() == Errno.ENODEV) {
                return ENDED;
            }
            throw e;
        }
        int r = PipeFds.readFd(fds);
        long head = Math.min(n, WRITE_HEAD);
        long got = FuseDevice.pipeRead(r, q.address, head);
        q.filled((int) got);
        if (got == WRITE_HEAD && q.opcode() == Fuse.WRITE && n > WRITE_HEAD) {
            q.filledHead((int) got, (int) n);
            return r;
        }
        if (n > got) {
            got += FuseDevice.pipeRead(r, q.address + got, Math.min(n, requestBytes) - got);
            q.filled((int) got);
        }
        return IN_MEMORY;
    }
}
