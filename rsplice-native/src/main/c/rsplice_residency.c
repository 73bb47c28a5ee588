/*
 * Page-cache evidence: posix_fadvise, mincore residency of a file range, and
 * physical frame numbers from /proc/self/pagemap. These are how the project
 * proves that a page was donated (it left the backing file's cache and its
 * frame now belongs to the FUSE file) instead of assuming it.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "rsplice.h"

static jint fadvise0(JNIEnv *env, jclass cls, jint fd, jlong off, jlong len, jint advice)
{
    (void)env;
    (void)cls;
    int rc = posix_fadvise(fd, (off_t)off, (off_t)len, advice);
    return rc == 0 ? 0 : -rc; /* posix_fadvise returns the error, not -1 */
}

static jint page_size(void)
{
    return (jint)sysconf(_SC_PAGESIZE);
}

/*
 * Counts resident pages of [off, off+len) of fd. If bitmap is not null it
 * receives one byte per page (1 resident, 0 not). The mapping is never
 * touched, so it maps no page and cannot pin one against donation.
 */
static jlong mincore_file(JNIEnv *env, jclass cls, jint fd, jlong off, jlong len, jbyteArray bitmap)
{
    (void)cls;
    jlong ps = page_size();
    if (off < 0 || len < 0 || off % ps != 0) {
        return -EINVAL;
    }
    if (len == 0) {
        return 0;
    }
    jlong pages = (len + ps - 1) / ps;
    if (bitmap != NULL && (*env)->GetArrayLength(env, bitmap) < pages) {
        return -EINVAL;
    }
    void *map = mmap(NULL, (size_t)len, PROT_READ, MAP_SHARED, fd, (off_t)off);
    if (map == MAP_FAILED) {
        return RSPLICE_ERR();
    }
    unsigned char *vec = malloc((size_t)pages);
    if (vec == NULL) {
        (void)munmap(map, (size_t)len);
        return -ENOMEM;
    }
    jlong result;
    if (mincore(map, (size_t)len, vec) != 0) {
        result = RSPLICE_ERR();
    } else {
        result = 0;
        for (jlong i = 0; i < pages; i++) {
            vec[i] &= 1;
            result += vec[i];
        }
        if (bitmap != NULL) {
            (*env)->SetByteArrayRegion(env, bitmap, 0, (jsize)pages, (const jbyte *)vec);
        }
    }
    free(vec);
    if (munmap(map, (size_t)len) != 0 && result >= 0) {
        result = RSPLICE_ERR();
    }
    return result;
}

/* Maps [off, off+len) of fd read-only and shared (for pagemap checks). */
static jlong map_file(JNIEnv *env, jclass cls, jint fd, jlong off, jlong len)
{
    (void)env;
    (void)cls;
    void *p = mmap(NULL, (size_t)len, PROT_READ, MAP_SHARED, fd, (off_t)off);
    return p == MAP_FAILED ? RSPLICE_ERR() : RSPLICE_ADDR(p);
}

/* Reads one byte of each page so that the pages are mapped; returns a checksum so the reads stay. */
static jlong touch_pages(JNIEnv *env, jclass cls, jlong address, jlong len)
{
    (void)env;
    (void)cls;
    const volatile unsigned char *p = RSPLICE_PTR(address);
    jlong ps = page_size();
    jlong sum = 0;
    for (jlong i = 0; i < len; i += ps) {
        sum += p[i];
    }
    return sum;
}

/*
 * Fills out[i] with the raw /proc/self/pagemap entry of page i of the range
 * starting at address (bit 63 present, bits 0-54 the PFN; the PFN reads as 0
 * without CAP_SYS_ADMIN). Returns the number of entries read.
 */
static jint pagemap(JNIEnv *env, jclass cls, jlong address, jlongArray out)
{
    (void)cls;
    jsize pages = (*env)->GetArrayLength(env, out);
    if (pages == 0) {
        return 0;
    }
    uint64_t *entries = malloc(sizeof(uint64_t) * (size_t)pages);
    if (entries == NULL) {
        return -ENOMEM;
    }
    int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int err = errno;
        free(entries);
        return -err;
    }
    off_t pos = (off_t)(((uint64_t)address / (uint64_t)page_size()) * sizeof(uint64_t));
    size_t want = sizeof(uint64_t) * (size_t)pages;
    size_t got = 0;
    jint result = 0;
    while (got < want) {
        ssize_t n = pread(fd, (char *)entries + got, want - got, pos + (off_t)got);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            result = RSPLICE_ERR();
            break;
        }
        if (n == 0) {
            result = -EIO;
            break;
        }
        got += (size_t)n;
    }
    if (close(fd) != 0 && result == 0 && errno != EINTR) {
        result = RSPLICE_ERR();
    }
    if (result == 0) {
        (*env)->SetLongArrayRegion(env, out, 0, pages, (const jlong *)entries);
        result = pages;
    }
    free(entries);
    return result;
}

static jint advice_normal(JNIEnv *e, jclass c) { (void)e; (void)c; return POSIX_FADV_NORMAL; }
static jint advice_random(JNIEnv *e, jclass c) { (void)e; (void)c; return POSIX_FADV_RANDOM; }
static jint advice_sequential(JNIEnv *e, jclass c) { (void)e; (void)c; return POSIX_FADV_SEQUENTIAL; }
static jint advice_willneed(JNIEnv *e, jclass c) { (void)e; (void)c; return POSIX_FADV_WILLNEED; }
static jint advice_dontneed(JNIEnv *e, jclass c) { (void)e; (void)c; return POSIX_FADV_DONTNEED; }

static const JNINativeMethod methods[] = {
    {"fadvise", "(IJJI)I", (void *)fadvise0},
    {"mincore", "(IJJ[B)J", (void *)mincore_file},
    {"mapFile", "(IJJ)J", (void *)map_file},
    {"touchPages", "(JJ)J", (void *)touch_pages},
    {"pagemap", "(J[J)I", (void *)pagemap},
    {"fadvNormal", "()I", (void *)advice_normal},
    {"fadvRandom", "()I", (void *)advice_random},
    {"fadvSequential", "()I", (void *)advice_sequential},
    {"fadvWillNeed", "()I", (void *)advice_willneed},
    {"fadvDontNeed", "()I", (void *)advice_dontneed},
};

int rsplice_residency_register(JNIEnv *env, jclass cls)
{
    return (*env)->RegisterNatives(env, cls, methods, RSPLICE_COUNT(methods));
}
