/*
 * Flushing the kernel's per-CPU LRU batches, and asking how much of a file
 * range is cached.
 *
 * Why: a page just read into the page cache sits for a while in a per-CPU
 * "LRU add" batch that holds an extra reference to it. SPLICE_F_MOVE can only
 * steal a page whose references are exactly the page cache's and the pipe's,
 * so a freshly read page that is still batched (on any CPU) is copied instead
 * of moved. Measured on 6.18: 78-95% of a cold file moved without a flush,
 * 100% with one.
 *
 * There is no system call that just flushes those batches. posix_fadvise
 * (POSIX_FADV_DONTNEED) does it as a side effect, on every CPU, when some page
 * of the range cannot be dropped ("the failures may be due to the folio being
 * in the LRU cache of a remote CPU", mm/fadvise.c). So the daemon keeps one
 * page of an unlinked scratch file mapped (a mapped page is never dropped) and
 * advises DONTNEED on it: the kernel fails to drop it and drains all CPUs.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/magic.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "rsplice.h"

#ifndef __NR_cachestat
#define __NR_cachestat 451 /* the same number on every architecture (asm-generic) */
#endif

struct lru_pin {
    int fd;
    void *page;
    size_t size;
};

struct cachestat_range_v1 {
    uint64_t off;
    uint64_t len;
};

struct cachestat_v1 {
    uint64_t nr_cache;
    uint64_t nr_dirty;
    uint64_t nr_writeback;
    uint64_t nr_evicted;
    uint64_t nr_recently_evicted;
};

/*
 * Creates the pinned scratch page in dir (O_TMPFILE: never visible, gone with
 * the fd). Returns a handle, or -errno; -EOPNOTSUPP where fadvise is ignored
 * (tmpfs and ramfs: no backing device, so no drain would happen).
 */
static jlong lru_pin_open(JNIEnv *env, jclass cls, jstring dir)
{
    (void)cls;
    const char *path = (*env)->GetStringUTFChars(env, dir, NULL);
    if (path == NULL) {
        return -ENOMEM;
    }
    int fd = open(path, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    int err = errno;
    (*env)->ReleaseStringUTFChars(env, dir, path);
    if (fd < 0) {
        return -err;
    }
    struct statfs fs;
    size_t size = (size_t)sysconf(_SC_PAGESIZE);
    jlong result = 0;
    if (fstatfs(fd, &fs) != 0) {
        result = RSPLICE_ERR();
    } else if (fs.f_type == TMPFS_MAGIC || fs.f_type == RAMFS_MAGIC) {
        result = -EOPNOTSUPP;
    } else if (ftruncate(fd, (off_t)size) != 0) {
        result = RSPLICE_ERR();
    }
    struct lru_pin *pin = NULL;
    if (result == 0) {
        /* Mapped shared and read once: a clean page-cache page with a mapping reference. */
        void *page = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
        if (page == MAP_FAILED) {
            result = RSPLICE_ERR();
        } else {
            (void)*(const volatile char *)page;
            pin = malloc(sizeof(*pin));
            if (pin == NULL) {
                (void)munmap(page, size);
                result = -ENOMEM;
            } else {
                pin->fd = fd;
                pin->page = page;
                pin->size = size;
            }
        }
    }
    if (pin == NULL) {
        (void)close(fd);
        return result;
    }
    return RSPLICE_ADDR(pin);
}

/* Drains every CPU's LRU batches (see the top of this file). */
static jint lru_drain(JNIEnv *env, jclass cls, jlong handle)
{
    (void)env;
    (void)cls;
    const struct lru_pin *pin = RSPLICE_PTR(handle);
    int rc = posix_fadvise(pin->fd, 0, (off_t)pin->size, POSIX_FADV_DONTNEED);
    return rc == 0 ? 0 : -rc;
}

static jint lru_pin_close(JNIEnv *env, jclass cls, jlong handle)
{
    (void)env;
    (void)cls;
    struct lru_pin *pin = RSPLICE_PTR(handle);
    jint result = 0;
    if (munmap(pin->page, pin->size) != 0) {
        result = RSPLICE_ERR();
    }
    if (close(pin->fd) != 0 && result == 0 && errno != EINTR) {
        result = RSPLICE_ERR();
    }
    free(pin);
    return result;
}

/*
 * Pages of [off, off+len) of fd in the page cache, by cachestat(2) (6.5+):
 * no mapping and no side effect on the pages. -ENOSYS on older kernels.
 */
static jlong cached_pages(JNIEnv *env, jclass cls, jint fd, jlong off, jlong len)
{
    (void)env;
    (void)cls;
    struct cachestat_range_v1 range = {(uint64_t)off, (uint64_t)len};
    struct cachestat_v1 cs;
    if (syscall(__NR_cachestat, fd, &range, &cs, 0) != 0) {
        return RSPLICE_ERR();
    }
    return (jlong)cs.nr_cache;
}

static const JNINativeMethod methods[] = {
    {"lruPinOpen", "(Ljava/lang/String;)J", (void *)lru_pin_open},
    {"lruDrain", "(J)I", (void *)lru_drain},
    {"lruPinClose", "(J)I", (void *)lru_pin_close},
    {"cachedPages", "(IJJ)J", (void *)cached_pages},
};

int rsplice_lru_register(JNIEnv *env, jclass cls)
{
    return (*env)->RegisterNatives(env, cls, methods, RSPLICE_COUNT(methods));
}
