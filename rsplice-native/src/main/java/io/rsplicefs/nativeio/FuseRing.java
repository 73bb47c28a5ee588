package io.rsplicefs.nativeio;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One FUSE-over-io_uring queue's ring (Linux 6.14+; rsplice_uring.c): an
 * io_uring made for FUSE's 128-byte command SQEs, and its entries' memory in
 * native memory owned by the ring, each entry a header buffer (struct
 * fuse_uring_req_header) and a payload buffer. Commands are queued and go to
 * the kernel with the next {@link #await}. Used by one thread; not thread-safe.
 */
public final class FuseRing implements AutoCloseable {
    static {
        NativeLibrary.ensureAvailable();
    }

    private static final int[] LAYOUT = NativeMethods.uringLayout();
    /** sizeof(struct fuse_uring_req_header). */
    public static final int HEADER_SIZE = LAYOUT[0];
    /** Offset of in_out (fuse_in_header in, fuse_out_header out) in the header buffer. */
    public static final int IN_OUT = LAYOUT[1];
    /** Offset of op_in (the opcode's argument struct). */
    public static final int OP_IN = LAYOUT[2];
    /** Offset of ring_ent_in_out. */
    public static final int ENT_IN_OUT = LAYOUT[3];
    /** Offsets in ring_ent_in_out of commit_id (u64) and payload_sz (u32). */
    public static final int ENT_COMMIT_ID = LAYOUT[3] + LAYOUT[4];
    public static final int ENT_PAYLOAD_SIZE = LAYOUT[3] + LAYOUT[5];
    /** Room for the opcode's argument struct. */
    public static final int OP_IN_SIZE = LAYOUT[6];
    /** Bytes between two entries' header buffers. */
    public static final int HEADER_STRIDE = LAYOUT[7];
    /** The INIT flag bit (in flags | flags2 << 32) of FUSE_OVER_IO_URING. */
    public static final long INIT_FLAG = 1L << LAYOUT[8];

    // FUSE 7.46 (Linux 7.3): io_uring buffer pools and zero copy, as rsplice_uring.c has them from fuse.h.
    /** The INIT flag bit of FUSE_HAS_IO_URING_BUFPOOL: the kernel takes bufpool queues (and zero copy on them). */
    public static final long BUFPOOL_INIT_FLAG = 1L << LAYOUT[9];
    /** Offset of ring_ent_in_out.flags (FUSE_URING_ENT_ZERO_COPY) in the header buffer. */
    public static final int ENT_FLAGS = LAYOUT[3] + LAYOUT[10];
    /** Offset of ring_ent_in_out.offset (the payload's offset in the queue's bufpool). */
    public static final int ENT_POOL_OFFSET = LAYOUT[3] + LAYOUT[11];
    /** ring_ent_in_out.flags: this request's pages sit at the entry's registered-buffer slot. */
    public static final long ENT_ZERO_COPY = LAYOUT[12];
    /** The open reply's FOPEN_IO_URING_ZERO_COPY. */
    public static final int FOPEN_ZERO_COPY = LAYOUT[13];
    /** ADD_QUEUE's FUSE_URING_ZERO_COPY flag. */
    public static final long QUEUE_ZERO_COPY = LAYOUT[14];
    /** The commands FUSE_IO_URING_CMD_ADD_QUEUE and FUSE_IO_URING_CMD_ADD_BUFPOOL. */
    public static final int CMD_ADD_QUEUE = LAYOUT[15];
    public static final int CMD_ADD_BUFPOOL = LAYOUT[16];
    /** sizeof(struct fuse_uring_cmd_req) of 7.46 (40: the bufpool / zero-copy slot union after qid). */
    public static final int CMD_REQ_SIZE = LAYOUT[17];

    /** {@link #await} found no completion (without waiting). */
    public static final int NONE = -2;

    private final long ring;
    private final int depth;
    private final long payloadBytes;
    private final ByteBuffer headers;
    private final ByteBuffer payloads;
    private final long payloadBase;
    private boolean closed;

    private FuseRing(long ring, int depth, long payloadBytes) throws NativeIoException {
        this.ring = ring;
        this.depth = depth;
        this.payloadBytes = payloadBytes;
        this.headers = NativeMethods.uringBuffer(ring, 0).order(ByteOrder.LITTLE_ENDIAN);
        this.payloads = NativeMethods.uringBuffer(ring, 1).order(ByteOrder.LITTLE_ENDIAN);
        this.payloadBase = Splice.address(payloads);
    }

    /** io_uring_setup with SQE128 for {@code depth} entries, and their buffers ({@code payloadBytes} each). */
    public static FuseRing open(int depth, long payloadBytes) throws NativeIoException {
        long r = Errors.check("io_uring_setup (SQE128, " + depth + " entries)", NativeMethods.uringOpen(depth,
                payloadBytes));
        return new FuseRing(r, depth, payloadBytes);
    }

    public int depth() {
        return depth;
    }

    public long payloadBytes() {
        return payloadBytes;
    }

    /** The header buffers, entry {@code e} at {@code e * HEADER_STRIDE} (little-endian, as the kernel writes them). */
    public ByteBuffer headers() {
        return headers;
    }

    /** The payload buffers, entry {@code e} at {@code e * payloadBytes()}. */
    public ByteBuffer payloads() {
        return payloads;
    }

    /** The native address of entry {@code e}'s payload buffer. */
    public long payloadAddress(int e) {
        return payloadBase + e * payloadBytes;
    }

    /** Queues FUSE_IO_URING_CMD_REGISTER of entry {@code e} on queue {@code qid} of the connection of {@code devFd}. */
    public void register(int devFd, int qid, int e) throws NativeIoException {
        Errors.check("queue FUSE_IO_URING_CMD_REGISTER", NativeMethods.uringRegister(ring, devFd, qid, e));
    }

    /**
     * Copies a reply into entry {@code e} (the 16-byte fuse_out_header and the
     * rest of {@code seg1}, then {@code seg2}, which may already be the entry's
     * payload buffer) and queues COMMIT_AND_FETCH with {@code commitId}.
     * Raw result: the payload size, or -errno (ERANGE: the reply is larger
     * than the payload buffer; nothing queued).
     */
    public long commit(int devFd, int qid, int e, long commitId, long seg1, int len1, long seg2, long len2) {
        return NativeMethods.uringCommit(ring, devFd, qid, e, commitId, seg1, len1, seg2, len2);
    }

    /**
     * Sends what is queued and, with {@code wait}, waits for a completion.
     * Returns it packed: {@link #entry} and {@link #result}; {@link #entry} is
     * {@link #NONE} when there was none (without wait).
     */
    public long await(boolean wait) throws NativeIoException {
        long v = NativeMethods.uringWait(ring, wait);
        if (entry(v) == -1) {
            throw new NativeIoException("io_uring_enter", -result(v));
        }
        return v;
    }

    /**
     * Makes the ring's registered-buffer table: {@code slots} empty slots
     * (zero copy: slot 0 for the bufpool, one per entry for the kernel to fill).
     */
    public void sparseBuffers(int slots) throws NativeIoException {
        Errors.check("io_uring_register BUFFERS2 (sparse, " + slots + " slots)",
                NativeMethods.uringSparseBuffers(ring, slots));
    }

    /** Puts {@code len} bytes at native address {@code addr} into slot {@code slot} (len 0 empties it). */
    public void setBuffer(int slot, long addr, long len) throws NativeIoException {
        Errors.check("io_uring_register BUFFERS_UPDATE (slot " + slot + ")",
                NativeMethods.uringSetBuffer(ring, slot, addr, len));
    }

    /**
     * Queues IORING_OP_READ_FIXED of {@code len} bytes of {@code fd} at
     * {@code off} into registered slot {@code slot} at {@code addr} (inside a
     * user buffer: its address; inside pages the kernel registered: the offset
     * from 0). It goes with the next {@link #await}; its completion has entry
     * {@code tag} and the bytes read (or -errno) as result.
     */
    public void readFixed(int fd, long off, int slot, long addr, int len, int tag) throws NativeIoException {
        Errors.check("queue IORING_OP_READ_FIXED", NativeMethods.uringReadFixed(ring, fd, off, slot, addr, len, tag));
    }

    /**
     * Queues IORING_OP_WRITE_FIXED of {@code len} bytes from registered slot
     * {@code slot} at {@code addr} (as {@link #readFixed}) into {@code fd} at
     * {@code off}. It goes with the next {@link #await}; its completion has
     * entry {@code tag} and the bytes written (or -errno) as result.
     */
    public void writeFixed(int fd, long off, int slot, long addr, int len, int tag) throws NativeIoException {
        Errors.check("queue IORING_OP_WRITE_FIXED", NativeMethods.uringWriteFixed(ring, fd, off, slot, addr, len, tag));
    }

    /**
     * FUSE_IO_URING_CMD_ADD_QUEUE (FUSE 7.46) for {@code qid}, sent and
     * answered now (before any REGISTER): the queue is bound to this ring;
     * with {@code zeroCopy} it is a zero-copy queue (CAP_SYS_ADMIN, a
     * registered bufpool). Raw result: 0 or -errno.
     */
    public int addQueue(int devFd, int qid, boolean zeroCopy) {
        return NativeMethods.uringAddQueue(ring, devFd, qid, zeroCopy);
    }

    /**
     * FUSE_IO_URING_CMD_ADD_BUFPOOL for {@code qid}, sent and answered now:
     * the payload buffers (already slot 0 of the buffer table, see
     * {@link #usePayloadsAsPool}) become the queue's pool. Raw result: 0 or -errno.
     */
    public int addBufpool(int devFd, int qid) {
        return NativeMethods.uringAddBufpool(ring, devFd, qid);
    }

    /**
     * Zero copy's buffer table: slot 0 the payload buffers (the bufpool, one
     * region), slots 1..depth empty for the kernel to put each entry's reader
     * pages in. Before ADD_BUFPOOL.
     */
    public void usePayloadsAsPool() throws NativeIoException {
        sparseBuffers(1 + depth);
        setBuffer(0, payloadBase, depth * payloadBytes);
    }

    /** The entry of a completion from {@link #await}. */
    public static int entry(long completion) {
        return (int) completion;
    }

    /** The result of a completion: 0 when a request waits in the entry, else -errno. */
    public static int result(long completion) {
        return (int) (completion >> 32);
    }

    /** Closes the ring: the kernel cancels the commands still registered; the entries' memory is freed. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            NativeMethods.uringClose(ring);
        }
    }
}
