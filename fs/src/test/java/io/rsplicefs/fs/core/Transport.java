package io.rsplicefs.fs.core;

import com.kenai.jffi.MemoryIO;
import io.rsplicefs.fs.read.ReplyMemory;
import io.rsplicefs.fs.reply.ReadReply;
import io.rsplicefs.nativeio.NativeIoException;
import io.rsplicefs.nativeio.Splice;
import java.io.FileInputStream;
import java.io.IOException;

/**
 * A fake front end's transport: "sends" a reply by taking its bytes the way
 * the kernel would (from memory, a file range, or the filled pipe), then
 * tells the reply it was handed over and consumed, as a front end that
 * writes to /dev/fuse itself does when its write returned.
 */
final class Transport {
    private static final MemoryIO IO = MemoryIO.getInstance();

    private Transport() {
    }

    /** The reply's bytes, without ending its life (the caller decides when it is consumed). */
    static byte[] take(ReadReply reply) throws IOException, NativeIoException {
        ReadReply.Payload p = reply.payload();
        byte[] out = new byte[(int) p.length()];
        if (p instanceof ReadReply.Memory m) {
            IO.getByteArray(m.address(), out, 0, out.length);
            ReplyMemory.free(m.base());
        } else if (p instanceof ReadReply.FileRange r) {
            long mem = ReplyMemory.allocate(out.length);
            try {
                long n = Splice.preadFully(r.fd(), mem, r.length(), r.position());
                IO.getByteArray(mem, out, 0, (int) n);
                if (n < out.length) {
                    out = java.util.Arrays.copyOf(out, (int) n); // a whole file's fd range may end early
                }
            } finally {
                ReplyMemory.free(mem);
            }
        } else {
            ReadReply.FilledPipe f = (ReadReply.FilledPipe) p;
            try (FileInputStream in = new FileInputStream("/proc/self/fd/" + f.readFd())) {
                int got = 0;
                while (got < out.length) {
                    int n = in.read(out, got, out.length - got);
                    if (n < 0) {
                        throw new IOException("pipe ended after " + got + " of " + out.length + " bytes");
                    }
                    got += n;
                }
            }
        }
        return out;
    }

    /** Sends the reply: takes its bytes, then it is handed over and consumed. */
    static byte[] send(ReadReply reply) throws IOException, NativeIoException {
        reply.handedOver();
        byte[] b = take(reply);
        reply.consumed();
        return b;
    }
}
