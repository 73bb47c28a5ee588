/*
 * Shared declarations of the rsplice JNI helper.
 *
 * Convention (as in Netty's native transport): every native returns a
 * non-negative result or -errno; it never throws. The Java facade turns a
 * negative result into a NativeIoException that names the failed call.
 */
#ifndef RSPLICE_H
#define RSPLICE_H

#include <errno.h>
#include <jni.h>
#include <stdint.h>

/* The Java class every native is registered on. */
#define RSPLICE_NATIVE_CLASS "io/rsplicefs/nativeio/NativeMethods"

/* -errno of the last failed call, as a jint/jlong. */
#define RSPLICE_ERR() (-(errno))

/* Each concern registers its own table on the shared class. */
int rsplice_errors_register(JNIEnv *env, jclass cls);
int rsplice_pipe_register(JNIEnv *env, jclass cls);
int rsplice_splice_register(JNIEnv *env, jclass cls);
int rsplice_arena_register(JNIEnv *env, jclass cls);
int rsplice_residency_register(JNIEnv *env, jclass cls);
int rsplice_files_register(JNIEnv *env, jclass cls);
int rsplice_threads_register(JNIEnv *env, jclass cls);
int rsplice_lru_register(JNIEnv *env, jclass cls);
int rsplice_creds_register(JNIEnv *env, jclass cls);
int rsplice_fuse_register(JNIEnv *env, jclass cls);
int rsplice_fusermount_register(JNIEnv *env, jclass cls);
int rsplice_uring_register(JNIEnv *env, jclass cls);
int rsplice_spawn_register(JNIEnv *env, jclass cls);

/* Called from JNI_OnUnload: closes what the library opened for itself. */
void rsplice_pipe_unload(void);

/* Pointer <-> jlong without warnings on any width. */
#define RSPLICE_PTR(l) ((void *)(uintptr_t)(l))
#define RSPLICE_ADDR(p) ((jlong)(uintptr_t)(p))

#define RSPLICE_COUNT(a) ((jint)(sizeof(a) / sizeof((a)[0])))

#endif
