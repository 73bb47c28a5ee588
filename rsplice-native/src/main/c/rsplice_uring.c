/*
 * FUSE over io_uring (Linux 6.14+, fs/fuse/dev_uring.c) for the direct engine:
 * one io_uring per FUSE queue, set up with the raw syscalls (io_uring_setup,
 * io_uring_enter, mmap of the rings) so that neither CI nor the 6.1 guest
 * needs liburing. The ring owns its entries' memory: per entry a header
 * buffer (struct fuse_uring_req_header: the in/out header, the opcode's
 * argument struct, the entry's in_out) and a payload buffer, registered with
 * FUSE_IO_URING_CMD_REGISTER as an iovec pair and answered with
 * FUSE_IO_URING_CMD_COMMIT_AND_FETCH. Java reads requests out of these
 * buffers and hands a reply here, which copies it into the entry and queues
 * the commit; the commit goes to the kernel with the next wait, so one
 * io_uring_enter both answers a request and waits for the next one.
 *
 * The protocol is spoken in Java (io.rsplicefs.fs.direct.RingWorker); this
 * file only moves bytes and keeps the ring.
 */
#define _GNU_SOURCE
#include <linux/fuse.h>
#include <linux/io_uring.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "rsplice.h"

/*
 * The uapi of FUSE over io_uring (protocol 7.42, Linux 6.14), for build hosts
 * whose linux/fuse.h predates it (Debian 12's is 7.38). The kernel defines the
 * layout; the sizes are asked from here by the Java side (uringLayout).
 */
#ifndef FUSE_URING_IN_OUT_HEADER_SZ
#define FUSE_URING_IN_OUT_HEADER_SZ 128
#define FUSE_URING_OP_IN_OUT_SZ 128

struct fuse_uring_ent_in_out {
    uint64_t flags;
    uint64_t commit_id; /* the request's unique, given back in the commit */
    uint32_t payload_sz; /* bytes of the payload buffer in use, either way */
    uint32_t padding;
    uint64_t reserved;
};

struct fuse_uring_req_header {
    char in_out[FUSE_URING_IN_OUT_HEADER_SZ]; /* fuse_in_header in, fuse_out_header out */
    char op_in[FUSE_URING_OP_IN_OUT_SZ];      /* the opcode's first argument (fuse_read_in, ...) */
    struct fuse_uring_ent_in_out ring_ent_in_out;
};

enum fuse_uring_cmd {
    FUSE_IO_URING_CMD_INVALID = 0,
    FUSE_IO_URING_CMD_REGISTER = 1,
    FUSE_IO_URING_CMD_COMMIT_AND_FETCH = 2,
};

struct fuse_uring_cmd_req {
    uint64_t flags;
    uint64_t commit_id;
    uint16_t qid;
    uint8_t padding[6];
};
#endif

#ifndef FUSE_OVER_IO_URING
#define FUSE_OVER_IO_URING (1ULL << 41)
#endif

/*
 * FUSE 7.46 (Linux 7.3): io_uring buffer pools and zero copy. Neither Debian
 * 12's header (7.38) nor a 6.14-7.2 one has them; the values and the layout
 * are those of 7.3's include/uapi/linux/fuse.h (linux-libc-dev 7.3.4), and
 * where the build header has them the compiler checks they agree.
 *
 * struct fuse_uring_cmd_req grew a union after its 24 bytes in 7.46: the
 * bufpool (uaddr, len, reserved) of ADD_BUFPOOL, or the entry's zero-copy
 * slot in the server's registered-buffer table (REGISTER on a zero-copy
 * queue). The ent_in_out's padding became the payload's offset in the pool.
 */
#ifndef FUSE_HAS_IO_URING_BUFPOOL
#define FUSE_HAS_IO_URING_BUFPOOL (1ULL << 43)
#define FUSE_URING_ZERO_COPY (1 << 0)     /* ADD_QUEUE flag: CAP_SYS_ADMIN, a registered bufpool */
#define FUSE_URING_ENT_ZERO_COPY (1 << 0) /* ent_in_out.flags: the payload's pages are at the entry's slot */
#define FOPEN_IO_URING_ZERO_COPY (1 << 8) /* open reply: zero-copy this file's READs and WRITEs */
#define FUSE_IO_URING_CMD_ADD_QUEUE 3
#define FUSE_IO_URING_CMD_ADD_BUFPOOL 4
#define RSPLICE_FUSE_746_LOCAL 1
#endif

/* The 7.46 command area, named for this file so that it builds on any header. */
struct rsplice_uring_cmd_req {
    uint64_t flags;
    uint64_t commit_id;
    uint16_t qid;
    uint8_t padding[6];
    union {
        struct {
            uint64_t uaddr;
            uint32_t len;
            uint32_t reserved;
        } bufpool;
        uint16_t ent_zero_copy_buf_index;
    };
};
_Static_assert(offsetof(struct rsplice_uring_cmd_req, bufpool) == 24, "7.46: the union follows qid and padding");
_Static_assert(sizeof(struct rsplice_uring_cmd_req) == 40, "7.46: fuse_uring_cmd_req is 40 bytes");
_Static_assert(offsetof(struct rsplice_uring_cmd_req, qid) == offsetof(struct fuse_uring_cmd_req, qid),
               "the 7.42 part is unchanged");
/* 7.46's ent_in_out.offset is the u32 after payload_sz (7.42's padding). */
#define ENT_OFFSET_OFFSET (offsetof(struct fuse_uring_ent_in_out, payload_sz) + sizeof(uint32_t))
_Static_assert(sizeof(struct fuse_uring_ent_in_out) == 32, "fuse_uring_ent_in_out is 32 bytes");
#ifndef RSPLICE_FUSE_746_LOCAL
/* Built against a 7.46+ header: the local layout must be the kernel's. */
_Static_assert(sizeof(struct fuse_uring_cmd_req) == sizeof(struct rsplice_uring_cmd_req), "7.46 cmd_req size");
_Static_assert(offsetof(struct fuse_uring_cmd_req, bufpool.uaddr) ==
                   offsetof(struct rsplice_uring_cmd_req, bufpool.uaddr), "7.46 bufpool.uaddr");
_Static_assert(offsetof(struct fuse_uring_cmd_req, bufpool.len) == offsetof(struct rsplice_uring_cmd_req, bufpool.len),
               "7.46 bufpool.len");
_Static_assert(offsetof(struct fuse_uring_cmd_req, ent_zero_copy_buf_index) ==
                   offsetof(struct rsplice_uring_cmd_req, ent_zero_copy_buf_index), "7.46 ent_zero_copy_buf_index");
_Static_assert(offsetof(struct fuse_uring_ent_in_out, offset) == ENT_OFFSET_OFFSET, "7.46 ent_in_out.offset");
#endif

/* An SQE128 slot: the 64-byte io_uring_sqe and 64 more bytes of command area. */
#define SQE128_SIZE 128
/* The command area starts at sqe->cmd (offset 48) and is 80 bytes long with SQE128. */
#define SQE_CMD_AREA 80

/* The header buffers are page-aligned, one per entry, in one mapping with the payloads. */
#define HEADER_STRIDE 512

struct uring {
    int fd;
    unsigned depth;
    /* SQ ring */
    void *sq_map;
    size_t sq_map_len;
    unsigned *sq_head, *sq_tail, *sq_mask, *sq_array;
    unsigned char *sqes;
    size_t sqes_len;
    /* CQ ring (the SQ mapping when the kernel has IORING_FEAT_SINGLE_MMAP) */
    void *cq_map;
    size_t cq_map_len;
    unsigned *cq_head, *cq_tail, *cq_mask;
    struct io_uring_cqe *cqes;
    /* SQEs queued and not yet handed to the kernel */
    unsigned pending;
    /* the entries: header buffers, then payload buffers, one mapping */
    unsigned char *mem;
    size_t mem_len;
    size_t payload_len;
    struct iovec *iov; /* two per entry; read by the kernel at REGISTER */
    /*
     * FUSE 7.46: the payload buffers are the queue's bufpool, registered as
     * slot 0 of the ring's buffer table (ADD_BUFPOOL taken). Every later
     * command of the queue must then name that slot (IORING_URING_CMD_FIXED,
     * buf_index 0), REGISTER names an empty payload iovec, and on a zero-copy
     * queue each entry its own slot (1 + entry) for the reader's pages.
     */
    int pool_fixed;
    int zero_copy;
};

static int sys_uring_setup(unsigned entries, struct io_uring_params *p)
{
    return (int)syscall(__NR_io_uring_setup, entries, p);
}

static int sys_uring_enter(int fd, unsigned to_submit, unsigned min_complete, unsigned flags)
{
    return (int)syscall(__NR_io_uring_enter, fd, to_submit, min_complete, flags, NULL, 0);
}

static unsigned char *entry_header(struct uring *r, unsigned ent)
{
    return r->mem + (size_t)ent * HEADER_STRIDE;
}

/* The payloads start on a page of their own: as a registered bufpool they are one page-aligned region. */
static size_t headers_len(const struct uring *r)
{
    return ((size_t)r->depth * HEADER_STRIDE + 4095) & ~(size_t)4095;
}

static unsigned char *entry_payload(struct uring *r, unsigned ent)
{
    return r->mem + headers_len(r) + (size_t)ent * r->payload_len;
}

static void uring_free(struct uring *r)
{
    /* Teardown after a failure or at the end: results of munmap/close cannot be acted on here. */
    if (r->mem != NULL && r->mem != MAP_FAILED) {
        (void)munmap(r->mem, r->mem_len);
    }
    if (r->sqes != NULL && r->sqes != MAP_FAILED) {
        (void)munmap(r->sqes, r->sqes_len);
    }
    if (r->cq_map != NULL && r->cq_map != MAP_FAILED && r->cq_map != r->sq_map) {
        (void)munmap(r->cq_map, r->cq_map_len);
    }
    if (r->sq_map != NULL && r->sq_map != MAP_FAILED) {
        (void)munmap(r->sq_map, r->sq_map_len);
    }
    if (r->fd >= 0) {
        (void)close(r->fd);
    }
    free(r->iov);
    free(r);
}

/*
 * A ring of depth entries (SQE128, as FUSE's command needs), and the
 * entries' memory: depth header buffers and depth payload buffers of
 * payload_len bytes. Returns the ring's address, or -errno.
 */
static jlong uring_open(JNIEnv *env, jclass cls, jint depth, jlong payload_len)
{
    (void)env;
    (void)cls;
    if (depth < 1 || depth > 4096 || payload_len < 4096 || payload_len > (64L << 20)) {
        return -EINVAL;
    }
    struct uring *r = calloc(1, sizeof(*r));
    if (r == NULL) {
        return -ENOMEM;
    }
    r->fd = -1;
    r->depth = (unsigned)depth;
    r->payload_len = (size_t)payload_len;
    r->iov = calloc((size_t)depth * 2, sizeof(struct iovec));
    if (r->iov == NULL) {
        uring_free(r);
        return -ENOMEM;
    }
    struct io_uring_params p;
    memset(&p, 0, sizeof(p));
    p.flags = IORING_SETUP_SQE128;
    r->fd = sys_uring_setup((unsigned)depth, &p);
    if (r->fd < 0) {
        jlong err = RSPLICE_ERR();
        r->fd = -1;
        uring_free(r);
        return err;
    }
    r->sq_map_len = p.sq_off.array + p.sq_entries * sizeof(unsigned);
    r->cq_map_len = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
    int single = (p.features & IORING_FEAT_SINGLE_MMAP) != 0;
    if (single && r->cq_map_len > r->sq_map_len) {
        r->sq_map_len = r->cq_map_len;
    }
    r->sq_map = mmap(NULL, r->sq_map_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd,
                     IORING_OFF_SQ_RING);
    if (r->sq_map == MAP_FAILED) {
        jlong err = RSPLICE_ERR();
        uring_free(r);
        return err;
    }
    if (single) {
        r->cq_map = r->sq_map;
    } else {
        r->cq_map = mmap(NULL, r->cq_map_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd,
                         IORING_OFF_CQ_RING);
        if (r->cq_map == MAP_FAILED) {
            jlong err = RSPLICE_ERR();
            uring_free(r);
            return err;
        }
    }
    r->sqes_len = (size_t)p.sq_entries * SQE128_SIZE;
    r->sqes = mmap(NULL, r->sqes_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQES);
    if (r->sqes == MAP_FAILED) {
        jlong err = RSPLICE_ERR();
        uring_free(r);
        return err;
    }
    unsigned char *sq = r->sq_map;
    unsigned char *cq = r->cq_map;
    r->sq_head = (unsigned *)(sq + p.sq_off.head);
    r->sq_tail = (unsigned *)(sq + p.sq_off.tail);
    r->sq_mask = (unsigned *)(sq + p.sq_off.ring_mask);
    r->sq_array = (unsigned *)(sq + p.sq_off.array);
    r->cq_head = (unsigned *)(cq + p.cq_off.head);
    r->cq_tail = (unsigned *)(cq + p.cq_off.tail);
    r->cq_mask = (unsigned *)(cq + p.cq_off.ring_mask);
    r->cqes = (struct io_uring_cqe *)(cq + p.cq_off.cqes);

    r->mem_len = headers_len(r) + (size_t)depth * r->payload_len;
    r->mem = mmap(NULL, r->mem_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (r->mem == MAP_FAILED) {
        jlong err = RSPLICE_ERR();
        uring_free(r);
        return err;
    }
    for (unsigned e = 0; e < r->depth; e++) {
        r->iov[2 * e].iov_base = entry_header(r, e);
        r->iov[2 * e].iov_len = sizeof(struct fuse_uring_req_header);
        r->iov[2 * e + 1].iov_base = entry_payload(r, e);
        r->iov[2 * e + 1].iov_len = r->payload_len;
    }
    return RSPLICE_ADDR(r);
}

/* A view of the entries' memory: headers (which 0, HEADER_STRIDE bytes each) or payloads (which 1). */
static jobject uring_buffer(JNIEnv *env, jclass cls, jlong ring, jint which)
{
    (void)cls;
    struct uring *r = RSPLICE_PTR(ring);
    if (which == 0) {
        return (*env)->NewDirectByteBuffer(env, r->mem, (jlong)r->depth * HEADER_STRIDE);
    }
    return (*env)->NewDirectByteBuffer(env, entry_payload(r, 0), (jlong)(r->depth * r->payload_len));
}

/* The next free SQE, zeroed, or NULL when the SQ is full (cannot happen: one SQE per entry at most). */
static struct io_uring_sqe *next_sqe(struct uring *r)
{
    unsigned head = __atomic_load_n(r->sq_head, __ATOMIC_ACQUIRE);
    unsigned tail = *r->sq_tail;
    if (tail - head >= *r->sq_mask + 1) {
        return NULL;
    }
    unsigned idx = tail & *r->sq_mask;
    struct io_uring_sqe *sqe = (struct io_uring_sqe *)(r->sqes + (size_t)idx * SQE128_SIZE);
    memset(sqe, 0, SQE128_SIZE);
    r->sq_array[idx] = idx;
    return sqe;
}

static void publish_sqe(struct uring *r)
{
    __atomic_store_n(r->sq_tail, *r->sq_tail + 1, __ATOMIC_RELEASE);
    r->pending++;
}

static int queue_cmd(struct uring *r, int dev_fd, unsigned qid, unsigned ent, uint32_t op, uint64_t commit_id)
{
    if (ent >= r->depth) {
        return -EINVAL;
    }
    struct io_uring_sqe *sqe = next_sqe(r);
    if (sqe == NULL) {
        return -EBUSY;
    }
    sqe->opcode = IORING_OP_URING_CMD;
    sqe->fd = dev_fd;
    sqe->cmd_op = op;
    sqe->user_data = ent;
    struct rsplice_uring_cmd_req req; /* 7.46's layout: its tail is zero, as 7.42-7.45 kernels expect */
    memset(&req, 0, sizeof(req));
    if (op == FUSE_IO_URING_CMD_REGISTER) {
        if (r->pool_fixed) {
            /* Payloads come from the pool: the entry brings none. */
            r->iov[2 * ent + 1].iov_base = NULL;
            r->iov[2 * ent + 1].iov_len = 0;
        }
        sqe->addr = (uint64_t)(uintptr_t)&r->iov[2 * ent];
        sqe->len = 2;
        if (r->zero_copy) {
            req.ent_zero_copy_buf_index = (uint16_t)(1 + ent);
        }
    }
    if (r->pool_fixed) {
        sqe->uring_cmd_flags = IORING_URING_CMD_FIXED;
        sqe->buf_index = 0;
    }
    req.commit_id = commit_id;
    req.qid = (uint16_t)qid;
    _Static_assert(sizeof(req) <= SQE_CMD_AREA, "fuse_uring_cmd_req fits the SQE128 command area");
    memcpy(sqe->cmd, &req, sizeof(req));
    publish_sqe(r);
    return 0;
}

/* Queues FUSE_IO_URING_CMD_REGISTER of entry ent for queue qid (sent with the next wait). */
static jint uring_register(JNIEnv *env, jclass cls, jlong ring, jint dev_fd, jint qid, jint ent)
{
    (void)env;
    (void)cls;
    return queue_cmd(RSPLICE_PTR(ring), dev_fd, (unsigned)qid, (unsigned)ent, FUSE_IO_URING_CMD_REGISTER, 0);
}

/*
 * Answers the request in entry ent: the first 16 bytes at seg1 are the
 * fuse_out_header, the rest of seg1 and then seg2 the reply's arguments,
 * copied into the entry's payload buffer (a seg2 that already is the payload
 * buffer is not copied). Queues COMMIT_AND_FETCH. Returns the payload size,
 * or -ERANGE when the reply does not fit.
 */
static jlong uring_commit(JNIEnv *env, jclass cls, jlong ring, jint dev_fd, jint qid, jint ent, jlong commit_id,
                          jlong seg1, jint len1, jlong seg2, jlong len2)
{
    (void)env;
    (void)cls;
    struct uring *r = RSPLICE_PTR(ring);
    if ((unsigned)ent >= r->depth || len1 < (jint)sizeof(struct fuse_out_header) || len2 < 0) {
        return -EINVAL;
    }
    size_t body1 = (size_t)len1 - sizeof(struct fuse_out_header);
    size_t total = body1 + (size_t)len2;
    if (total > r->payload_len) {
        return -ERANGE;
    }
    struct fuse_uring_req_header *h = (struct fuse_uring_req_header *)entry_header(r, (unsigned)ent);
    unsigned char *payload = entry_payload(r, (unsigned)ent);
    const unsigned char *s1 = RSPLICE_PTR(seg1);
    memcpy(h->in_out, s1, sizeof(struct fuse_out_header));
    if (len2 > 0 && RSPLICE_PTR(seg2) != payload + body1) {
        memmove(payload + body1, RSPLICE_PTR(seg2), (size_t)len2);
    }
    if (body1 > 0) {
        memcpy(payload, s1 + sizeof(struct fuse_out_header), body1);
    }
    h->ring_ent_in_out.payload_sz = (uint32_t)total;
    int rc = queue_cmd(r, dev_fd, (unsigned)qid, (unsigned)ent, FUSE_IO_URING_CMD_COMMIT_AND_FETCH,
                       (uint64_t)commit_id);
    return rc < 0 ? rc : (jlong)total;
}

/* What uringWait returns when no completion was there (wait false). */
#define NO_COMPLETION ((jlong)0xfffffffeU)

/*
 * Hands the queued SQEs to the kernel and, with wait, waits for one
 * completion; reaps one. Returns (res << 32) | entry: res the completion's
 * result (0: a request is in the entry; -errno: the entry ended), or, when
 * the syscall itself failed, (-errno << 32) | 0xffffffff.
 */
static jlong uring_wait(JNIEnv *env, jclass cls, jlong ring, jboolean wait)
{
    (void)env;
    (void)cls;
    struct uring *r = RSPLICE_PTR(ring);
    for (;;) {
        unsigned head = *r->cq_head;
        unsigned tail = __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE);
        if (head != tail && r->pending == 0) {
            struct io_uring_cqe *cqe = &r->cqes[head & *r->cq_mask];
            uint64_t res = (uint32_t)cqe->res;
            uint64_t ent = cqe->user_data & 0xffffffffU;
            __atomic_store_n(r->cq_head, head + 1, __ATOMIC_RELEASE);
            return (jlong)((res << 32) | ent);
        }
        if (r->pending == 0 && !wait) {
            return NO_COMPLETION;
        }
        unsigned flags = wait ? IORING_ENTER_GETEVENTS : 0;
        int n = sys_uring_enter(r->fd, r->pending, wait ? 1 : 0, flags);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return (jlong)(((uint64_t)(uint32_t)RSPLICE_ERR() << 32) | 0xffffffffU);
        }
        r->pending -= (unsigned)n < r->pending ? (unsigned)n : r->pending;
    }
}

/*
 * Zero copy's io_uring half (issue 20, stage 3 groundwork): a sparse
 * registered-buffer table, a user buffer put into one of its slots (the
 * bufpool goes to slot 0), and IORING_OP_READ_FIXED from a file into a slot.
 * On a zero-copy FUSE queue the kernel itself fills the entries' slots with
 * the reader's page-cache pages; the read-fixed into them is the same op.
 */
static int sys_uring_register(int fd, unsigned op, void *arg, unsigned nr)
{
    return (int)syscall(__NR_io_uring_register, fd, op, arg, nr);
}

/* IORING_REGISTER_BUFFERS2 with IORING_RSRC_REGISTER_SPARSE: slots empty slots. 0 or -errno. */
static jint uring_sparse_buffers(JNIEnv *env, jclass cls, jlong ring, jint slots)
{
    (void)env;
    (void)cls;
    struct uring *r = RSPLICE_PTR(ring);
    if (slots < 1 || slots > 16384) {
        return -EINVAL;
    }
    struct io_uring_rsrc_register rr;
    memset(&rr, 0, sizeof(rr));
    rr.nr = (unsigned)slots;
    rr.flags = IORING_RSRC_REGISTER_SPARSE;
    return sys_uring_register(r->fd, IORING_REGISTER_BUFFERS2, &rr, sizeof(rr)) < 0 ? RSPLICE_ERR() : 0;
}

/* IORING_REGISTER_BUFFERS_UPDATE: the len bytes at addr become slot's buffer (len 0: the slot is emptied). */
static jint uring_set_buffer(JNIEnv *env, jclass cls, jlong ring, jint slot, jlong addr, jlong len)
{
    (void)env;
    (void)cls;
    struct uring *r = RSPLICE_PTR(ring);
    if (slot < 0 || len < 0) {
        return -EINVAL;
    }
    struct iovec iov = {.iov_base = RSPLICE_PTR(addr), .iov_len = (size_t)len};
    struct io_uring_rsrc_update2 up;
    memset(&up, 0, sizeof(up));
    up.offset = (unsigned)slot;
    up.data = (uint64_t)(uintptr_t)&iov;
    up.nr = 1;
    int n = sys_uring_register(r->fd, IORING_REGISTER_BUFFERS_UPDATE, &up, sizeof(up));
    if (n < 0) {
        return RSPLICE_ERR();
    }
    return n == 1 ? 0 : -EIO;
}

/*
 * Queues a fixed-buffer read or write (opcode IORING_OP_READ_FIXED or
 * IORING_OP_WRITE_FIXED): len bytes between fd at file offset off and
 * registered buffer slot at addr (an address inside the user buffer of that
 * slot; for a buffer the kernel registered from pages, the offset from 0).
 * Its completion comes from uringWait with entry tag and res the bytes moved
 * or -errno. 0 or -errno (-EBUSY: the SQ is full).
 */
static jint queue_rw_fixed(struct uring *r, unsigned char opcode, jint fd, jlong off, jint slot, jlong addr,
                           jint len, jint tag)
{
    if (fd < 0 || off < 0 || slot < 0 || slot > 0xffff || len < 0) {
        return -EINVAL;
    }
    struct io_uring_sqe *sqe = next_sqe(r);
    if (sqe == NULL) {
        return -EBUSY;
    }
    sqe->opcode = opcode;
    sqe->fd = fd;
    sqe->off = (uint64_t)off;
    sqe->addr = (uint64_t)addr;
    sqe->len = (uint32_t)len;
    sqe->buf_index = (uint16_t)slot;
    sqe->user_data = (uint32_t)tag;
    publish_sqe(r);
    return 0;
}

/* IORING_OP_READ_FIXED: from the file into the slot (a zero-copied READ fills the reader's pages). */
static jint uring_read_fixed(JNIEnv *env, jclass cls, jlong ring, jint fd, jlong off, jint slot, jlong addr,
                             jint len, jint tag)
{
    (void)env;
    (void)cls;
    return queue_rw_fixed(RSPLICE_PTR(ring), IORING_OP_READ_FIXED, fd, off, slot, addr, len, tag);
}

/* IORING_OP_WRITE_FIXED: from the slot into the file (a zero-copied WRITE drains the writer's pages). */
static jint uring_write_fixed(JNIEnv *env, jclass cls, jlong ring, jint fd, jlong off, jint slot, jlong addr,
                              jint len, jint tag)
{
    (void)env;
    (void)cls;
    return queue_rw_fixed(RSPLICE_PTR(ring), IORING_OP_WRITE_FIXED, fd, off, slot, addr, len, tag);
}

/* The tag of a queue-setup command's completion (never an entry: depth is at most 4096). */
#define SETUP_TAG 0x7fff0000U

/*
 * Sends the one queued setup command and reaps its completion, which the
 * kernel gives at once (ADD_QUEUE and ADD_BUFPOOL are never held). Nothing
 * else is in flight on the ring then (before any REGISTER). Its result, or -errno.
 */
static int run_setup_cmd(struct uring *r)
{
    for (;;) {
        int n = sys_uring_enter(r->fd, r->pending, 1, IORING_ENTER_GETEVENTS);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return RSPLICE_ERR();
        }
        r->pending -= (unsigned)n < r->pending ? (unsigned)n : r->pending;
        unsigned head = *r->cq_head;
        unsigned tail = __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE);
        if (head != tail && r->pending == 0) {
            struct io_uring_cqe *cqe = &r->cqes[head & *r->cq_mask];
            int res = cqe->res;
            int ours = cqe->user_data == SETUP_TAG;
            __atomic_store_n(r->cq_head, head + 1, __ATOMIC_RELEASE);
            return ours ? res : -EPROTO;
        }
    }
}

/*
 * FUSE_IO_URING_CMD_ADD_QUEUE for qid (FUSE_URING_ZERO_COPY with zero_copy):
 * binds the queue to this ring. Sent and answered now. 0 or -errno.
 */
static jint uring_add_queue(JNIEnv *env, jclass cls, jlong ring, jint dev_fd, jint qid, jboolean zero_copy)
{
    (void)env;
    (void)cls;
    struct uring *r = RSPLICE_PTR(ring);
    struct io_uring_sqe *sqe = next_sqe(r);
    if (sqe == NULL) {
        return -EBUSY;
    }
    sqe->opcode = IORING_OP_URING_CMD;
    sqe->fd = dev_fd;
    sqe->cmd_op = FUSE_IO_URING_CMD_ADD_QUEUE;
    sqe->user_data = SETUP_TAG;
    struct rsplice_uring_cmd_req req;
    memset(&req, 0, sizeof(req));
    req.qid = (uint16_t)qid;
    req.flags = zero_copy ? FUSE_URING_ZERO_COPY : 0;
    memcpy(sqe->cmd, &req, sizeof(req));
    publish_sqe(r);
    int rc = run_setup_cmd(r);
    if (rc == 0 && zero_copy) {
        r->zero_copy = 1;
    }
    return rc;
}

/*
 * FUSE_IO_URING_CMD_ADD_BUFPOOL for qid: the payload buffers, already slot 0
 * of the ring's buffer table (see setBuffer), become the queue's pool; from
 * then on every command of the queue names slot 0. Sent and answered now. 0 or -errno.
 */
static jint uring_add_bufpool(JNIEnv *env, jclass cls, jlong ring, jint dev_fd, jint qid)
{
    (void)env;
    (void)cls;
    struct uring *r = RSPLICE_PTR(ring);
    struct io_uring_sqe *sqe = next_sqe(r);
    if (sqe == NULL) {
        return -EBUSY;
    }
    sqe->opcode = IORING_OP_URING_CMD;
    sqe->fd = dev_fd;
    sqe->cmd_op = FUSE_IO_URING_CMD_ADD_BUFPOOL;
    sqe->user_data = SETUP_TAG;
    sqe->uring_cmd_flags = IORING_URING_CMD_FIXED;
    sqe->buf_index = 0;
    struct rsplice_uring_cmd_req req;
    memset(&req, 0, sizeof(req));
    req.qid = (uint16_t)qid;
    req.bufpool.uaddr = (uint64_t)(uintptr_t)entry_payload(r, 0);
    req.bufpool.len = (uint32_t)((size_t)r->depth * r->payload_len);
    memcpy(sqe->cmd, &req, sizeof(req));
    publish_sqe(r);
    int rc = run_setup_cmd(r);
    if (rc == 0) {
        r->pool_fixed = 1;
    }
    return rc;
}

/* Closes the ring (the kernel cancels what is still registered) and frees the entries' memory. */
static jint uring_close(JNIEnv *env, jclass cls, jlong ring)
{
    (void)env;
    (void)cls;
    struct uring *r = RSPLICE_PTR(ring);
    if (r == NULL) {
        return -EINVAL;
    }
    uring_free(r);
    return 0;
}

/* The layout the Java side reads the entries with, and the INIT flag, as this compiler and header have them. */
static jintArray uring_layout(JNIEnv *env, jclass cls)
{
    (void)cls;
    const jint v[] = {
        (jint)sizeof(struct fuse_uring_req_header),
        (jint)offsetof(struct fuse_uring_req_header, in_out),
        (jint)offsetof(struct fuse_uring_req_header, op_in),
        (jint)offsetof(struct fuse_uring_req_header, ring_ent_in_out),
        (jint)offsetof(struct fuse_uring_ent_in_out, commit_id),
        (jint)offsetof(struct fuse_uring_ent_in_out, payload_sz),
        (jint)FUSE_URING_OP_IN_OUT_SZ,
        (jint)HEADER_STRIDE,
        (jint)__builtin_ctzll(FUSE_OVER_IO_URING),
        /* FUSE 7.46 (Linux 7.3) */
        (jint)__builtin_ctzll(FUSE_HAS_IO_URING_BUFPOOL),
        (jint)offsetof(struct fuse_uring_ent_in_out, flags),
        (jint)ENT_OFFSET_OFFSET,
        (jint)FUSE_URING_ENT_ZERO_COPY,
        (jint)FOPEN_IO_URING_ZERO_COPY,
        (jint)FUSE_URING_ZERO_COPY,
        (jint)FUSE_IO_URING_CMD_ADD_QUEUE,
        (jint)FUSE_IO_URING_CMD_ADD_BUFPOOL,
        (jint)sizeof(struct rsplice_uring_cmd_req),
    };
    jintArray out = (*env)->NewIntArray(env, RSPLICE_COUNT(v));
    if (out != NULL) {
        (*env)->SetIntArrayRegion(env, out, 0, RSPLICE_COUNT(v), v);
    }
    return out;
}

static const JNINativeMethod methods[] = {
    {"uringOpen", "(IJ)J", (void *)uring_open},
    {"uringBuffer", "(JI)Ljava/nio/ByteBuffer;", (void *)uring_buffer},
    {"uringRegister", "(JIII)I", (void *)uring_register},
    {"uringCommit", "(JIIIJJIJJ)J", (void *)uring_commit},
    {"uringWait", "(JZ)J", (void *)uring_wait},
    {"uringClose", "(J)I", (void *)uring_close},
    {"uringLayout", "()[I", (void *)uring_layout},
    {"uringSparseBuffers", "(JI)I", (void *)uring_sparse_buffers},
    {"uringSetBuffer", "(JIJJ)I", (void *)uring_set_buffer},
    {"uringReadFixed", "(JIJIJII)I", (void *)uring_read_fixed},
    {"uringWriteFixed", "(JIJIJII)I", (void *)uring_write_fixed},
    {"uringAddQueue", "(JIIZ)I", (void *)uring_add_queue},
    {"uringAddBufpool", "(JII)I", (void *)uring_add_bufpool},
};

int rsplice_uring_register(JNIEnv *env, jclass cls)
{
    return (*env)->RegisterNatives(env, cls, methods, RSPLICE_COUNT(methods));
}
