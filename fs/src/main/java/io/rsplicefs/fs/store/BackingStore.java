package io.rsplicefs.fs.store;

import io.rsplicefs.nativeio.FileStat;
import io.rsplicefs.nativeio.FsStat;
import io.rsplicefs.nativeio.NativeIoException;

/**
 * What the filesystem mirrors. Paths are FUSE paths ("/", "/a/b"); failures
 * are {@link NativeIoException}s whose errno is what the kernel would give.
 * A directory is the only store today; an archive store would answer the
 * metadata calls and refuse the writing ones with EROFS.
 */
public interface BackingStore extends AutoCloseable {
    /** A short description for logs and stats, e.g. "directory /srv/data". */
    String describe();

    FileStat stat(String path) throws NativeIoException;

    String[] list(String path) throws NativeIoException;

    byte[] readlink(String path) throws NativeIoException;

    OpenFile open(String path, int flags) throws NativeIoException;

    OpenFile create(String path, int flags, int mode) throws NativeIoException;

    void mkdir(String path, int mode) throws NativeIoException;

    void unlink(String path) throws NativeIoException;

    void rmdir(String path) throws NativeIoException;

    void rename(String from, String to) throws NativeIoException;

    void symlink(String target, String linkPath) throws NativeIoException;

    void link(String existing, String newPath) throws NativeIoException;

    void chmod(String path, int mode) throws NativeIoException;

    void chown(String path, int uid, int gid) throws NativeIoException;

    void truncate(String path, long size) throws NativeIoException;

    void utimens(String path, long atimeSec, long atimeNsec, long mtimeSec, long mtimeNsec)
            throws NativeIoException;

    void access(String path, int mask) throws NativeIoException;

    FsStat statfs() throws NativeIoException;

    byte[] getxattr(String path, String name) throws NativeIoException;

    void setxattr(String path, String name, byte[] value, int flags) throws NativeIoException;

    byte[] listxattr(String path) throws NativeIoException;

    void removexattr(String path, String name) throws NativeIoException;

    @Override
    void close() throws NativeIoException;
}
