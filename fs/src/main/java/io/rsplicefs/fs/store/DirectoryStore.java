package io.rsplicefs.fs.store;

import static io.rsplicefs.nativeio.FileConstants.AT_REMOVEDIR;
import static io.rsplicefs.nativeio.FileConstants.AT_SYMLINK_NOFOLLOW;
import static io.rsplicefs.nativeio.FileConstants.O_ACCMODE;
import static io.rsplicefs.nativeio.FileConstants.O_CLOEXEC;
import static io.rsplicefs.nativeio.FileConstants.O_CREAT;
import static io.rsplicefs.nativeio.FileConstants.O_DIRECTORY;
import static io.rsplicefs.nativeio.FileConstants.O_EXCL;
import static io.rsplicefs.nativeio.FileConstants.O_NOFOLLOW;
import static io.rsplicefs.nativeio.FileConstants.O_PATH;
import static io.rsplicefs.nativeio.FileConstants.O_RDONLY;
import static io.rsplicefs.nativeio.FileConstants.O_TRUNC;
import static io.rsplicefs.nativeio.FileConstants.O_WRONLY;
import static io.rsplicefs.nativeio.FileConstants.RESOLVE_BENEATH;
import static io.rsplicefs.nativeio.FileConstants.RESOLVE_NO_MAGICLINKS;
import static io.rsplicefs.nativeio.FileConstants.RESOLVE_NO_SYMLINKS;

import io.rsplicefs.fs.Errno;
import io.rsplicefs.nativeio.AtFiles;
import io.rsplicefs.nativeio.Credentials;
import io.rsplicefs.nativeio.FileStat;
import io.rsplicefs.nativeio.FsStat;
import io.rsplicefs.nativeio.NativeIoException;
import java.nio.file.Path;

/**
 * A directory as the backing store. Every path is resolved beneath the root
 * fd with openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS), and the last
 * component is acted on with the *at() call and AT_SYMLINK_NOFOLLOW / O_NOFOLLOW.
 * The kernel resolves symlinks of the mounted tree itself, so a symlink in the
 * middle of a path we are handed can only be a swap in the backing directory:
 * it fails with ELOOP instead of leading outside the root.
 * <p>
 * New objects (files, directories, symlinks, special files) are made with the
 * calling thread's filesystem credentials switched to their {@link Creator}
 * for the one *at() call: the kernel gives them that user's owner, group and
 * mode bits and checks that user's permissions, with no moment in which they
 * have another owner. mkdir, symlink and mknod resolve the parent as the
 * daemon and act as the creator; create resolves the whole path as the creator.
 */
public final class DirectoryStore implements WritableStore {
    private static final long RESOLVE = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
    /** Open flags passed on to the backing file; the rest (O_DIRECT, O_APPEND, kernel-internal bits) are not. */
    private static final int PASSED_FLAGS = O_ACCMODE | O_TRUNC;

    private final Path root;
    private final int rootFd;

    private DirectoryStore(Path root, int rootFd) {
        this.root = root;
        this.rootFd = rootFd;
    }

    /** Opens the store; fails with ENOTDIR/ENOENT/EACCES as the kernel says. */
    public static DirectoryStore open(Path root) throws NativeIoException {
        Path abs = root.toAbsolutePath().normalize();
        int fd = AtFiles.openat(-100 /* AT_FDCWD */, abs.toString(), O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
        return new DirectoryStore(abs, fd);
    }

    public Path root() {
        return root;
    }

    @Override
    public String describe() {
        return "directory " + root;
    }

    /** A parent directory fd and the last name of a path; closes the fd if it opened one. */
    private final class Entry implements AutoCloseable {
        final int dirFd;
        final String name;
        private final boolean owned;

        Entry(String path) throws NativeIoException {
            String rel = relative(path);
            int slash = rel.lastIndexOf('/');
            if (slash < 0) {
                dirFd = rootFd;
                name = rel;
                owned = false;
            } else {
                dirFd = AtFiles.openat2(rootFd, rel.substring(0, slash), O_PATH | O_DIRECTORY | O_CLOEXEC, 0,
                        RESOLVE);
                name = rel.substring(slash + 1);
                owned = true;
            }
        }

        @Override
        public void close() throws NativeIoException {
            if (owned) {
                AtFiles.close(dirFd);
            }
        }
    }

    /** "/a/b" -> "a/b"; "/" -> ".". Rejects "..", which the kernel never sends. */
    static String relative(String path) throws NativeIoException {
        String rel = path.startsWith("/") ? path.substring(1) : path;
        if (rel.isEmpty()) {
            return ".";
        }
        for (String part : rel.split("/", -1)) {
            if (part.isEmpty() || part.equals("..") || part.equals(".")) {
                throw new NativeIoException("resolve " + path, Errno.EINVAL);
            }
        }
        return rel;
    }

    private int openBeneath(String path, int flags, int mode) throws NativeIoException {
        return AtFiles.openat2(rootFd, relative(path), flags | O_CLOEXEC | O_NOFOLLOW, mode, RESOLVE);
    }

    @Override
    public FileStat stat(String path) throws NativeIoException {
        try (Entry e = new Entry(path)) {
            return AtFiles.fstatat(e.dirFd, e.name, AT_SYMLINK_NOFOLLOW);
        }
    }

    @Override
    public String[] list(String path) throws NativeIoException {
        int fd = openBeneath(path, O_RDONLY | O_DIRECTORY, 0);
        try {
            return AtFiles.listDir(fd);
        } finally {
            AtFiles.close(fd);
        }
    }

    @Override
    public byte[] readlink(String path) throws NativeIoException {
        try (Entry e = new Entry(path)) {
            return AtFiles.readlinkat(e.dirFd, e.name);
        }
    }

    @Override
    public StoreFile open(String path, int flags) throws NativeIoException {
        return WholeFile.adopt(openBeneath(path, flags & PASSED_FLAGS, 0), path);
    }

    /** A native call made as a {@link Creator}; only already loaded classes may run in it. */
    @FunctionalInterface
    private interface AsCall<T> {
        T run() throws NativeIoException;
    }

    private static <T> T as(Creator c, AsCall<T> call) throws NativeIoException {
        if (c == null) {
            return call.run();
        }
        Credentials.enter(c.uid(), c.gid(), c.pid());
        try {
            return call.run();
        } finally {
            Credentials.leave();
        }
    }

    @Override
    public StoreFile create(String path, int flags, int mode, Creator creator) throws NativeIoException {
        int f = (flags & (PASSED_FLAGS | O_EXCL)) | O_CREAT;
        String rel = relative(path);
        // FUSE passes the file type bits too (S_IFREG); openat2 refuses any mode bit beyond 07777.
        // The whole path is resolved as the creator, as a native open(O_CREAT) of that user would.
        int fd = as(creator, () -> AtFiles.openat2(rootFd, rel, f | O_CLOEXEC | O_NOFOLLOW, mode & 07777, RESOLVE));
        return WholeFile.adopt(fd, path);
    }

    @Override
    public void mkdir(String path, int mode, Creator creator) throws NativeIoException {
        try (Entry e = new Entry(path)) {
            as(creator, () -> {
                AtFiles.mkdirat(e.dirFd, e.name, mode);
                return null;
            });
        }
    }

    @Override
    public void mknod(String path, int mode, long rdev, Creator creator) throws NativeIoException {
        try (Entry e = new Entry(path)) {
            as(creator, () -> {
                AtFiles.mknodat(e.dirFd, e.name, mode, rdev);
                return null;
            });
        }
    }

    @Override
    public void unlink(String path) throws NativeIoException {
        try (Entry e = new Entry(path)) {
            AtFiles.unlinkat(e.dirFd, e.name, 0);
        }
    }

    @Override
    public void rmdir(String path) throws NativeIoException {
        try (Entry e = new Entry(path)) {
            AtFiles.unlinkat(e.dirFd, e.name, AT_REMOVEDIR);
        }
    }

    @Override
    public void rename(String from, String to) throws NativeIoException {
        rename(from, to, 0);
    }

    @Override
    public void rename(String from, String to, int flags) throws NativeIoException {
        try (Entry a = new Entry(from); Entry b = new Entry(to)) {
            AtFiles.renameat2(a.dirFd, a.name, b.dirFd, b.name, flags);
        }
    }

    @Override
    public void symlink(String target, String linkPath, Creator creator) throws NativeIoException {
        try (Entry e = new Entry(linkPath)) {
            as(creator, () -> {
                AtFiles.symlinkat(target, e.dirFd, e.name);
                return null;
            });
        }
    }

    @Override
    public void link(String existing, String newPath) throws NativeIoException {
        try (Entry a = new Entry(existing); Entry b = new Entry(newPath)) {
            AtFiles.linkat(a.dirFd, a.name, b.dirFd, b.name, 0);
        }
    }

    @Override
    public void chmod(String path, int mode) throws NativeIoException {
        try (Entry e = new Entry(path)) {
            AtFiles.fchmodat(e.dirFd, e.name, mode, AT_SYMLINK_NOFOLLOW);
        }
    }

    @Override
    public void chown(String path, int uid, int gid) throws NativeIoException {
        try (Entry e = new Entry(path)) {
            AtFiles.fchownat(e.dirFd, e.name, uid, gid, AT_SYMLINK_NOFOLLOW);
        }
    }

    @Override
    public void truncate(String path, long size) throws NativeIoException {
        int fd = openBeneath(path, O_WRONLY, 0);
        try {
            AtFiles.ftruncate(fd, size);
        } finally {
            AtFiles.close(fd);
        }
    }

    @Override
    public void utimens(String path, long atimeSec, long atimeNsec, long mtimeSec, long mtimeNsec)
            throws NativeIoException {
        try (Entry e = new Entry(path)) {
            AtFiles.utimensat(e.dirFd, e.name, atimeSec, atimeNsec, mtimeSec, mtimeNsec, AT_SYMLINK_NOFOLLOW);
        }
    }

    @Override
    public void access(String path, int mask) throws NativeIoException {
        try (Entry e = new Entry(path)) {
            AtFiles.faccessat(e.dirFd, e.name, mask, AT_SYMLINK_NOFOLLOW);
        }
    }

    @Override
    public FsStat statfs() throws NativeIoException {
        return AtFiles.fstatvfs(rootFd);
    }

    /** A call on an fd; the fd is the store's to close. */
    @FunctionalInterface
    private interface FdCall<T> {
        T apply(int fd) throws NativeIoException;
    }

    /** xattr calls go through an O_PATH fd of the entry itself (never a symlink's target). */
    private <T> T withPathFd(String path, FdCall<T> call) throws NativeIoException {
        int fd = openBeneath(path, O_PATH, 0);
        try {
            return call.apply(fd);
        } finally {
            AtFiles.close(fd);
        }
    }

    @Override
    public byte[] getxattr(String path, String name) throws NativeIoException {
        return withPathFd(path, fd -> AtFiles.getxattr(fd, name));
    }

    @Override
    public void setxattr(String path, String name, byte[] value, int flags) throws NativeIoException {
        withPathFd(path, fd -> {
            AtFiles.setxattr(fd, name, value, flags);
            return null;
        });
    }

    @Override
    public void setxattr(String path, String name, byte[] value, int flags, Creator creator)
            throws NativeIoException {
        withPathFd(path, fd -> as(creator, () -> {
            AtFiles.setxattr(fd, name, value, flags);
            return null;
        }));
    }

    @Override
    public byte[] listxattr(String path) throws NativeIoException {
        return withPathFd(path, fd -> {
            while (true) {
                byte[] buf = new byte[AtFiles.listxattr(fd, null)];
                try {
                    return java.util.Arrays.copyOf(buf, AtFiles.listxattr(fd, buf));
                } catch (NativeIoException e) {
                    if (e.errno() != Errno.ERANGE) { // the list grew meanwhile
                        throw e;
                    }
                }
            }
        });
    }

    @Override
    public void removexattr(String path, String name) throws NativeIoException {
        withPathFd(path, fd -> {
            AtFiles.removexattr(fd, name);
            return null;
        });
    }

    @Override
    public void close() throws NativeIoException {
        AtFiles.close(rootFd);
    }
}
