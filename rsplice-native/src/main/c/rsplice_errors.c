/* errno names and messages for the Java exception (strerror is not thread-safe; strerror_r is). */
#define _GNU_SOURCE
#include <string.h>

#include "rsplice.h"

static jstring errno_name(JNIEnv *env, jclass cls, jint err)
{
    (void)cls;
    const char *name = strerrorname_np(err);
    return (*env)->NewStringUTF(env, name != NULL ? name : "E?");
}

static jstring errno_message(JNIEnv *env, jclass cls, jint err)
{
    (void)cls;
    char buf[256];
    /* GNU strerror_r returns a pointer that may or may not be buf. */
    const char *msg = strerror_r(err, buf, sizeof(buf));
    return (*env)->NewStringUTF(env, msg);
}

static const JNINativeMethod methods[] = {
    {"errnoName", "(I)Ljava/lang/String;", (void *)errno_name},
    {"errnoMessage", "(I)Ljava/lang/String;", (void *)errno_message},
};

int rsplice_errors_register(JNIEnv *env, jclass cls)
{
    return (*env)->RegisterNatives(env, cls, methods, RSPLICE_COUNT(methods));
}
