package io.rsplicefs.fs.direct;

import io.rsplicefs.nativeio.FuseRing;

/**
 * The ring entry a {@link RingWorker} is answering: where its reply goes
 * (copied into the entry, then COMMIT_AND_FETCH with the request's commit id,
 * queued for the worker's next wait) and where a READ's data can be put
 * directly (the entry's payload buffer).
 */
final class RingSlot {
    private final FuseRing ring;
    private final int devFd;
    private final int qid;
    private int entry = -1;
    private long commitId;
    private boolean committed;

    RingSlot(FuseRing ring, int devFd, int qid) {
        this.ring = ring;
        this.devFd = devFd;
        this.qid = qid;
    }

    /** The request of {@code commitId} came in entry {@code e}; nothing committed yet. */
    void start(int e, long commitId) {
        this.entry = e;
        this.commitId = commitId;
        this.committed = false;
    }

    boolean committed() {
        return committed;
    }

    /** The entry's payload buffer: a READ's data is put here and committed in place. */
    long payloadAddress() {
        return ring.payloadAddress(entry);
    }

    long payloadCapacity() {
        return ring.payloadBytes();
    }

    /**
     * Copies the reply (16-byte header and body at {@code head}, then
     * {@code bodyLen} bytes at {@code body}) into the entry and queues its
     * commit. Raw result as a device write's: bytes, or -errno (ERANGE: too
     * large for the entry; the caller answers with an error instead). A
     * second commit for one request is refused (EALREADY): the entry has
     * gone back to the kernel.
     */
    long commit(long head, int headLen, long body, long bodyLen) {
        if (committed) {
            return -EALREADY;
        }
        long n = ring.commit(devFd, qid, entry, commitId, head, headLen, body, bodyLen);
        committed = n >= 0;
        return n;
    }

    /**
     * Answers a zero-copied READ whose {@code n} bytes a read-fixed put into the
     * reader's pages: the header alone goes into the entry, with
     * out.len - 16 = payload_sz = n (the kernel then takes the pages as
     * filled and copies nothing). {@code header}: 16 bytes of native memory to build it in.
     */
    long commitFilled(long header, java.nio.ByteBuffer headerBuf, long unique, int n) {
        headerBuf.putInt(0, Fuse.OUT_HEADER + n).putInt(4, 0).putLong(8, unique);
        return commit(header, Fuse.OUT_HEADER, payloadAddress(), n);
    }

    private static final int EALREADY = 114;
}
