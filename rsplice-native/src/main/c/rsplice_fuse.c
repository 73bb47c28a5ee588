/*
 * The FUSE device for the direct engine: opening and cloning /dev/fuse,
 * mount(2)/umount2(2), reading requests into native memory, and sending
 * replies (writev from memory; or a header and a spliced range queued in one
 * pipe and spliced into the device in one call). The protocol itself is
 * spoken in Java (io.rsplicefs.fs.direct); this file only moves bytes.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/fuse.h>
#include <stddef.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/uio.h>
#include <unistd.h>

#include "rsplice.h"

#ifndef FUSE_DEV_IOC_CLONE
#define FUSE_DEV_IOC_CLONE _IOR(229, 0, uint32_t)
#endif

/* FUSE passthrough (kernel 6.9+, protocol 7.40): Debian 12's headers (6.1) predate it. */
#ifndef FUSE_DEV_IOC_BACKING_OPEN
struct fuse_backing_map {
    int32_t fd;
    uint32_t flags;
    uint64_t padding;
};
#define FUSE_DEV_IOC_BACKING_OPEN _IOW(229, 1, struct fuse_backing_map)
#define FUSE_DEV_IOC_BACKING_CLOSE _IOW(229, 2, uint32_t)
#endif

static jint dev_open(JNIEnv *env, jclass cls)
{
    (void)env;
    (void)cls;
    int fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
    return fd < 0 ? RSPLICE_ERR() : fd;
}

/* A new fd on the same connection: requests are then read (and answered) per fd, without a shared queue lock. */
static jint dev_clone(JNIEnv *env, jclass cls, jint master)
{
    (void)env;
    (void)cls;
    int fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        return RSPLICE_ERR();
    }
    uint32_t m = (uint32_t)master;
    if (ioctl(fd, FUSE_DEV_IOC_CLONE, &m) != 0) {
        int err = errno;
        close(fd);
        return -err;
    }
    return fd;
}

static jint do_mount(JNIEnv *env, jclass cls, jstring jsource, jstring jtarget, jstring jtype, jlong flags,
                     jstring jdata)
{
    (void)cls;
    const char *source = (*env)->GetStringUTFChars(env, jsource, NULL);
    const char *target = source == NULL ? NULL : (*env)->GetStringUTFChars(env, jtarget, NULL);
    const char *type = target == NULL ? NULL : (*env)->GetStringUTFChars(env, jtype, NULL);
    const char *data = type == NULL ? NULL : (*env)->GetStringUTFChars(env, jdata, NULL);
    jint rc = -ENOMEM;
    if (data != NULL) {
        rc = mount(source, target, type, (unsigned long)flags, data) == 0 ? 0 : RSPLICE_ERR();
    }
    if (data != NULL) {
        (*env)->ReleaseStringUTFChars(env, jdata, data);
    }
    if (type != NULL) {
        (*env)->ReleaseStringUTFChars(env, jtype, type);
    }
    if (target != NULL) {
        (*env)->ReleaseStringUTFChars(env, jtarget, target);
    }
    if (source != NULL) {
        (*env)->ReleaseStringUTFChars(env, jsource, source);
    }
    return rc;
}

static jint do_umount(JNIEnv *env, jclass cls, jstring jtarget, jint flags)
{
    (void)cls;
    const char *target = (*env)->GetStringUTFChars(env, jtarget, NULL);
    if (target == NULL) {
        return -ENOMEM;
    }
    jint rc = umount2(target, flags) == 0 ? 0 : RSPLICE_ERR();
    (*env)->ReleaseStringUTFChars(env, jtarget, target);
    return rc;
}

/*
 * One request into [address, address+len). EINTR, and ENOENT (the request was
 * interrupted before it could be read), are retried here; ENODEV means the
 * connection is gone (unmounted or aborted) and ends the worker.
 */
static jlong dev_read(JNIEnv *env, jclass cls, jint fd, jlong address, jlong len)
{
    (void)env;
    (void)cls;
    for (;;) {
        ssize_t n = read(fd, RSPLICE_PTR(address), (size_t)len);
        if (n >= 0) {
            return n;
        }
        if (errno != EINTR && errno != ENOENT && errno != EAGAIN) {
            return RSPLICE_ERR();
        }
    }
}

/* A reply from memory: header and body in one writev. ENOENT: the request was interrupted; nothing to send. */
static jlong dev_writev(JNIEnv *env, jclass cls, jint fd, jlong header, jint header_len, jlong body, jlong body_len)
{
    (void)env;
    (void)cls;
    struct iovec iov[2] = {
        {.iov_base = RSPLICE_PTR(header), .iov_len = (size_t)header_len},
        {.iov_base = RSPLICE_PTR(body), .iov_len = (size_t)body_len},
    };
    for (;;) {
        ssize_t n = writev(fd, iov, body_len > 0 ? 2 : 1);
        if (n >= 0) {
            return n;
        }
        if (errno != EINTR) {
            return RSPLICE_ERR();
        }
    }
}

/* Reads exactly len bytes of a pipe that holds at least that many (it never blocks on a short pipe forever: the caller queued them). */
static jlong pipe_read(JNIEnv *env, jclass cls, jint fd, jlong address, jlong len)
{
    (void)env;
    (void)cls;
    char *p = RSPLICE_PTR(address);
    jlong done = 0;
    while (done < len) {
        ssize_t n = read(fd, p + done, (size_t)(len - done));
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return done > 0 ? done : RSPLICE_ERR();
        }
        if (n == 0) {
            break;
        }
        done += n;
    }
    return done;
}

/* Splices everything queued in the pipe (exactly total bytes: header and payload) into the device in one message. */
static jlong send_pipe(jint pipe_r, jint dev_fd, jlong total, jint flags)
{
    for (;;) {
        ssize_t n = splice(pipe_r, NULL, dev_fd, NULL, (size_t)total, (unsigned)flags);
        if (n >= 0) {
            return n == total ? n : -EIO;
        }
        if (errno != EINTR) {
            return RSPLICE_ERR();
        }
    }
}

static jlong dev_send_pipe(JNIEnv *env, jclass cls, jint pipe_r, jint dev_fd, jlong total, jint flags)
{
    (void)env;
    (void)cls;
    return send_pipe(pipe_r, dev_fd, total, flags);
}

/* Empties a pipe that holds an unsendable partial reply. */
static void drain(int pipe_r)
{
    char scratch[4096];
    for (;;) {
        int queued = 0;
        if (ioctl(pipe_r, FIONREAD, &queued) != 0 || queued <= 0) {
            return;
        }
        ssize_t n = read(pipe_r, scratch, sizeof(scratch));
        if (n <= 0 && errno != EINTR) {
            return;
        }
    }
}

/*
 * A reply whose payload is len bytes of src_fd at src_off, through one empty
 * pipe that holds len plus a page: the 16-byte header is written into the
 * pipe, the range spliced in behind it (page references, no copy), and the
 * pipe spliced into the device as one message. Returns len when sent. If the
 * source gives fewer bytes (the file shrank), nothing is sent, the pipe is
 * emptied and the count it gave is returned as -(1 << 40) - got, which the
 * caller decodes (a short reply must be declared with its true length).
 */
static jlong dev_send_range(JNIEnv *env, jclass cls, jint dev_fd, jint pipe_r, jint pipe_w, jlong header,
                            jint src_fd, jlong src_off, jlong len, jint flags)
{
    (void)env;
    (void)cls;
    ssize_t w;
    do {
        w = write(pipe_w, RSPLICE_PTR(header), sizeof(struct fuse_out_header));
    } while (w < 0 && errno == EINTR);
    if (w != (ssize_t)sizeof(struct fuse_out_header)) {
        int err = w < 0 ? errno : EIO;
        drain(pipe_r);
        return -err;
    }
    loff_t off = (loff_t)src_off;
    jlong got = 0;
    while (got < len) {
        ssize_t n = splice(src_fd, &off, pipe_w, NULL, (size_t)(len - got), SPLICE_F_NONBLOCK);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            int err = errno;
            drain(pipe_r);
            return -err;
        }
        if (n == 0) {
            break;
        }
        got += n;
    }
    if (got < len) {
        drain(pipe_r);
        return -(((jlong)1) << 40) - got;
    }
    jlong sent = send_pipe(pipe_r, dev_fd, (jlong)sizeof(struct fuse_out_header) + len, flags);
    if (sent < 0) {
        drain(pipe_r);
        return sent;
    }
    return len;
}

/* A request read by splice: up to len bytes of the next request queued in the pipe (the payload of a WRITE stays there). */
static jlong dev_splice_request(JNIEnv *env, jclass cls, jint dev_fd, jint pipe_w, jlong len)
{
    (void)env;
    (void)cls;
    for (;;) {
        ssize_t n = splice(dev_fd, NULL, pipe_w, NULL, (size_t)len, 0);
        if (n >= 0) {
            return n;
        }
        if (errno != EINTR && errno != ENOENT && errno != EAGAIN) {
            return RSPLICE_ERR();
        }
    }
}

/*
 * Registers fd as a backing file of the connection: the kernel keeps its own
 * reference (and the daemon's credentials) and answers with an id that an
 * open reply names with FOPEN_PASSTHROUGH. Needs CAP_SYS_ADMIN and a
 * connection that agreed to FUSE_PASSTHROUGH.
 */
static jint dev_backing_open(JNIEnv *env, jclass cls, jint dev_fd, jint fd)
{
    (void)env;
    (void)cls;
    struct fuse_backing_map map;
    memset(&map, 0, sizeof(map));
    map.fd = fd;
    int id = ioctl(dev_fd, FUSE_DEV_IOC_BACKING_OPEN, &map);
    return id < 0 ? RSPLICE_ERR() : id;
}

/* Forgets a backing id; files already opened with it keep their backing file. */
static jint dev_backing_close(JNIEnv *env, jclass cls, jint dev_fd, jint id)
{
    (void)env;
    (void)cls;
    uint32_t backing_id = (uint32_t)id;
    return ioctl(dev_fd, FUSE_DEV_IOC_BACKING_CLOSE, &backing_id) == 0 ? 0 : RSPLICE_ERR();
}

/* The sizes of the protocol's structs as this compiler lays them out, checked against the Java encoder by a test. */
static jintArray struct_sizes(JNIEnv *env, jclass cls)
{
    (void)cls;
    const jint sizes[] = {
        (jint)sizeof(struct fuse_in_header),   (jint)sizeof(struct fuse_out_header),
        (jint)sizeof(struct fuse_attr),        (jint)sizeof(struct fuse_entry_out),
        (jint)sizeof(struct fuse_attr_out),    (jint)sizeof(struct fuse_init_in),
        (jint)sizeof(struct fuse_init_out),    (jint)sizeof(struct fuse_open_out),
        (jint)sizeof(struct fuse_read_in),     (jint)sizeof(struct fuse_write_in),
        (jint)sizeof(struct fuse_write_out),   (jint)sizeof(struct fuse_setattr_in),
        (jint)sizeof(struct fuse_dirent),      (jint)sizeof(struct fuse_direntplus),
        (jint)sizeof(struct fuse_statfs_out),  (jint)sizeof(struct fuse_getxattr_out),
        (jint)sizeof(struct fuse_create_in),   (jint)sizeof(struct fuse_mknod_in),
        (jint)sizeof(struct fuse_rename2_in),  (jint)sizeof(struct fuse_fallocate_in),
        (jint)sizeof(struct fuse_lseek_in),    (jint)sizeof(struct fuse_copy_file_range_in),
        (jint)offsetof(struct fuse_init_out, max_pages), (jint)offsetof(struct fuse_setattr_in, mtimensec),
    };
    jintArray out = (*env)->NewIntArray(env, RSPLICE_COUNT(sizes));
    if (out != NULL) {
        (*env)->SetIntArrayRegion(env, out, 0, RSPLICE_COUNT(sizes), sizes);
    }
    return out;
}

static const JNINativeMethod methods[] = {
    {"fuseOpen", "()I", (void *)dev_open},
    {"fuseClone", "(I)I", (void *)dev_clone},
    {"mount", "(Ljava/lang/String;Ljava/lang/String;Ljava/lang/String;JLjava/lang/String;)I", (void *)do_mount},
    {"umount", "(Ljava/lang/String;I)I", (void *)do_umount},
    {"fuseRead", "(IJJ)J", (void *)dev_read},
    {"fuseWritev", "(IJIJJ)J", (void *)dev_writev},
    {"pipeRead", "(IJJ)J", (void *)pipe_read},
    {"fuseSendPipe", "(IIJI)J", (void *)dev_send_pipe},
    {"fuseSendRange", "(IIIJIJJI)J", (void *)dev_send_range},
    {"fuseSpliceRequest", "(IIJ)J", (void *)dev_splice_request},
    {"fuseStructSizes", "()[I", (void *)struct_sizes},
    {"fuseBackingOpen", "(II)I", (void *)dev_backing_open},
    {"fuseBackingClose", "(II)I", (void *)dev_backing_close},
};

int rsplice_fuse_register(JNIEnv *env, jclass cls)
{
    return (*env)->RegisterNatives(env, cls, methods, RSPLICE_COUNT(methods));
}
