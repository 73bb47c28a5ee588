package io.rsplicefs.fs.direct;

import io.rsplicefs.fs.core.Caller;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * One worker's request buffer in native memory and a view of the request in
 * it: the header fields and typed reads of the body. Reused for every request
 * the worker reads; nothing is allocated unless a name or caller is asked for.
 */
final class Request implements Supplier<Caller> {
    final ByteBuffer buf;
    final long address;
    private int length;
    private int total;
    /** Where a WRITE's payload is when it stayed in a ring entry's payload buffer (0: in this buffer). */
    private long payloadAddress;

    Request(ByteBuffer direct, long address) {
        this.buf = direct.order(ByteOrder.LITTLE_ENDIAN);
        this.address = address;
    }

    int capacity() {
        return buf.capacity();
    }

    /** The request just read is {@code n} bytes long. */
    void filled(int n) {
        length = n;
        total = n;
        payloadAddress = 0;
    }

    /**
     * io_uring transport: the header and the opcode's arguments ({@code inBuffer}
     * bytes) are here, and the rest of the {@code total}-byte request (a WRITE's
     * payload) stays in the ring entry's payload buffer at {@code payload}.
     */
    void filledFromRing(int inBuffer, int total, long payload) {
        this.length = inBuffer;
        this.total = total;
        this.payloadAddress = payload;
    }

    /** Only the first {@code inBuffer} of the request's {@code total} bytes are here (a WRITE's payload waits in a pipe). */
    void filledHead(int inBuffer, int total) {
        this.length = inBuffer;
        this.total = total;
        this.payloadAddress = 0;
    }

    int length() {
        return length;
    }

    /** The whole request's length, also the part that stayed in a pipe. */
    int totalLength() {
        return total;
    }

    /** Whether the request is whole: at least a header, and the length it declares is what was read. */
    boolean wellFormed() {
        return length >= Fuse.IN_HEADER && buf.getInt(Fuse.IN_LEN) == total;
    }

    int opcode() {
        return buf.getInt(Fuse.IN_OPCODE);
    }

    long unique() {
        return buf.getLong(Fuse.IN_UNIQUE);
    }

    long nodeid() {
        return buf.getLong(Fuse.IN_NODEID);
    }

    int uid() {
        return buf.getInt(Fuse.IN_UID);
    }

    int gid() {
        return buf.getInt(Fuse.IN_GID);
    }

    int pid() {
        return buf.getInt(Fuse.IN_PID);
    }

    /** The request's caller (asked by the core only when it needs it). */
    @Override
    public Caller get() {
        return new Caller(uid(), gid(), pid());
    }

    /** Body bytes (after the 40-byte header). */
    int bodyLength() {
        return length - Fuse.IN_HEADER;
    }

    /** A field of the body; throws {@link Malformed} when the body is shorter than the field. */
    int u32(int off) {
        need(off + 4);
        return buf.getInt(Fuse.IN_HEADER + off);
    }

    long u64(int off) {
        need(off + 8);
        return buf.getLong(Fuse.IN_HEADER + off);
    }

    void need(int bodyBytes) {
        if (bodyBytes > bodyLength()) {
            throw new Malformed(Fuse.opName(opcode()) + " body of " + bodyLength() + " bytes, needs " + bodyBytes);
        }
    }

    /** The NUL-terminated name at body offset {@code off}. */
    String name(int off) {
        int end = nameEnd(off);
        byte[] b = new byte[end - off];
        buf.get(Fuse.IN_HEADER + off, b);
        return new String(b, StandardCharsets.UTF_8);
    }

    /** The body offset of the NUL that ends the name at {@code off}. */
    int nameEnd(int off) {
        int limit = bodyLength();
        for (int i = off; i < limit; i++) {
            if (buf.get(Fuse.IN_HEADER + i) == 0) {
                return i;
            }
        }
        throw new Malformed(Fuse.opName(opcode()) + ": name without its terminating NUL");
    }

    /** {@code n} body bytes at {@code off} as an array (xattr values: at most 64 KiB, bounded by the kernel). */
    byte[] bytes(int off, int n) {
        need(off + n);
        byte[] b = new byte[n];
        buf.get(Fuse.IN_HEADER + off, b);
        return b;
    }

    /**
     * The native address of a WRITE's {@code size}-byte payload, behind its
     * fuse_write_in: in this buffer, or in the ring entry it came in.
     */
    long writePayload(int size) {
        if (payloadAddress != 0) {
            if (size != total - length) {
                throw new Malformed("WRITE of " + size + " bytes with a payload of " + (total - length));
            }
            return payloadAddress;
        }
        need(Fuse.WRITE_IN + size);
        return bodyAddress(Fuse.WRITE_IN);
    }

    /** The native address of body offset {@code off} (a WRITE's payload). */
    long bodyAddress(int off) {
        return address + Fuse.IN_HEADER + off;
    }

    /** A request shorter than its opcode's arguments, or a name without its NUL: answered EIO and counted. */
    static final class Malformed extends RuntimeException {
        Malformed(String message) {
            super(message, null, false, false);
        }
    }
}
