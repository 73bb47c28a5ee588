/*
 * Starting a background mount's daemon JVM, and reaping it only if it ends
 * early. Java's ProcessBuilder waits for every child in a reaper thread that
 * sits in waitpid, and a JVM that exits while one of its threads is in native
 * code waits up to 300 ms for it (HotSpot's VM_Exit): the launcher of every
 * background mount paid that, since its child lives on. posix_spawn with the
 * child's stdin on /dev/null and its stdout and stderr on one pipe; the caller
 * reads the pipe and calls waitpid itself.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rsplice.h"

extern char **environ;

/* Frees argv[0..n) (strings from GetStringUTFChars) and the array. */
static void free_argv(JNIEnv *env, jobjectArray jargv, char **argv, jsize n)
{
    for (jsize i = 0; i < n; i++) {
        jstring js = (jstring)(*env)->GetObjectArrayElement(env, jargv, i);
        if (js != NULL) {
            (*env)->ReleaseStringUTFChars(env, js, argv[i]);
            (*env)->DeleteLocalRef(env, js);
        }
    }
    free(argv);
}

static int spawn_with_pipe(char **argv, int pipe_w, pid_t *pid)
{
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    sigset_t none, all;
    int err = posix_spawn_file_actions_init(&fa);
    if (err != 0) {
        return -err;
    }
    if ((err = posix_spawnattr_init(&attr)) != 0) {
        posix_spawn_file_actions_destroy(&fa);
        return -err;
    }
    /*
     * The calling JVM thread's signal mask and ignored signals would be inherited:
     * the child starts with none blocked and every disposition at its default.
     * Both pipe ends are O_CLOEXEC: the child keeps only the dup2 copies.
     */
    sigemptyset(&none);
    sigfillset(&all);
    if ((err = posix_spawnattr_setsigmask(&attr, &none)) == 0
        && (err = posix_spawnattr_setsigdefault(&attr, &all)) == 0
        && (err = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)) == 0
        && (err = posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0)) == 0
        && (err = posix_spawn_file_actions_adddup2(&fa, pipe_w, STDOUT_FILENO)) == 0
        && (err = posix_spawn_file_actions_adddup2(&fa, pipe_w, STDERR_FILENO)) == 0) {
        err = posix_spawn(pid, argv[0], &fa, &attr, argv, environ);
    }
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&fa);
    return -err;
}

/* Spawns argv (argv[0] an absolute path); out = {pid, read end of its output pipe}. 0 or -errno. */
static jint spawn0(JNIEnv *env, jclass cls, jobjectArray jargv, jintArray out)
{
    (void)cls;
    jsize n = (*env)->GetArrayLength(env, jargv);
    if (n < 1 || (*env)->GetArrayLength(env, out) < 2) {
        return -EINVAL;
    }
    char **argv = calloc((size_t)n + 1, sizeof(char *));
    if (argv == NULL) {
        return -ENOMEM;
    }
    jsize got = 0;
    for (; got < n; got++) {
        jstring js = (jstring)(*env)->GetObjectArrayElement(env, jargv, got);
        if (js == NULL) {
            break;
        }
        argv[got] = (char *)(*env)->GetStringUTFChars(env, js, NULL);
        (*env)->DeleteLocalRef(env, js);
        if (argv[got] == NULL) {
            break;
        }
    }
    if (got < n) {
        free_argv(env, jargv, argv, got);
        return -ENOMEM;
    }
    int p[2];
    jint res;
    if (pipe2(p, O_CLOEXEC) != 0) {
        res = RSPLICE_ERR();
    } else {
        pid_t pid = 0;
        res = spawn_with_pipe(argv, p[1], &pid);
        if (close(p[1]) != 0 && res == 0) {
            res = RSPLICE_ERR();
        }
        if (res == 0) {
            jint v[2] = {(jint)pid, (jint)p[0]};
            (*env)->SetIntArrayRegion(env, out, 0, 2, v);
        } else {
            int closed = close(p[0]);
            (void)closed; /* the spawn's error is the one to report */
        }
    }
    free_argv(env, jargv, argv, n);
    return res;
}

/*
 * waitpid for a child of this process: its exit code, 128 + the signal that
 * ended it, CHILD_RUNNING (no exit code is that large) while it runs (when
 * !block), or -errno.
 */
#define CHILD_RUNNING 256

static jint wait_child(JNIEnv *env, jclass cls, jint pid, jboolean block)
{
    (void)env;
    (void)cls;
    int status = 0;
    pid_t r;
    do {
        r = waitpid((pid_t)pid, &status, block ? 0 : WNOHANG);
    } while (r < 0 && errno == EINTR);
    if (r < 0) {
        return RSPLICE_ERR();
    }
    if (r == 0) {
        return CHILD_RUNNING;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static const JNINativeMethod methods[] = {
    {"spawn", "([Ljava/lang/String;[I)I", (void *)spawn0},
    {"waitChild", "(IZ)I", (void *)wait_child},
};

int rsplice_spawn_register(JNIEnv *env, jclass cls)
{
    return (*env)->RegisterNatives(env, cls, methods, RSPLICE_COUNT(methods));
}
