/*
 * Per-thread filesystem credentials: lets a daemon running as root create an
 * object as the user who asked for it, so the kernel itself gives it the
 * owner, group (a setgid directory's group) and mode bits that user would get,
 * with no moment in which the object exists with another owner.
 *
 * setfsuid/setfsgid act on the calling thread only (glibc does not broadcast
 * them). setgroups(2) is per thread in the kernel, but glibc's wrapper
 * broadcasts it to every thread of the process, so the raw syscall is used.
 * While fsuid is not 0 the kernel drops the filesystem capabilities
 * (CAP_DAC_OVERRIDE, CAP_FOWNER, CAP_FSETID, CAP_MKNOD, CAP_CHOWN...) from the
 * thread's effective set, and raises them again when fsuid returns to 0.
 *
 * rsplice_creds_leave() restores the process's own credentials and checks
 * them; a thread that cannot be restored would serve later requests with a
 * stranger's rights, so then the process is aborted instead.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include "rsplice.h"

/* The process's supplementary groups when the library was loaded (what every thread returns to). */
static gid_t *own_groups;
static int own_ngroups;

/* Largest /proc/PID/status read; the Groups line of a user in 65536 groups would not fit, see below. */
#define STATUS_MAX 65536

static int set_groups(int n, const gid_t *groups)
{
    return syscall(SYS_setgroups, (size_t)n, groups) == 0 ? 0 : RSPLICE_ERR();
}

static void restore_or_abort(void)
{
    uid_t euid = geteuid();
    gid_t egid = getegid();
    (void)setfsuid(euid);
    (void)setfsgid(egid);
    int g = set_groups(own_ngroups, own_groups);
    if ((uid_t)setfsuid((uid_t)-1) != euid || (gid_t)setfsgid((gid_t)-1) != egid || g != 0) {
        fprintf(stderr, "rsplice: cannot restore this thread's filesystem credentials; aborting\n");
        abort();
    }
}

/*
 * Reads the supplementary groups of thread pid from /proc/PID/status into
 * *out (malloc'd). Returns the count, 0 when they cannot be read (the
 * process has gone, or is not in this pid namespace: pid 0), -errno on ENOMEM.
 */
static int caller_groups(int pid, gid_t **out)
{
    *out = NULL;
    if (pid <= 0) {
        return 0;
    }
    char path[64];
    (void)snprintf(path, sizeof(path), "/proc/%d/status", pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return 0;
    }
    char *buf = malloc(STATUS_MAX + 1);
    if (buf == NULL) {
        (void)close(fd);
        return -ENOMEM;
    }
    size_t len = 0;
    for (;;) {
        ssize_t n = read(fd, buf + len, STATUS_MAX - len);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        len += (size_t)n;
        if (len == STATUS_MAX) {
            break;
        }
    }
    (void)close(fd);
    buf[len] = '\0';
    char *line = strstr(buf, "\nGroups:");
    int count = 0;
    if (line != NULL) {
        line += strlen("\nGroups:");
        char *end = strchr(line, '\n');
        if (end != NULL) {
            *end = '\0';
            size_t cap = 1;
            for (char *c = line; *c; c++) {
                cap += *c == ' ' || *c == '\t';
            }
            gid_t *g = malloc(cap * sizeof(gid_t));
            if (g == NULL) {
                free(buf);
                return -ENOMEM;
            }
            char *p = line;
            while (*p && (size_t)count < cap) {
                char *next;
                unsigned long v = strtoul(p, &next, 10);
                if (next == p) {
                    p++;
                    continue;
                }
                g[count++] = (gid_t)v;
                p = next;
            }
            *out = g;
        }
    }
    free(buf);
    return count;
}

/*
 * Switches the calling thread to fsuid uid, fsgid gid and the supplementary
 * groups of thread pid. On failure the thread is back to its own credentials
 * and -errno is returned.
 */
static jint creds_enter(JNIEnv *env, jclass cls, jint uid, jint gid, jint pid)
{
    (void)env;
    (void)cls;
    gid_t *groups;
    int n = caller_groups(pid, &groups);
    if (n < 0) {
        return n;
    }
    int res = set_groups(n, groups);
    free(groups);
    if (res == 0) {
        (void)setfsgid((gid_t)gid);
        if ((gid_t)setfsgid((gid_t)-1) != (gid_t)gid) {
            res = -EPERM;
        }
    }
    if (res == 0) {
        (void)setfsuid((uid_t)uid);
        if ((uid_t)setfsuid((uid_t)-1) != (uid_t)uid) {
            res = -EPERM;
        }
    }
    if (res != 0) {
        restore_or_abort();
    }
    return res;
}

static void creds_leave(JNIEnv *env, jclass cls)
{
    (void)env;
    (void)cls;
    restore_or_abort();
}

/* The calling thread's fsuid and fsgid (for checks and tests). */
static jlong creds_current(JNIEnv *env, jclass cls)
{
    (void)env;
    (void)cls;
    uid_t u = (uid_t)setfsuid((uid_t)-1);
    gid_t g = (gid_t)setfsgid((gid_t)-1);
    return ((jlong)u << 32) | (jlong)g;
}

/*
 * Gives the calling thread its own filesystem context (cwd, root, umask:
 * unshare(CLONE_FS), allowed in a multithreaded process). After it umask(2)
 * sets this thread's umask only, so a thread can create an object with the
 * umask of the request it serves while the others keep theirs; the backing
 * filesystem then applies it, or a parent directory's default ACL instead.
 */
static jint creds_own_fs(JNIEnv *env, jclass cls)
{
    (void)env;
    (void)cls;
    return unshare(CLONE_FS) == 0 ? 0 : RSPLICE_ERR();
}

static const JNINativeMethod methods[] = {
    {"credsEnter", "(III)I", (void *)creds_enter},
    {"credsLeave", "()V", (void *)creds_leave},
    {"credsCurrent", "()J", (void *)creds_current},
    {"credsOwnFs", "()I", (void *)creds_own_fs},
};

int rsplice_creds_register(JNIEnv *env, jclass cls)
{
    int n = getgroups(0, NULL);
    if (n < 0) {
        return -1;
    }
    own_groups = malloc(((size_t)n + 1) * sizeof(gid_t));
    if (own_groups == NULL) {
        return -1;
    }
    own_ngroups = getgroups(n, own_groups);
    if (own_ngroups < 0) {
        return -1;
    }
    return (*env)->RegisterNatives(env, cls, methods, RSPLICE_COUNT(methods));
}
