package io.rsplicefs.fs.direct;

import io.rsplicefs.fs.Errno;
import io.rsplicefs.fs.read.ReplyMemory;
import io.rsplicefs.fs.read.RspliceReader;
import io.rsplicefs.fs.reply.PipePrefix;
import io.rsplicefs.fs.reply.ReadReply;
import io.rsplicefs.nativeio.FuseDevice;
import io.rsplicefs.nativeio.NativeIoException;
import io.rsplicefs.nativeio.Pipe;
import io.rsplicefs.nativeio.PipeFds;
import io.rsplicefs.nativeio.Splice;
import io.rsplicefs.nativeio.ThreadPipe;

/**
 * Sends one worker's read replies to /dev/fuse, whatever the read path made
 * of them, and tells each reply when it was handed over (just before the
 * send: the LRU flush must run before the kernel looks at the pages) and
 * consumed (the send returned: the kernel has taken or copied the pages).
 * <ul>
 * <li>Memory: header and bytes in one writev; the memory is freed.</li>
 * <li>File range (fd path): header written into the worker's pipe, the range
 * spliced in behind it, the pipe spliced into the device: one pipe, one
 * message (see rsplice_fuse.c).</li>
 * <li>Filled pipe (rsplice): the reader already queued the header through this
 * worker's {@link PipePrefix}; the pipe goes into the device as it is. A pipe
 * filled without the header (gift) is spliced behind a header in a second pipe.</li>
 * </ul>
 * SPLICE_F_MOVE is passed when donating, so the kernel may move whole pages.
 */
final class ReplySender implements PipePrefix {
    private final Reply reply;
    private final int spliceFlags;
    private final EngineCounters counters;
    /** A second pipe, made only for payloads queued without the header (the gift experiment). */
    private Pipe headerPipe;

    ReplySender(Reply reply, boolean donate, EngineCounters counters) {
        this.reply = reply;
        this.spliceFlags = donate ? Splice.F_MOVE : 0;
        this.counters = counters;
    }

    /** PipePrefix: the reply header for a payload of {@code payloadLength} bytes, queued in the pipe. */
    @Override
    public int write(int pipeWriteFd, long payloadLength) throws NativeIoException {
        long header = reply.pipedHeader(payloadLength);
        long n = FuseDevice.writev(pipeWriteFd, header, Fuse.OUT_HEADER, 0, 0);
        if (n != Fuse.OUT_HEADER) {
            throw new NativeIoException("write reply header to pipe", n < 0 ? (int) -n : Errno.EIO);
        }
        return Fuse.OUT_HEADER;
    }

    /**
     * Sends {@code r} as the answer to the current request; returns the raw
     * device result. A pipe send the device refused (other than ENOENT: the
     * request was interrupted) leaves the request unanswered, so the worker
     * answers it with an error.
     */
    long send(ReadReply r) throws NativeIoException {
        long n = deliver(r);
        reply.sentAs(n);
        return n;
    }

    private long deliver(ReadReply r) throws NativeIoException {
        r.handedOver();
        try {
            ReadReply.Payload p = r.payload();
            if (reply.ring() != null) {
                return intoRing(reply.ring(), p);
            }
            if (p instanceof ReadReply.Memory m) {
                try {
                    return reply.sendWith(m.address(), m.length());
                } finally {
                    ReplyMemory.free(m.base());
                }
            }
            if (p instanceof ReadReply.FileRange f) {
                return sendRange(f);
            }
            return sendPipe((ReadReply.FilledPipe) p);
        } finally {
            r.consumed();
        }
    }

    /**
     * io_uring transport: the reply's data goes into the ring entry's payload
     * buffer, a copy in every case (6.18 has no way to hand the kernel pages
     * for a ring reply): a file range is pread straight into it (the fd path's
     * one copy), a filled pipe read out of it, memory copied.
     */
    private long intoRing(RingSlot slot, ReadReply.Payload p) throws NativeIoException {
        if (p instanceof ReadReply.Memory m) {
            try {
                return reply.sendWith(m.address(), m.length());
            } finally {
                ReplyMemory.free(m.base());
            }
        }
        long buf = slot.payloadAddress();
        if (p instanceof ReadReply.FileRange f) {
            long n = Splice.preadFully(f.fd(), buf, Math.min(f.length(), slot.payloadCapacity()), f.position());
            return reply.sendWith(buf, n);
        }
        ReadReply.FilledPipe fp = (ReadReply.FilledPipe) p;
        if (fp.prefixLength() != 0 || fp.length() > slot.payloadCapacity()) {
            ThreadPipe.release(); // not filled for this transport: drop what is queued
            throw new NativeIoException("ring reply from a pipe of " + fp.length() + " bytes", Errno.EIO);
        }
        long n = FuseDevice.pipeRead(fp.readFd(), buf, fp.length());
        return reply.sendWith(buf, n);
    }

    private long sendRange(ReadReply.FileRange f) throws NativeIoException {
        long want = f.length();
        for (int attempt = 0; attempt < 2; attempt++) {
            long fds = ThreadPipe.acquire(RspliceReader.pipeCapacityFor(want));
            long header = reply.pipedHeader(want);
            long n = FuseDevice.sendRange(reply.devFd(), PipeFds.readFd(fds), PipeFds.writeFd(fds), header, f.fd(),
                    f.position(), want, spliceFlags);
            if (!FuseDevice.shortBy(n)) {
                return n;
            }
            // The file is shorter than the range named (its end moved): declare what it has.
            want = FuseDevice.shortCount(n);
            if (want == 0) {
                return reply.sendWith(0, 0);
            }
        }
        counters.shortRangeCopied();
        long mem = ReplyMemory.allocate(want);
        try {
            long n = Splice.preadFully(f.fd(), mem, want, f.position());
            return reply.sendWith(mem, n);
        } finally {
            ReplyMemory.free(mem);
        }
    }

    private long sendPipe(ReadReply.FilledPipe p) throws NativeIoException {
        if (p.prefixLength() > 0) {
            long n = FuseDevice.sendPipe(p.readFd(), reply.devFd(), p.prefixLength() + p.length(), spliceFlags);
            if (n < 0) {
                ThreadPipe.release(); // a failed send may leave the reply queued
            }
            return n;
        }
        if (headerPipe == null) {
            headerPipe = Pipe.create();
            headerPipe.setCapacity(RspliceReader.pipeCapacityFor(p.length()));
        } else if (headerPipe.capacity() < RspliceReader.pipeCapacityFor(p.length())) {
            headerPipe.setCapacity(RspliceReader.pipeCapacityFor(p.length()));
        }
        write(headerPipe.writeFd(), p.length());
        Splice.spliceFully(p.readFd(), Splice.NO_OFFSET, headerPipe.writeFd(), Splice.NO_OFFSET, p.length(), 0);
        long n = FuseDevice.sendPipe(headerPipe.readFd(), reply.devFd(), Fuse.OUT_HEADER + p.length(), spliceFlags);
        if (n < 0) {
            headerPipe.drain();
        }
        return n;
    }

    /** Closes the second pipe, if one was made. */
    void close() {
        if (headerPipe != null) {
            try {
                headerPipe.close();
            } catch (NativeIoException ignored) {
                // closing at worker exit: nothing left to protect
            }
            headerPipe = null;
        }
    }
}
