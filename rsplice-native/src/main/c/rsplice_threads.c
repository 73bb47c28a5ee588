/*
 * Thread identity: the kernel's id of the calling thread (FUSE names the
 * requesting thread by it, and /proc/self/task/TID/syscall tells what that
 * thread is blocked in), and the read syscall's number on this architecture.
 */
#define _GNU_SOURCE
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

static const JNINativeMethod methods[] = {
    {"gettid", "()I", (void *)gettid0},
    {"sysReadNumber", "()I", (void *)sys_read_number},
    {"sysSpliceNumber", "()I", (void *)sys_splice_number},
};

int rsplice_threads_register(JNIEnv *env, jclass cls)
{
    return (*env)->RegisterNatives(env, cls, methods, RSPLICE_COUNT(methods));
}
