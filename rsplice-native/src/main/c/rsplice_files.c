/*
 * File operations relative to a directory fd (the *at() family), so that a
 * caller can resolve every path beneath a root and never follow a symlink out
 * of it. openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS) resolves a whole
 * relative path in one call; the rest act on (parent fd, last name) with
 * AT_SYMLINK_NOFOLLOW where the call supports it.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "rsplice.h"

/* Holds a UTF-8 copy of a Java string for the duration of a call. */
struct jstr {
    JNIEnv *env;
    jstring js;
    const char *s;
};

static int jstr_get(struct jstr *j, JNIEnv *env, jstring js)
{
    j->env = env;
    j->js = js;
    j->s = js == NULL ? NULL : (*env)->GetStringUTFChars(env, js, NULL);
    return js == NULL || j->s != NULL ? 0 : -ENOMEM;
}

static void jstr_release(struct jstr *j)
{
    if (j->s != NULL) {
        (*j->env)->ReleaseStringUTFChars(j->env, j->js, j->s);
    }
}

/* Runs the statements with var.s bound to js's UTF-8 text; on failure sets res = -ENOMEM. */
#define WITH_STR(var, js, ...)                                                                     \
    do {                                                                                           \
        struct jstr var;                                                                           \
        if (jstr_get(&var, env, js) != 0) {                                                        \
            res = -ENOMEM;                                                                         \
        } else {                                                                                   \
            __VA_ARGS__;                                                                           \
            jstr_release(&var);                                                                    \
        }                                                                                          \
    } while (0)

static jint openat2_0(JNIEnv *env, jclass cls, jint dirfd, jstring path, jint flags, jint mode,
                      jlong resolve)
{
    (void)cls;
    jint res = 0;
    WITH_STR(p, path, {
        struct open_how how;
        memset(&how, 0, sizeof(how));
        how.flags = (uint64_t)(unsigned)flags;
        how.mode = (flags & (O_CREAT | O_TMPFILE)) ? (uint64_t)(unsigned)mode : 0;
        how.resolve = (uint64_t)resolve;
        long fd;
        do {
            fd = syscall(SYS_openat2, dirfd, p.s, &how, sizeof(how));
        } while (fd < 0 && errno == EINTR);
        res = fd < 0 ? RSPLICE_ERR() : (jint)fd;
    });
    return res;
}

static jint openat0(JNIEnv *env, jclass cls, jint dirfd, jstring name, jint flags, jint mode)
{
    (void)cls;
    jint res = 0;
    WITH_STR(n, name, {
        int fd;
        do {
            fd = openat(dirfd, n.s, flags, (mode_t)mode);
        } while (fd < 0 && errno == EINTR);
        res = fd < 0 ? RSPLICE_ERR() : fd;
    });
    return res;
}

static void put_stat(JNIEnv *env, jlongArray out, const struct stat *st)
{
    jlong v[16] = {
        (jlong)st->st_dev,         (jlong)st->st_ino,          (jlong)st->st_mode,
        (jlong)st->st_nlink,       (jlong)st->st_uid,          (jlong)st->st_gid,
        (jlong)st->st_rdev,        (jlong)st->st_size,         (jlong)st->st_blksize,
        (jlong)st->st_blocks,      (jlong)st->st_atim.tv_sec,  (jlong)st->st_atim.tv_nsec,
        (jlong)st->st_mtim.tv_sec, (jlong)st->st_mtim.tv_nsec, (jlong)st->st_ctim.tv_sec,
        (jlong)st->st_ctim.tv_nsec,
    };
    (*env)->SetLongArrayRegion(env, out, 0, 16, v);
}

/* out receives 16 longs: dev ino mode nlink uid gid rdev size blksize blocks atime(s,ns) mtime(s,ns) ctime(s,ns). */
static jint fstatat0(JNIEnv *env, jclass cls, jint dirfd, jstring name, jint flags, jlongArray out)
{
    (void)cls;
    if ((*env)->GetArrayLength(env, out) < 16) {
        return -EINVAL;
    }
    jint res = 0;
    WITH_STR(n, name, {
        struct stat st;
        if (fstatat(dirfd, n.s, &st, flags) != 0) {
            res = RSPLICE_ERR();
        } else {
            put_stat(env, out, &st);
        }
    });
    return res;
}

static jint fstat0(JNIEnv *env, jclass cls, jint fd, jlongArray out)
{
    (void)cls;
    if ((*env)->GetArrayLength(env, out) < 16) {
        return -EINVAL;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        return RSPLICE_ERR();
    }
    put_stat(env, out, &st);
    return 0;
}

static jint mkdirat0(JNIEnv *env, jclass cls, jint dirfd, jstring name, jint mode)
{
    (void)cls;
    jint res = 0;
    WITH_STR(n, name, res = mkdirat(dirfd, n.s, (mode_t)mode) == 0 ? 0 : RSPLICE_ERR());
    return res;
}

static jint mknodat0(JNIEnv *env, jclass cls, jint dirfd, jstring name, jint mode, jlong rdev)
{
    (void)cls;
    jint res = 0;
    WITH_STR(n, name, res = mknodat(dirfd, n.s, (mode_t)mode, (dev_t)rdev) == 0 ? 0 : RSPLICE_ERR());
    return res;
}

static jint unlinkat0(JNIEnv *env, jclass cls, jint dirfd, jstring name, jint flags)
{
    (void)cls;
    jint res = 0;
    WITH_STR(n, name, res = unlinkat(dirfd, n.s, flags) == 0 ? 0 : RSPLICE_ERR());
    return res;
}

static jint renameat2_0(JNIEnv *env, jclass cls, jint olddir, jstring oldname, jint newdir,
                        jstring newname, jint flags)
{
    (void)cls;
    jint res = 0;
    WITH_STR(o, oldname, WITH_STR(n, newname, {
        res = renameat2(olddir, o.s, newdir, n.s, (unsigned)flags) == 0 ? 0 : RSPLICE_ERR();
    }));
    return res;
}

static jint symlinkat0(JNIEnv *env, jclass cls, jstring target, jint dirfd, jstring name)
{
    (void)cls;
    jint res = 0;
    WITH_STR(t, target, WITH_STR(n, name, {
        res = symlinkat(t.s, dirfd, n.s) == 0 ? 0 : RSPLICE_ERR();
    }));
    return res;
}

static jint linkat0(JNIEnv *env, jclass cls, jint olddir, jstring oldname, jint newdir,
                    jstring newname, jint flags)
{
    (void)cls;
    jint res = 0;
    WITH_STR(o, oldname, WITH_STR(n, newname, {
        res = linkat(olddir, o.s, newdir, n.s, flags) == 0 ? 0 : RSPLICE_ERR();
    }));
    return res;
}

/* Returns the link's length (which may exceed buf: the caller retries larger). */
static jint readlinkat0(JNIEnv *env, jclass cls, jint dirfd, jstring name, jbyteArray buf)
{
    (void)cls;
    jsize cap = (*env)->GetArrayLength(env, buf);
    char *tmp = malloc((size_t)cap + 1);
    if (tmp == NULL) {
        return -ENOMEM;
    }
    jint res = 0;
    WITH_STR(n, name, {
        ssize_t len = readlinkat(dirfd, n.s, tmp, (size_t)cap + 1);
        if (len < 0) {
            res = RSPLICE_ERR();
        } else {
            res = (jint)len;
            if (len <= cap) {
                (*env)->SetByteArrayRegion(env, buf, 0, (jsize)len, (const jbyte *)tmp);
            }
        }
    });
    free(tmp);
    return res;
}

static jint fchmodat0(JNIEnv *env, jclass cls, jint dirfd, jstring name, jint mode, jint flags)
{
    (void)cls;
    jint res = 0;
    WITH_STR(n, name, res = fchmodat(dirfd, n.s, (mode_t)mode, flags) == 0 ? 0 : RSPLICE_ERR());
    return res;
}

static jint fchownat0(JNIEnv *env, jclass cls, jint dirfd, jstring name, jint uid, jint gid, jint flags)
{
    (void)cls;
    jint res = 0;
    WITH_STR(n, name, res = fchownat(dirfd, n.s, (uid_t)uid, (gid_t)gid, flags) == 0 ? 0 : RSPLICE_ERR());
    return res;
}

static jint utimensat0(JNIEnv *env, jclass cls, jint dirfd, jstring name, jlong as, jlong ans,
                       jlong ms, jlong mns, jint flags)
{
    (void)cls;
    jint res = 0;
    WITH_STR(n, name, {
        struct timespec ts[2] = {{.tv_sec = (time_t)as, .tv_nsec = (long)ans},
                                 {.tv_sec = (time_t)ms, .tv_nsec = (long)mns}};
        res = utimensat(dirfd, n.s, ts, flags) == 0 ? 0 : RSPLICE_ERR();
    });
    return res;
}

static jint faccessat0(JNIEnv *env, jclass cls, jint dirfd, jstring name, jint mode, jint flags)
{
    (void)cls;
    jint res = 0;
    WITH_STR(n, name, res = faccessat(dirfd, n.s, mode, flags) == 0 ? 0 : RSPLICE_ERR());
    return res;
}

static jint ftruncate0(JNIEnv *env, jclass cls, jint fd, jlong len)
{
    (void)env;
    (void)cls;
    int rc;
    do {
        rc = ftruncate(fd, (off_t)len);
    } while (rc != 0 && errno == EINTR);
    return rc == 0 ? 0 : RSPLICE_ERR();
}

static jint fallocate0(JNIEnv *env, jclass cls, jint fd, jint mode, jlong off, jlong len)
{
    (void)env;
    (void)cls;
    return fallocate(fd, mode, (off_t)off, (off_t)len) == 0 ? 0 : RSPLICE_ERR();
}

static jint fsync0(JNIEnv *env, jclass cls, jint fd, jboolean datasync)
{
    (void)env;
    (void)cls;
    return (datasync ? fdatasync(fd) : fsync(fd)) == 0 ? 0 : RSPLICE_ERR();
}

/* out: bsize frsize blocks bfree bavail files ffree favail fsid flag namemax. */
static jint fstatvfs0(JNIEnv *env, jclass cls, jint fd, jlongArray out)
{
    (void)cls;
    if ((*env)->GetArrayLength(env, out) < 11) {
        return -EINVAL;
    }
    struct statvfs s;
    if (fstatvfs(fd, &s) != 0) {
        return RSPLICE_ERR();
    }
    jlong v[11] = {(jlong)s.f_bsize, (jlong)s.f_frsize, (jlong)s.f_blocks, (jlong)s.f_bfree,
                   (jlong)s.f_bavail, (jlong)s.f_files, (jlong)s.f_ffree, (jlong)s.f_favail,
                   (jlong)s.f_fsid, (jlong)s.f_flag, (jlong)s.f_namemax};
    (*env)->SetLongArrayRegion(env, out, 0, 11, v);
    return 0;
}

/*
 * Lists the names in directory dirfd (without "." and ".."). The caller's fd
 * is not consumed: a new fd of the directory is opened for fdopendir.
 * Returns null and sets err[0] to the errno on failure.
 */
static jobjectArray list_dir(JNIEnv *env, jclass cls, jint dirfd, jintArray err)
{
    (void)cls;
    jint e = 0;
    jobjectArray result = NULL;
    int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        e = errno;
        goto out;
    }
    DIR *dir = fdopendir(fd);
    if (dir == NULL) {
        e = errno;
        (void)close(fd);
        goto out;
    }
    size_t cap = 64, n = 0;
    char **names = malloc(cap * sizeof(char *));
    if (names == NULL) {
        e = ENOMEM;
        (void)closedir(dir);
        goto out;
    }
    for (;;) {
        errno = 0;
        struct dirent *d = readdir(dir);
        if (d == NULL) {
            e = errno;
            break;
        }
        if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0) {
            continue;
        }
        if (n == cap) {
            char **grown = realloc(names, 2 * cap * sizeof(char *));
            if (grown == NULL) {
                e = ENOMEM;
                break;
            }
            names = grown;
            cap *= 2;
        }
        names[n] = strdup(d->d_name);
        if (names[n] == NULL) {
            e = ENOMEM;
            break;
        }
        n++;
    }
    if (closedir(dir) != 0 && e == 0) {
        e = errno;
    }
    if (e == 0) {
        jclass string_class = (*env)->FindClass(env, "java/lang/String");
        if (string_class != NULL) {
            result = (*env)->NewObjectArray(env, (jsize)n, string_class, NULL);
            (*env)->DeleteLocalRef(env, string_class);
        }
        for (size_t i = 0; result != NULL && i < n; i++) {
            jstring s = (*env)->NewStringUTF(env, names[i]);
            if (s == NULL) {
                result = NULL; /* OutOfMemoryError pending */
                break;
            }
            (*env)->SetObjectArrayElement(env, result, (jsize)i, s);
            (*env)->DeleteLocalRef(env, s);
        }
        if (result == NULL) {
            e = ENOMEM;
        }
    }
    for (size_t i = 0; i < n; i++) {
        free(names[i]);
    }
    free(names);
out:
    if (e != 0 && err != NULL && (*env)->GetArrayLength(env, err) > 0) {
        (*env)->SetIntArrayRegion(env, err, 0, 1, &e);
    }
    return e == 0 ? result : NULL;
}

/*
 * Extended attributes of the file behind fd (which may be an O_PATH fd):
 * reached through /proc/self/fd/N, the documented way for O_PATH fds.
 */
static void fd_path(char *buf, size_t len, int fd)
{
    (void)snprintf(buf, len, "/proc/self/fd/%d", fd);
}

static jint getxattr0(JNIEnv *env, jclass cls, jint fd, jstring name, jbyteArray buf)
{
    (void)cls;
    char path[64];
    fd_path(path, sizeof(path), fd);
    jsize cap = buf == NULL ? 0 : (*env)->GetArrayLength(env, buf);
    char *tmp = cap > 0 ? malloc((size_t)cap) : NULL;
    if (cap > 0 && tmp == NULL) {
        return -ENOMEM;
    }
    jint res = 0;
    WITH_STR(n, name, {
        ssize_t len = getxattr(path, n.s, tmp, (size_t)cap);
        if (len < 0) {
            res = RSPLICE_ERR();
        } else {
            res = (jint)len;
            if (cap > 0) {
                (*env)->SetByteArrayRegion(env, buf, 0, (jsize)len, (const jbyte *)tmp);
            }
        }
    });
    free(tmp);
    return res;
}

static jint setxattr0(JNIEnv *env, jclass cls, jint fd, jstring name, jbyteArray value, jint flags)
{
    (void)cls;
    char path[64];
    fd_path(path, sizeof(path), fd);
    jsize len = (*env)->GetArrayLength(env, value);
    jbyte *v = (*env)->GetByteArrayElements(env, value, NULL);
    if (v == NULL) {
        return -ENOMEM;
    }
    jint res = 0;
    struct jstr n;
    if (jstr_get(&n, env, name) != 0) {
        res = -ENOMEM;
    } else {
        res = setxattr(path, n.s, v, (size_t)len, flags) == 0 ? 0 : RSPLICE_ERR();
        jstr_release(&n);
    }
    (*env)->ReleaseByteArrayElements(env, value, v, JNI_ABORT);
    return res;
}

static jint listxattr0(JNIEnv *env, jclass cls, jint fd, jbyteArray buf)
{
    (void)cls;
    char path[64];
    fd_path(path, sizeof(path), fd);
    jsize cap = buf == NULL ? 0 : (*env)->GetArrayLength(env, buf);
    char *tmp = cap > 0 ? malloc((size_t)cap) : NULL;
    if (cap > 0 && tmp == NULL) {
        return -ENOMEM;
    }
    ssize_t len = listxattr(path, tmp, (size_t)cap);
    jint res = len < 0 ? RSPLICE_ERR() : (jint)len;
    if (len > 0 && cap > 0) {
        (*env)->SetByteArrayRegion(env, buf, 0, (jsize)len, (const jbyte *)tmp);
    }
    free(tmp);
    return res;
}

static jint removexattr0(JNIEnv *env, jclass cls, jint fd, jstring name)
{
    (void)cls;
    char path[64];
    fd_path(path, sizeof(path), fd);
    jint res = 0;
    WITH_STR(n, name, res = removexattr(path, n.s) == 0 ? 0 : RSPLICE_ERR());
    return res;
}

/* umask(2): a passthrough must create files with exactly the mode it is asked for. */
static jint umask0(JNIEnv *env, jclass cls, jint mask)
{
    (void)env;
    (void)cls;
    return (jint)umask((mode_t)mask);
}

/* Constants in a fixed order; FileConstants.java reads them by index. */
static jintArray file_constants(JNIEnv *env, jclass cls)
{
    (void)cls;
    jint v[] = {
        O_RDONLY, O_WRONLY, O_RDWR, O_CREAT, O_EXCL, O_TRUNC, O_APPEND, O_DIRECTORY, O_NOFOLLOW,
        O_CLOEXEC, O_PATH, O_DIRECT, O_ACCMODE, AT_SYMLINK_NOFOLLOW, AT_REMOVEDIR, AT_EMPTY_PATH,
        (jint)RESOLVE_BENEATH, (jint)RESOLVE_NO_SYMLINKS, (jint)RESOLVE_NO_MAGICLINKS,
        (jint)RENAME_NOREPLACE, (jint)RENAME_EXCHANGE, XATTR_CREATE, XATTR_REPLACE,
        FALLOC_FL_KEEP_SIZE, FALLOC_FL_PUNCH_HOLE, FALLOC_FL_ZERO_RANGE, S_IFMT, S_IFIFO, S_IFSOCK,
        S_IFCHR, S_IFBLK, S_IFREG, (jint)UTIME_NOW, (jint)UTIME_OMIT,
    };
    jintArray arr = (*env)->NewIntArray(env, RSPLICE_COUNT(v));
    if (arr != NULL) {
        (*env)->SetIntArrayRegion(env, arr, 0, RSPLICE_COUNT(v), v);
    }
    return arr;
}

/* lseek(2) (SEEK_DATA and SEEK_HOLE for FUSE_LSEEK); the new offset or -errno. */
static jlong lseek0(JNIEnv *env, jclass cls, jint fd, jlong off, jint whence)
{
    (void)env;
    (void)cls;
    off_t r = lseek(fd, (off_t)off, whence);
    return r < 0 ? RSPLICE_ERR() : (jlong)r;
}

/* copy_file_range(2) between two fds at explicit offsets: the kernel copies (or reflinks) without user memory. */
static jlong copy_file_range0(JNIEnv *env, jclass cls, jint fd_in, jlong off_in, jint fd_out, jlong off_out,
                              jlong len)
{
    (void)env;
    (void)cls;
    loff_t in = (loff_t)off_in;
    loff_t out = (loff_t)off_out;
    for (;;) {
        ssize_t n = copy_file_range(fd_in, &in, fd_out, &out, (size_t)len, 0);
        if (n >= 0) {
            return n;
        }
        if (errno != EINTR) {
            return RSPLICE_ERR();
        }
    }
}

static const JNINativeMethod methods[] = {
    {"openat2", "(ILjava/lang/String;IIJ)I", (void *)openat2_0},
    {"openat", "(ILjava/lang/String;II)I", (void *)openat0},
    {"fstatat", "(ILjava/lang/String;I[J)I", (void *)fstatat0},
    {"fstat", "(I[J)I", (void *)fstat0},
    {"mkdirat", "(ILjava/lang/String;I)I", (void *)mkdirat0},
    {"mknodat", "(ILjava/lang/String;IJ)I", (void *)mknodat0},
    {"unlinkat", "(ILjava/lang/String;I)I", (void *)unlinkat0},
    {"renameat2", "(ILjava/lang/String;ILjava/lang/String;I)I", (void *)renameat2_0},
    {"symlinkat", "(Ljava/lang/String;ILjava/lang/String;)I", (void *)symlinkat0},
    {"linkat", "(ILjava/lang/String;ILjava/lang/String;I)I", (void *)linkat0},
    {"readlinkat", "(ILjava/lang/String;[B)I", (void *)readlinkat0},
    {"fchmodat", "(ILjava/lang/String;II)I", (void *)fchmodat0},
    {"fchownat", "(ILjava/lang/String;III)I", (void *)fchownat0},
    {"utimensat", "(ILjava/lang/String;JJJJI)I", (void *)utimensat0},
    {"faccessat", "(ILjava/lang/String;II)I", (void *)faccessat0},
    {"ftruncate", "(IJ)I", (void *)ftruncate0},
    {"lseek", "(IJI)J", (void *)lseek0},
    {"copyFileRange", "(IJIJJ)J", (void *)copy_file_range0},
    {"fallocate", "(IIJJ)I", (void *)fallocate0},
    {"fsync", "(IZ)I", (void *)fsync0},
    {"fstatvfs", "(I[J)I", (void *)fstatvfs0},
    {"listDir", "(I[I)[Ljava/lang/String;", (void *)list_dir},
    {"getxattr", "(ILjava/lang/String;[B)I", (void *)getxattr0},
    {"setxattr", "(ILjava/lang/String;[BI)I", (void *)setxattr0},
    {"listxattr", "(I[B)I", (void *)listxattr0},
    {"removexattr", "(ILjava/lang/String;)I", (void *)removexattr0},
    {"umask", "(I)I", (void *)umask0},
    {"fileConstants", "()[I", (void *)file_constants},
};

int rsplice_files_register(JNIEnv *env, jclass cls)
{
    return (*env)->RegisterNatives(env, cls, methods, RSPLICE_COUNT(methods));
}
