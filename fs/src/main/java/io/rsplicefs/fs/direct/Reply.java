package io.rsplicefs.fs.direct;

import io.rsplicefs.nativeio.FileStat;
import io.rsplicefs.nativeio.FuseDevice;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One worker's reply buffer in native memory: the 16-byte header, then the
 * body the handler appends with the typed puts. {@link #send} writes header
 * and body with one writev; {@link #sendWith} appends a payload from other
 * memory. Reused for every reply of the worker.
 */
final class Reply {
    /** Room for the largest small reply: a 64 KiB xattr value or name list, a readdir page set. */
    static final int CAPACITY = 128 * 1024 + 4096;

    final ByteBuffer buf;
    final long address;
    private final int devFd;
    private final Timeouts timeouts;
    /** The ring entry the request came in (io_uring transport), or null: replies go to /dev/fuse. */
    private final RingSlot ring;
    private long unique;
    private boolean sent;
    private long result;

    Reply(ByteBuffer direct, long address, int devFd, Timeouts timeouts) {
        this(direct, address, devFd, timeouts, null);
    }

    /** A reply that goes back into the ring entry of {@code ring} instead of to /dev/fuse. */
    Reply(ByteBuffer direct, long address, int devFd, Timeouts timeouts, RingSlot ring) {
        this.buf = direct.order(ByteOrder.LITTLE_ENDIAN);
        this.address = address;
        this.devFd = devFd;
        this.timeouts = timeouts;
        this.ring = ring;
    }

    /** The ring entry replies go to, or null on /dev/fuse. */
    RingSlot ring() {
        return ring;
    }

    /** Header and body as one writev, or copied into the ring entry (the commit goes with the worker's next wait). */
    private long deliver(int headLen, long body, long bodyLen) {
        return ring == null ? FuseDevice.writev(devFd, address, headLen, body, bodyLen)
                : ring.commit(address, headLen, body, bodyLen);
    }

    /** Starts the reply to request {@code unique}: the body is empty. */
    void start(long unique) {
        this.unique = unique;
        this.sent = false;
        this.result = 0;
        buf.clear();
        buf.position(Fuse.OUT_HEADER);
    }

    boolean sent() {
        return sent;
    }

    /** The device's answer to the last send: bytes written, or -errno. */
    long result() {
        return result;
    }

    /**
     * Records a send's device result. Only a reply the kernel took counts as
     * the answer (or one it had no use for: ENOENT, the request was
     * interrupted); after any other failure the request is still unanswered
     * and the worker answers it with an error.
     */
    void sentAs(long deviceResult) {
        result = deviceResult;
        sent = deviceResult >= 0 || deviceResult == -ENOENT;
    }

    private static final int ENOENT = 2;

    long unique() {
        return unique;
    }

    int bodyLength() {
        return buf.position() - Fuse.OUT_HEADER;
    }

    /** Bytes the body can still take. */
    int room() {
        return buf.capacity() - buf.position();
    }

    Reply u32(int v) {
        buf.putInt(v);
        return this;
    }

    Reply u64(long v) {
        buf.putLong(v);
        return this;
    }

    Reply bytes(byte[] b) {
        buf.put(b);
        return this;
    }

    Reply zeros(int n) {
        for (int i = 0; i < n; i++) {
            buf.put((byte) 0);
        }
        return this;
    }

    /** struct fuse_attr (88 bytes). */
    Reply attr(FileStat s) {
        buf.putLong(s.ino()).putLong(s.size()).putLong(s.blocks())
                .putLong(s.atimeSec()).putLong(s.mtimeSec()).putLong(s.ctimeSec())
                .putInt((int) s.atimeNsec()).putInt((int) s.mtimeNsec()).putInt((int) s.ctimeNsec())
                .putInt(s.mode()).putInt((int) s.nlink()).putInt(s.uid()).putInt(s.gid())
                .putInt((int) s.rdev()).putInt((int) s.blksize()).putInt(0);
        return this;
    }

    /** struct fuse_entry_out (128 bytes). */
    Reply entry(long nodeid, FileStat s) {
        long e = timeouts.entryNanos();
        long a = timeouts.attrNanos();
        buf.putLong(nodeid).putLong(0).putLong(e / 1_000_000_000L).putLong(a / 1_000_000_000L)
                .putInt((int) (e % 1_000_000_000L)).putInt((int) (a % 1_000_000_000L));
        return attr(s);
    }

    /**
     * A negative entry (node id 0): the name does not exist, and the kernel
     * may remember that for negative_timeout. Returns false when that is 0
     * (the caller answers ENOENT instead).
     */
    boolean negativeEntry() {
        long n = timeouts.negativeNanos();
        if (n == 0) {
            return false;
        }
        buf.putLong(0).putLong(0).putLong(n / 1_000_000_000L).putLong(0).putInt((int) (n % 1_000_000_000L)).putInt(0);
        zeros(Fuse.ATTR);
        return true;
    }

    /** struct fuse_attr_out (104 bytes). */
    Reply attrOut(FileStat s) {
        long a = timeouts.attrNanos();
        buf.putLong(a / 1_000_000_000L).putInt((int) (a % 1_000_000_000L)).putInt(0);
        return attr(s);
    }

    private void header(int error, long bodyLen) {
        buf.putInt(0, (int) (Fuse.OUT_HEADER + bodyLen));
        buf.putInt(4, error);
        buf.putLong(8, unique);
    }

    /** Sends header and body; returns the raw writev result (-errno on failure). */
    long send() {
        int body = bodyLength();
        header(0, body);
        sentAs(deliver(Fuse.OUT_HEADER + body, 0, 0));
        return result;
    }

    /** Sends an error reply (errno positive). */
    long error(int errno) {
        header(-errno, 0);
        sentAs(deliver(Fuse.OUT_HEADER, 0, 0));
        return result;
    }

    /** Sends the header and {@code len} bytes of payload at native {@code payload}. */
    long sendWith(long payload, long len) {
        header(0, len);
        sentAs(deliver(Fuse.OUT_HEADER, payload, len));
        return result;
    }

    /**
     * Writes the header of a reply with a {@code len}-byte payload that travels
     * in a pipe and returns its address; the caller sends it and reports the
     * result with {@link #sentAs} (until then the request counts as unanswered).
     */
    long pipedHeader(long len) {
        header(0, len);
        return address;
    }

    /** Marks the request answered without a reply (FORGET, an interrupted request). */
    void noReply() {
        sent = true;
    }

    int devFd() {
        return devFd;
    }
}
