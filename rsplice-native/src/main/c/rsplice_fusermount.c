/*
 * Mounting as a non-root user, the way libfuse does it: the setuid helper
 * fusermount (or fusermount3) opens /dev/fuse, mounts it, and passes the fd
 * back over a socket named in _FUSE_COMMFD. Java cannot hand a child an
 * arbitrary fd, so the helper is spawned here.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rsplice.h"

extern char **environ;

/* The environment with _FUSE_COMMFD=<fd> added (any inherited one replaced). */
static char **child_env(int fd, char *commfd, size_t commfd_len)
{
    size_t n = 0;
    while (environ[n] != NULL) {
        n++;
    }
    char **env = calloc(n + 2, sizeof(char *));
    if (env == NULL) {
        return NULL;
    }
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        if (strncmp(environ[i], "_FUSE_COMMFD=", 13) != 0) {
            env[j++] = environ[i];
        }
    }
    snprintf(commfd, commfd_len, "_FUSE_COMMFD=%d", fd);
    env[j++] = commfd;
    env[j] = NULL;
    return env;
}

/* Receives the one fd fusermount sends (SCM_RIGHTS); -EIO when it sent none (it failed and said why on stderr). */
static int receive_fd(int sock)
{
    char byte;
    struct iovec iov = {.iov_base = &byte, .iov_len = 1};
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE(sizeof(int))];
    } control;
    memset(&control, 0, sizeof(control));
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
                         .msg_controllen = sizeof(control.buf)};
    ssize_t n;
    do {
        n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        return RSPLICE_ERR();
    }
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    if (n == 0 || c == NULL || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS
        || c->cmsg_len != CMSG_LEN(sizeof(int))) {
        return -EIO;
    }
    int fd;
    memcpy(&fd, CMSG_DATA(c), sizeof(int));
    return fd;
}

/*
 * Runs `helper -o options -- mountpoint` with _FUSE_COMMFD and returns the
 * mounted /dev/fuse fd, or -errno: -EIO when the helper sent no fd or
 * exited non-zero (it has said why on stderr, which the child shares).
 */
static jint fusermount_mount(JNIEnv *env, jclass cls, jstring jhelper, jstring jmountpoint, jstring joptions)
{
    (void)cls;
    const char *helper = (*env)->GetStringUTFChars(env, jhelper, NULL);
    const char *mp = helper == NULL ? NULL : (*env)->GetStringUTFChars(env, jmountpoint, NULL);
    const char *opts = mp == NULL ? NULL : (*env)->GetStringUTFChars(env, joptions, NULL);
    jint rc = -ENOMEM;
    int sv[2] = {-1, -1};
    char **cenv = NULL;
    char commfd[32];
    if (opts == NULL) {
        goto out;
    }
    /* The child's end must survive exec: no SOCK_CLOEXEC on it; ours gets FD_CLOEXEC at once. */
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) {
        rc = RSPLICE_ERR();
        goto out;
    }
    if (fcntl(sv[0], F_SETFD, FD_CLOEXEC) != 0) {
        rc = RSPLICE_ERR();
        goto out;
    }
    cenv = child_env(sv[1], commfd, sizeof(commfd));
    if (cenv == NULL) {
        rc = -ENOMEM;
        goto out;
    }
    char *const argv[] = {(char *)helper, "-o", (char *)opts, "--", (char *)mp, NULL};
    pid_t pid;
    int err = posix_spawnp(&pid, helper, NULL, NULL, argv, cenv);
    if (err != 0) {
        rc = -err;
        goto out;
    }
    close(sv[1]);
    sv[1] = -1;
    int fd = receive_fd(sv[0]);
    int status = 0;
    pid_t w;
    do {
        w = waitpid(pid, &status, 0);
    } while (w < 0 && errno == EINTR);
    if (fd >= 0 && (w < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)) {
        close(fd);
        fd = -EIO;
    }
    rc = fd;
out:
    free(cenv);
    if (sv[0] >= 0) {
        close(sv[0]);
    }
    if (sv[1] >= 0) {
        close(sv[1]);
    }
    if (opts != NULL) {
        (*env)->ReleaseStringUTFChars(env, joptions, opts);
    }
    if (mp != NULL) {
        (*env)->ReleaseStringUTFChars(env, jmountpoint, mp);
    }
    if (helper != NULL) {
        (*env)->ReleaseStringUTFChars(env, jhelper, helper);
    }
    return rc;
}

static const JNINativeMethod methods[] = {
    {"fusermountMount", "(Ljava/lang/String;Ljava/lang/String;Ljava/lang/String;)I", (void *)fusermount_mount},
};

int rsplice_fusermount_register(JNIEnv *env, jclass cls)
{
    return (*env)->RegisterNatives(env, cls, methods, RSPLICE_COUNT(methods));
}
