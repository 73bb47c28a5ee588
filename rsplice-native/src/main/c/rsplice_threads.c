/*
 * Thread identity: the kernel's id of the calling thread (FUSE names the
 * requesting thread by it, and /proc/self/task/TID/syscall tells what that
 * thread is blocked in), and the read syscall's number on this architecture;
 * and where a thread runs: pinning the calling thread to one CPU (a FUSE
 * io_uring queue's worker to the CPU whose requests the queue gets); and the
 * process's session and output: a background daemon leaves its launcher's
 * session (setsid), its directory (chdir) and points its stdout and stderr at its log (dup2), so
 * nothing it or a library prints reaches the terminal or pipe it was started
 * from, and a caller reading that pipe to its end is not held up by it.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "rsplice.h"

static jint gettid0(JNIEnv *env, jclass cls)
{
    (void)env;
    (void)cls;
    return (jint)gettid(); /* cannot fail */
}

static jint sys_read_number(JNIEnv *env, jclass cls)
{
    (void)env;
    (void)cls;
    return (jint)SYS_read;
}

static jint sys_splice_number(JNIEnv *env, jclass cls)
{
    (void)env;
    (void)cls;
    return (jint)SYS_splice;
}

/* Pins the calling thread to CPU cpu; 0 or -errno (EINVAL: no such CPU online). */
static jint pin_to_cpu(JNIEnv *env, jclass cls, jint cpu)
{
    (void)env;
    (void)cls;
    if (cpu < 0 || cpu >= CPU_SETSIZE) {
        return -EINVAL;
    }
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return sched_setaffinity(0, sizeof(set), &set) == 0 ? 0 : RSPLICE_ERR();
}

/* setsid(2): the new session's id, or -errno (EPERM: already a process group leader). */
static jint setsid0(JNIEnv *env, jclass cls)
{
    (void)env;
    (void)cls;
    pid_t sid = setsid();
    return sid < 0 ? RSPLICE_ERR() : (jint)sid;
}

/* dup2(fd, 1) and dup2(fd, 2): 0, or -errno of the first that failed. */
static jint output_to(JNIEnv *env, jclass cls, jint fd)
{
    (void)env;
    (void)cls;
    for (int target = STDOUT_FILENO; target <= STDERR_FILENO; target++) {
        int r;
        do {
            r = dup2(fd, target);
        } while (r < 0 && errno == EINTR);
        if (r < 0) {
            return RSPLICE_ERR();
        }
    }
    return 0;
}

/* chdir("/"): a daemon does not keep its launcher's directory busy. 0 or -errno. */
static jint chdir_root(JNIEnv *env, jclass cls)
{
    (void)env;
    (void)cls;
    return chdir("/") == 0 ? 0 : RSPLICE_ERR();
}

static const JNINativeMethod methods[] = {
    {"chdirRoot", "()I", (void *)chdir_root},
    {"gettid", "()I", (void *)gettid0},
    {"outputTo", "(I)I", (void *)output_to},
    {"pinToCpu", "(I)I", (void *)pin_to_cpu},
    {"setsid", "()I", (void *)setsid0},
    {"sysReadNumber", "()I", (void *)sys_read_number},
    {"sysSpliceNumber", "()I", (void *)sys_splice_number},
};

int rsplice_threads_register(JNIEnv *env, jclass cls)
{
    return (*env)->RegisterNatives(env, cls, methods, RSPLICE_COUNT(methods));
}
