/*
 * Moving bytes between fds without passing them through Java: splice, tee,
 * vmsplice, and pread/pwrite into native memory (the copy baseline).
 * Offsets of -1 mean "no offset pointer" (use and move the fd's position).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/uio.h>
#include <unistd.h>

#include "rsplice.h"

static jlong do_splice(jint fd_in, jlong off_in, jint fd_out, jlong off_out, jlong len, jint flags)
{
    loff_t in = (loff_t)off_in;
    loff_t out = (loff_t)off_out;
    for (;;) {
        ssize_t n = splice(fd_in, off_in < 0 ? NULL : &in, fd_out, off_out < 0 ? NULL : &out,
                           (size_t)len, (unsigned)flags);
        if (n >= 0) {
            return n;
        }
        if (errno != EINTR) {
            return RSPLICE_ERR();
        }
    }
}

static jlong splice0(JNIEnv *env, jclass cls, jint fd_in, jlong off_in, jint fd_out, jlong off_out,
                     jlong len, jint flags)
{
    (void)env;
    (void)cls;
    return do_splice(fd_in, off_in, fd_out, off_out, len, flags);
}

/*
 * Splices until len bytes moved, end of input (0), or the output would block
 * (EAGAIN after some progress). Returns the bytes moved; an error before any
 * progress is returned as -errno. A short count is the caller's to handle.
 */
static jlong splice_fully(JNIEnv *env, jclass cls, jint fd_in, jlong off_in, jint fd_out,
                          jlong off_out, jlong len, jint flags)
{
    (void)env;
    (void)cls;
    jlong done = 0;
    while (done < len) {
        jlong n = do_splice(fd_in, off_in < 0 ? -1 : off_in + done, fd_out,
                            off_out < 0 ? -1 : off_out + done, len - done, flags);
        if (n < 0) {
            /* After progress, report the progress; the next call surfaces the error. */
            return done > 0 ? done : n;
        }
        if (n == 0) {
            break;
        }
        done += n;
    }
    return done;
}

static jlong tee0(JNIEnv *env, jclass cls, jint fd_in, jint fd_out, jlong len, jint flags)
{
    (void)env;
    (void)cls;
    for (;;) {
        ssize_t n = tee(fd_in, fd_out, (size_t)len, (unsigned)flags);
        if (n >= 0) {
            return n;
        }
        if (errno != EINTR) {
            return RSPLICE_ERR();
        }
    }
}

static jlong vmsplice0(JNIEnv *env, jclass cls, jint pipe_wfd, jlong address, jlong len, jint flags)
{
    (void)env;
    (void)cls;
    struct iovec iov = {.iov_base = RSPLICE_PTR(address), .iov_len = (size_t)len};
    for (;;) {
        ssize_t n = vmsplice(pipe_wfd, &iov, 1, (unsigned)flags);
        if (n >= 0) {
            return n;
        }
        if (errno != EINTR) {
            return RSPLICE_ERR();
        }
    }
}

/* Reads until len bytes or end of file; returns the count read. */
static jlong pread_fully(JNIEnv *env, jclass cls, jint fd, jlong address, jlong len, jlong off)
{
    (void)env;
    (void)cls;
    char *p = RSPLICE_PTR(address);
    jlong done = 0;
    while (done < len) {
        ssize_t n = pread(fd, p + done, (size_t)(len - done), (off_t)(off + done));
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

/* Writes all len bytes (a short write is retried, as write(2) users expect of a file). */
static jlong pwrite_fully(JNIEnv *env, jclass cls, jint fd, jlong address, jlong len, jlong off)
{
    (void)env;
    (void)cls;
    const char *p = RSPLICE_PTR(address);
    jlong done = 0;
    while (done < len) {
        ssize_t n = pwrite(fd, p + done, (size_t)(len - done), (off_t)(off + done));
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return done > 0 ? done : RSPLICE_ERR();
        }
        if (n == 0) {
            return done > 0 ? done : -EIO;
        }
        done += n;
    }
    return done;
}

static jint flag_move(JNIEnv *e, jclass c) { (void)e; (void)c; return SPLICE_F_MOVE; }
static jint flag_nonblock(JNIEnv *e, jclass c) { (void)e; (void)c; return SPLICE_F_NONBLOCK; }
static jint flag_more(JNIEnv *e, jclass c) { (void)e; (void)c; return SPLICE_F_MORE; }
static jint flag_gift(JNIEnv *e, jclass c) { (void)e; (void)c; return SPLICE_F_GIFT; }

static const JNINativeMethod methods[] = {
    {"splice", "(IJIJJI)J", (void *)splice0},
    {"spliceFully", "(IJIJJI)J", (void *)splice_fully},
    {"tee", "(IIJI)J", (void *)tee0},
    {"vmsplice", "(IJJI)J", (void *)vmsplice0},
    {"preadFully", "(IJJJ)J", (void *)pread_fully},
    {"pwriteFully", "(IJJJ)J", (void *)pwrite_fully},
    {"spliceFMove", "()I", (void *)flag_move},
    {"spliceFNonblock", "()I", (void *)flag_nonblock},
    {"spliceFMore", "()I", (void *)flag_more},
    {"spliceFGift", "()I", (void *)flag_gift},
};

int rsplice_splice_register(JNIEnv *env, jclass cls)
{
    return (*env)->RegisterNatives(env, cls, methods, RSPLICE_COUNT(methods));
}
