/*
 * Pipes: creation, capacity, queued bytes, drain, close, and one pipe per
 * native thread.
 *
 * Why a per-native-thread pipe lives here and not in Java: libfuse 2.9 calls
 * back through jffi, which attaches and detaches the worker thread around each
 * callback for its first 1000 calls, so a Java ThreadLocal does not survive
 * from one callback to the next. A pthread key does, and its destructor closes
 * the pipe when libfuse retires the worker.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "rsplice.h"

static jlong pack_fds(int rfd, int wfd)
{
    return ((jlong)(uint32_t)rfd << 32) | (jlong)(uint32_t)wfd;
}

static int close_checked(int fd)
{
    /* Linux releases the fd even when close fails with EINTR: never retry. */
    if (close(fd) != 0 && errno != EINTR) {
        return RSPLICE_ERR();
    }
    return 0;
}

static jlong pipe_create(JNIEnv *env, jclass cls)
{
    (void)env;
    (void)cls;
    int fds[2];
    if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0) {
        return RSPLICE_ERR();
    }
    return pack_fds(fds[0], fds[1]);
}

static jint pipe_capacity(JNIEnv *env, jclass cls, jint fd)
{
    (void)env;
    (void)cls;
    int res = fcntl(fd, F_GETPIPE_SZ);
    return res < 0 ? RSPLICE_ERR() : res;
}

static jint pipe_set_capacity(JNIEnv *env, jclass cls, jint fd, jint size)
{
    (void)env;
    (void)cls;
    int res = fcntl(fd, F_SETPIPE_SZ, size);
    return res < 0 ? RSPLICE_ERR() : res;
}

static int queued(int fd)
{
    int n = 0;
    if (ioctl(fd, FIONREAD, &n) != 0) {
        return RSPLICE_ERR();
    }
    return n;
}

static jint pipe_queued(JNIEnv *env, jclass cls, jint fd)
{
    (void)env;
    (void)cls;
    return queued(fd);
}

/* /dev/null is opened once per process, lazily, for draining. */
static pthread_once_t devnull_once = PTHREAD_ONCE_INIT;
static int devnull_fd = -1;
static int devnull_errno = 0;

static void devnull_open(void)
{
    devnull_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (devnull_fd < 0) {
        devnull_errno = errno;
    }
}

void rsplice_pipe_unload(void)
{
    if (devnull_fd >= 0) {
        (void)close(devnull_fd);
        devnull_fd = -1;
    }
}

/*
 * Empties the pipe by splicing its buffers to /dev/null (no copy), then
 * verifies FIONREAD == 0: bytes left behind would corrupt the next reply.
 * Returns the number of bytes discarded.
 */
static jlong drain(int rfd)
{
    if (pthread_once(&devnull_once, devnull_open) != 0) {
        return -EINVAL;
    }
    if (devnull_fd < 0) {
        return -devnull_errno;
    }
    jlong total = 0;
    for (;;) {
        int left = queued(rfd);
        if (left < 0) {
            return left;
        }
        if (left == 0) {
            return total;
        }
        ssize_t n = splice(rfd, NULL, devnull_fd, NULL, (size_t)left, SPLICE_F_NONBLOCK);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return RSPLICE_ERR();
        }
        if (n == 0) {
            return -EIO; /* FIONREAD said bytes were there, splice found none */
        }
        total += n;
    }
}

static jlong pipe_drain(JNIEnv *env, jclass cls, jint rfd)
{
    (void)env;
    (void)cls;
    return drain(rfd);
}

static jint fd_close(JNIEnv *env, jclass cls, jint fd)
{
    (void)env;
    (void)cls;
    return close_checked(fd);
}

/* ---- per-native-thread pipe ---- */

struct thread_pipe {
    int rfd;
    int wfd;
    int capacity;
};

static pthread_key_t thread_pipe_key;
static pthread_once_t thread_pipe_once = PTHREAD_ONCE_INIT;
static int thread_pipe_key_errno = 0;
static volatile int thread_pipes_live = 0;

static void thread_pipe_destroy(void *p)
{
    struct thread_pipe *tp = p;
    if (tp == NULL) {
        return;
    }
    (void)close(tp->rfd);
    (void)close(tp->wfd);
    free(tp);
    __atomic_sub_fetch(&thread_pipes_live, 1, __ATOMIC_RELAXED);
}

static void thread_pipe_key_create(void)
{
    thread_pipe_key_errno = pthread_key_create(&thread_pipe_key, thread_pipe_destroy);
}

/*
 * Returns this thread's pipe, empty and holding at least min_capacity bytes,
 * creating or growing it as needed. A pipe that cannot be emptied is closed
 * and replaced, so a poisoned pipe never serves two replies.
 */
static jlong thread_pipe(JNIEnv *env, jclass cls, jint min_capacity)
{
    (void)env;
    (void)cls;
    if (pthread_once(&thread_pipe_once, thread_pipe_key_create) != 0 || thread_pipe_key_errno != 0) {
        return -(thread_pipe_key_errno != 0 ? thread_pipe_key_errno : EINVAL);
    }
    struct thread_pipe *tp = pthread_getspecific(thread_pipe_key);
    if (tp != NULL) {
        jlong drained = drain(tp->rfd);
        if (drained < 0) {
            (void)pthread_setspecific(thread_pipe_key, NULL);
            thread_pipe_destroy(tp);
            tp = NULL;
        }
    }
    if (tp == NULL) {
        int fds[2];
        if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0) {
            return RSPLICE_ERR();
        }
        tp = malloc(sizeof(*tp));
        if (tp == NULL) {
            (void)close(fds[0]);
            (void)close(fds[1]);
            return -ENOMEM;
        }
        tp->rfd = fds[0];
        tp->wfd = fds[1];
        tp->capacity = fcntl(fds[1], F_GETPIPE_SZ);
        if (tp->capacity < 0) {
            int err = errno;
            (void)close(fds[0]);
            (void)close(fds[1]);
            free(tp);
            return -err;
        }
        int rc = pthread_setspecific(thread_pipe_key, tp);
        if (rc != 0) {
            (void)close(fds[0]);
            (void)close(fds[1]);
            free(tp);
            return -rc;
        }
        __atomic_add_fetch(&thread_pipes_live, 1, __ATOMIC_RELAXED);
    }
    if (tp->capacity < min_capacity) {
        int cap = fcntl(tp->wfd, F_SETPIPE_SZ, min_capacity);
        if (cap < 0) {
            return RSPLICE_ERR(); /* the pipe stays usable at its old size */
        }
        tp->capacity = cap;
    }
    return pack_fds(tp->rfd, tp->wfd);
}

/* Closes this thread's pipe now (e.g. after a failed reply), if it has one. */
static jint thread_pipe_release(JNIEnv *env, jclass cls)
{
    (void)env;
    (void)cls;
    if (pthread_once(&thread_pipe_once, thread_pipe_key_create) != 0 || thread_pipe_key_errno != 0) {
        return 0;
    }
    struct thread_pipe *tp = pthread_getspecific(thread_pipe_key);
    if (tp == NULL) {
        return 0;
    }
    int rc = pthread_setspecific(thread_pipe_key, NULL);
    if (rc != 0) {
        return -rc;
    }
    thread_pipe_destroy(tp);
    return 1;
}

static jint thread_pipe_capacity(JNIEnv *env, jclass cls)
{
    (void)env;
    (void)cls;
    if (pthread_once(&thread_pipe_once, thread_pipe_key_create) != 0 || thread_pipe_key_errno != 0) {
        return 0;
    }
    struct thread_pipe *tp = pthread_getspecific(thread_pipe_key);
    return tp == NULL ? 0 : tp->capacity;
}

static jint thread_pipes_live_count(JNIEnv *env, jclass cls)
{
    (void)env;
    (void)cls;
    return __atomic_load_n(&thread_pipes_live, __ATOMIC_RELAXED);
}

static const JNINativeMethod methods[] = {
    {"pipeCreate", "()J", (void *)pipe_create},
    {"pipeCapacity", "(I)I", (void *)pipe_capacity},
    {"pipeSetCapacity", "(II)I", (void *)pipe_set_capacity},
    {"pipeQueued", "(I)I", (void *)pipe_queued},
    {"pipeDrain", "(I)J", (void *)pipe_drain},
    {"close", "(I)I", (void *)fd_close},
    {"threadPipe", "(I)J", (void *)thread_pipe},
    {"threadPipeRelease", "()I", (void *)thread_pipe_release},
    {"threadPipeCapacity", "()I", (void *)thread_pipe_capacity},
    {"threadPipesLive", "()I", (void *)thread_pipes_live_count},
};

int rsplice_pipe_register(JNIEnv *env, jclass cls)
{
    return (*env)->RegisterNatives(env, cls, methods, RSPLICE_COUNT(methods));
}
