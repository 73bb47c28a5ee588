/*
 * Page arenas: page-aligned anonymous mappings handed to Java as direct
 * ByteBuffers. Memory to be vmspliced must be whole pages that nothing else
 * (malloc metadata, the GC) shares; that is why these are mmap'd, not malloc'd.
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <unistd.h>

#include "rsplice.h"

static jlong arena_map(JNIEnv *env, jclass cls, jlong len)
{
    (void)env;
    (void)cls;
    void *p = mmap(NULL, (size_t)len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? RSPLICE_ERR() : RSPLICE_ADDR(p);
}

static jint arena_unmap(JNIEnv *env, jclass cls, jlong address, jlong len)
{
    (void)env;
    (void)cls;
    return munmap(RSPLICE_PTR(address), (size_t)len) == 0 ? 0 : RSPLICE_ERR();
}

static jint arena_dontneed(JNIEnv *env, jclass cls, jlong address, jlong len)
{
    (void)env;
    (void)cls;
    return madvise(RSPLICE_PTR(address), (size_t)len, MADV_DONTNEED) == 0 ? 0 : RSPLICE_ERR();
}

static jobject arena_buffer(JNIEnv *env, jclass cls, jlong address, jlong len)
{
    (void)cls;
    return (*env)->NewDirectByteBuffer(env, RSPLICE_PTR(address), len);
}

static jlong buffer_address(JNIEnv *env, jclass cls, jobject buffer)
{
    (void)cls;
    void *p = (*env)->GetDirectBufferAddress(env, buffer);
    return p == NULL ? -EINVAL : RSPLICE_ADDR(p);
}

static jint page_size(JNIEnv *env, jclass cls)
{
    (void)env;
    (void)cls;
    long n = sysconf(_SC_PAGESIZE);
    return n < 0 ? RSPLICE_ERR() : (jint)n;
}

static const JNINativeMethod methods[] = {
    {"arenaMap", "(J)J", (void *)arena_map},
    {"arenaUnmap", "(JJ)I", (void *)arena_unmap},
    {"arenaDontNeed", "(JJ)I", (void *)arena_dontneed},
    {"arenaBuffer", "(JJ)Ljava/nio/ByteBuffer;", (void *)arena_buffer},
    {"bufferAddress", "(Ljava/nio/ByteBuffer;)J", (void *)buffer_address},
    {"pageSize", "()I", (void *)page_size},
};

int rsplice_arena_register(JNIEnv *env, jclass cls)
{
    return (*env)->RegisterNatives(env, cls, methods, RSPLICE_COUNT(methods));
}
