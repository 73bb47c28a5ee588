/*
 * Library entry: registers every concern's natives on NativeMethods from
 * JNI_OnLoad, so no Java_pkg_Class_method symbol is exported (the library is
 * built with -fvisibility=hidden; only the two JNIEXPORT hooks are visible).
 */
#include "rsplice.h"

JNIEXPORT jint JNI_OnLoad(JavaVM *vm, void *reserved)
{
    (void)reserved;
    JNIEnv *env = NULL;
    if ((*vm)->GetEnv(vm, (void **)&env, JNI_VERSION_1_8) != JNI_OK) {
        return JNI_ERR;
    }
    jclass cls = (*env)->FindClass(env, RSPLICE_NATIVE_CLASS);
    if (cls == NULL) {
        return JNI_ERR; /* NoClassDefFoundError is pending for the loader */
    }
    int (*const registrars[])(JNIEnv *, jclass) = {
        rsplice_errors_register, rsplice_pipe_register, rsplice_splice_register,
        rsplice_arena_register, rsplice_residency_register, rsplice_files_register,
        rsplice_threads_register, rsplice_lru_register, rsplice_creds_register,
        rsplice_fuse_register, rsplice_fusermount_register, rsplice_uring_register, rsplice_spawn_register,
    };
    for (unsigned i = 0; i < sizeof(registrars) / sizeof(registrars[0]); i++) {
        if (registrars[i](env, cls) != 0) {
            (*env)->UnregisterNatives(env, cls);
            (*env)->DeleteLocalRef(env, cls);
            return JNI_ERR;
        }
    }
    (*env)->DeleteLocalRef(env, cls);
    return JNI_VERSION_1_8;
}

JNIEXPORT void JNI_OnUnload(JavaVM *vm, void *reserved)
{
    (void)vm;
    (void)reserved;
    rsplice_pipe_unload();
}
