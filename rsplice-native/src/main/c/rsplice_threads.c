/*
 * Thread identity: the kernel's id of the calling thread (FUSE names the
 * requesting thread by it, and /proc/self/task/TID/syscall tells what that
 * thread is blocked in), and the read syscall's number on this architecture;
 * and where a thread runs: pinning the calling thread to one CPU (a FUSE
 * io_uring queue's worker to the CPU whose requests the queue gets); and the
 * process's session: a background daemon leaves its launcher's (setsid).
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

static const JNINativeMethod methods[] = {
    {"gettid", "()I", (void *)gettid0},
    {"pinToCpu", "(I)I", (void *)pin_to_cpu},
    {"setsid", "()I", (void *)setsid0},
    {"sysReadNumber", "()I", (void *)sys_read_number},
    {"sysSpliceNumber", "()I", (void *)sys_splice_number},
};

int rsplice_threads_register(JNIEnv *env, jclass cls)
{
    return (*env)->RegisterNatives(env, cls, methods, RSPLICE_COUNT(methods));
}
