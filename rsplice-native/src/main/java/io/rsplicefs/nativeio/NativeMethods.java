package io.rsplicefs.nativeio;

import java.nio.ByteBuffer;

/**
 * The raw natives, registered from {@code JNI_OnLoad}. Each returns a
 * non-negative result or {@code -errno} and never throws; the public facade
 * classes of this package turn negative results into {@link NativeIoException}.
 */
final class NativeMethods {
    private NativeMethods() {
    }

    // errors
    static native String errnoName(int errno);

    static native String errnoMessage(int errno);

    // pipes
    static native long pipeCreate();

    static native int pipeCapacity(int fd);

    static native int pipeSetCapacity(int fd, int size);

    static native int pipeQueued(int fd);

    static native long pipeDrain(int readFd);

    static native int close(int fd);

    static native long threadPipe(int minCapacity);

    static native int threadPipeRelease();

    static native int threadPipeCapacity();

    static native int threadPipesLive();

    // splice and friends
    static native long splice(int fdIn, long offIn, int fdOut, long offOut, long len, int flags);

    static native long spliceFully(int fdIn, long offIn, int fdOut, long offOut, long len, int flags);

    static native long tee(int fdIn, int fdOut, long len, int flags);

    static native long vmsplice(int pipeWriteFd, long address, long len, int flags);

    static native long preadFully(int fd, long address, long len, long offset);

    static native long pwriteFully(int fd, long address, long len, long offset);

    static native int spliceFMove();

    static native int spliceFNonblock();

    static native int spliceFMore();

    static native int spliceFGift();

    // page arenas
    static native long arenaMap(long len);

    static native int arenaUnmap(long address, long len);

    static native int arenaDontNeed(long address, long len);

    static native ByteBuffer arenaBuffer(long address, long len);

    static native long bufferAddress(ByteBuffer buffer);

    static native int pageSize();

    // LRU batches and cachestat (rsplice_lru.c)
    static native long lruPinOpen(String dir);

    static native int lruDrain(long handle);

    static native int lruPinClose(long handle);

    static native long cachedPages(int fd, long offset, long len);

    // residency
    static native int fadvise(int fd, long offset, long len, int advice);

    static native long mincore(int fd, long offset, long len, byte[] bitmap);

    static native long mapFile(int fd, long offset, long len);

    static native long touchPages(long address, long len);

    static native int pagemap(long address, long[] entries);

    static native int fadvNormal();

    static native int fadvRandom();

    static native int fadvSequential();

    static native int fadvWillNeed();

    static native int fadvDontNeed();

    // files
    static native int openat2(int dirFd, String path, int flags, int mode, long resolve);

    static native int openat(int dirFd, String name, int flags, int mode);

    static native int fstatat(int dirFd, String name, int flags, long[] out);

    static native int fstat(int fd, long[] out);

    static native int mkdirat(int dirFd, String name, int mode);

    static native int mknodat(int dirFd, String name, int mode, long rdev);

    static native int unlinkat(int dirFd, String name, int flags);

    static native int renameat2(int oldDir, String oldName, int newDir, String newName, int flags);

    static native int symlinkat(String target, int dirFd, String name);

    static native int linkat(int oldDir, String oldName, int newDir, String newName, int flags);

    static native int readlinkat(int dirFd, String name, byte[] buf);

    static native int fchmodat(int dirFd, String name, int mode, int flags);

    static native int fchownat(int dirFd, String name, int uid, int gid, int flags);

    static native int utimensat(int dirFd, String name, long atimeSec, long atimeNsec,
                                long mtimeSec, long mtimeNsec, int flags);

    static native int faccessat(int dirFd, String name, int mode, int flags);

    static native int ftruncate(int fd, long len);

    static native long lseek(int fd, long offset, int whence);

    static native long copyFileRange(int fdIn, long offIn, int fdOut, long offOut, long len);

    static native int fallocate(int fd, int mode, long offset, long len);

    static native int fsync(int fd, boolean dataOnly);

    static native int fstatvfs(int fd, long[] out);

    static native String[] listDir(int dirFd, int[] err);

    static native int getxattr(int fd, String name, byte[] buf);

    static native int setxattr(int fd, String name, byte[] value, int flags);

    static native int listxattr(int fd, byte[] buf);

    static native int removexattr(int fd, String name);

    static native int umask(int mask);

    // per-thread filesystem credentials (rsplice_creds.c)
    static native int credsEnter(int uid, int gid, int pid);

    static native void credsLeave();

    static native long credsCurrent();

    static native int credsOwnFs();

    // threads
    static native int gettid();

    static native int sysReadNumber();

    static native int pinToCpu(int cpu);

    static native int setsid();

    static native int outputTo(int fd);

    static native int chdirRoot();

    // starting a daemon child (rsplice_spawn.c)
    static native int spawn(String[] argv, int[] pidAndFd);

    static native int waitChild(int pid, boolean block);

    static native int sysSpliceNumber();

    static native int[] fileConstants();

    // the FUSE device (rsplice_fuse.c, rsplice_fusermount.c)
    static native int fuseOpen();

    static native int fuseClone(int masterFd);

    static native int mount(String source, String target, String type, long flags, String data);

    static native int umount(String target, int flags);

    static native long fuseRead(int fd, long address, long len);

    static native long fuseWritev(int fd, long header, int headerLen, long body, long bodyLen);

    static native long pipeRead(int fd, long address, long len);

    static native long fuseSendPipe(int pipeReadFd, int devFd, long total, int flags);

    static native long fuseSendRange(int devFd, int pipeReadFd, int pipeWriteFd, long header, int srcFd, long srcOff,
                                     long len, int flags);

    static native long fuseSpliceRequest(int devFd, int pipeWriteFd, long len);

    static native int[] fuseStructSizes();

    static native int fuseBackingOpen(int devFd, int fd);

    static native int fuseBackingClose(int devFd, int id);

    static native int fusermountMount(String helper, String mountpoint, String options);

    // FUSE over io_uring (rsplice_uring.c)
    static native long uringOpen(int depth, long payloadBytes);

    static native java.nio.ByteBuffer uringBuffer(long ring, int which);

    static native int uringRegister(long ring, int devFd, int qid, int entry);

    static native long uringCommit(long ring, int devFd, int qid, int entry, long commitId, long seg1, int len1,
                                   long seg2, long len2);

    static native long uringWait(long ring, boolean wait);

    static native int uringClose(long ring);

    static native int[] uringLayout();

    static native int uringSparseBuffers(long ring, int slots);

    static native int uringSetBuffer(long ring, int slot, long addr, long len);

    static native int uringReadFixed(long ring, int fd, long off, int slot, long addr, int len, int tag);

    static native int uringWriteFixed(long ring, int fd, long off, int slot, long addr, int len, int tag);

    static native int uringAddQueue(long ring, int devFd, int qid, boolean zeroCopy);

    static native int uringAddBufpool(long ring, int devFd, int qid);
}
