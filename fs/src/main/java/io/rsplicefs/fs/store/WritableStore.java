package io.rsplicefs.fs.store;

import io.rsplicefs.nativeio.NativeIoException;

/**
 * A store whose tree can be changed through the mount (a directory). The calls
 * that make a new object take its {@link Creator} (null: the daemon's own
 * credentials) and must create it as that user in one step.
 */
public interface WritableStore extends Store {
    StoreFile create(String path, int flags, int mode, Creator creator) throws NativeIoException;

    void mkdir(String path, int mode, Creator creator) throws NativeIoException;

    /** A FIFO, Unix socket, or device ({@code mode} carries the type); {@code rdev} for devices. */
    void mknod(String path, int mode, long rdev, Creator creator) throws NativeIoException;

    void unlink(String path) throws NativeIoException;

    void rmdir(String path) throws NativeIoException;

    void rename(String from, String to) throws NativeIoException;

    /** renameat2(2) flags (RENAME_NOREPLACE, RENAME_EXCHANGE); a store that has none refuses them (EINVAL). */
    default void rename(String from, String to, int flags) throws NativeIoException {
        if (flags != 0) {
            throw new NativeIoException("rename flags " + flags, io.rsplicefs.fs.Errno.EINVAL);
        }
        rename(from, to);
    }

    void symlink(String target, String linkPath, Creator creator) throws NativeIoException;

    void link(String existing, String newPath) throws NativeIoException;

    void chmod(String path, int mode) throws NativeIoException;

    void chown(String path, int uid, int gid) throws NativeIoException;

    void truncate(String path, long size) throws NativeIoException;

    void utimens(String path, long atimeSec, long atimeNsec, long mtimeSec, long mtimeNsec)
            throws NativeIoException;

    void setxattr(String path, String name, byte[] value, int flags) throws NativeIoException;

    /**
     * setxattr made as {@code creator} (null: the daemon): for a POSIX ACL the
     * backing filesystem then applies the caller's rules (an owner outside the
     * file's group loses its setgid bit). A store without credentials ignores it.
     */
    default void setxattr(String path, String name, byte[] value, int flags, Creator creator)
            throws NativeIoException {
        setxattr(path, name, value, flags);
    }

    void removexattr(String path, String name) throws NativeIoException;
}
