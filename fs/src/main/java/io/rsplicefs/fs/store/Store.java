package io.rsplicefs.fs.store;

import io.rsplicefs.nativeio.FileStat;
import io.rsplicefs.nativeio.FsStat;
import io.rsplicefs.nativeio.NativeIoException;
import java.util.Map;

/**
 * What a mount serves, read-only part. Paths are FUSE paths ("/", "/a/b");
 * failures are {@link NativeIoException}s whose errno is what the kernel
 * would give. A store that can also change its tree implements
 * {@link WritableStore}; the filesystem core answers EROFS to every writing
 * operation on a store that does not.
 */
public interface Store extends AutoCloseable {
    /** A short description for logs and stats, e.g. "directory /srv/data". */
    String describe();

    FileStat stat(String path) throws NativeIoException;

    String[] list(String path) throws NativeIoException;

    byte[] readlink(String path) throws NativeIoException;

    /**
     * Opens a file; {@code flags} are the open(2) flags the client used. A
     * read-only store refuses write access with EROFS.
     */
    StoreFile open(String path, int flags) throws NativeIoException;

    void access(String path, int mask) throws NativeIoException;

    FsStat statfs() throws NativeIoException;

    byte[] getxattr(String path, String name) throws NativeIoException;

    /** NUL-separated names, as listxattr(2) returns them. */
    byte[] listxattr(String path) throws NativeIoException;

    /**
     * Whether nothing this store serves can change while it is mounted: its
     * tree, attributes and file bytes were fixed when it was opened (an archive
     * indexed at mount, which must not be rewritten under the mount). The
     * kernel may then cache names, attributes and pages for the life of the
     * mount. False by default: a directory changes under the mount.
     */
    default boolean unchanging() {
        return false;
    }

    /**
     * Whether its files are whole backing files, which the kernel could read
     * and write itself (FUSE passthrough). False for a store whose files are
     * bytes inside another file (an archive's members) or made on demand.
     */
    default boolean wholeBackingFiles() {
        return true;
    }

    /**
     * Where a file's bytes already lie, ready, in a backing fd that stays open
     * as long as the store (a stored archive member's range of the archive),
     * so that they can be spliced without opening it; null when opening would
     * have to produce them (an inflated member) or the file can change.
     */
    default ByteSource.FdRange bytesAtHand(String path) throws NativeIoException {
        return null;
    }

    /** The store's own counters for the mount's stats (e.g. an archive's members and inflations); none by default. */
    default Map<String, Long> counters() {
        return Map.of();
    }

    @Override
    void close() throws NativeIoException;
}
