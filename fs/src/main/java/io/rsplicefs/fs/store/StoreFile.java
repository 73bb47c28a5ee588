package io.rsplicefs.fs.store;

import io.rsplicefs.fs.Errno;
import io.rsplicefs.nativeio.FileStat;
import io.rsplicefs.nativeio.NativeIoException;

/**
 * An open file of a store: where its bytes are, its own attributes and
 * identity, and (for a writable store) the calls that change it. The core
 * never reaches around it to an fd. Closing is idempotent.
 */
public interface StoreFile extends AutoCloseable {
    /** The path it was opened by (for messages). */
    String path();

    /** The file's identity: two names of one file (hard links) have one key. */
    FileKey key();

    /** Its attributes now. */
    FileStat stat() throws NativeIoException;

    ByteSource source();

    /** Writes {@code len} bytes from native memory at {@code address} at file offset {@code off}. */
    default long write(long address, long len, long off) throws NativeIoException {
        throw new NativeIoException("write " + path(), Errno.EROFS);
    }

    /**
     * The fd that takes this file's writes at the file's own offsets, for a
     * write whose bytes the caller moves itself (the kernel's zero-copied
     * WRITE pages, drained by an io_uring write-fixed); EROFS for a store
     * that cannot be written.
     */
    default int writeFd() throws NativeIoException {
        throw new NativeIoException("write " + path(), Errno.EROFS);
    }

    /** Whether {@link #writeFd} has an fd to give. */
    default boolean writesInPlace() {
        return false;
    }

    /**
     * Moves {@code len} bytes from the read end of a pipe into the file at
     * {@code off} without copying them through memory (splice). Returns how
     * many bytes left the pipe, which may be fewer than {@code len}; the
     * caller takes care of the rest.
     */
    default long writeFromPipe(int pipeFd, long len, long off) throws NativeIoException {
        throw new NativeIoException("write " + path(), Errno.EROFS);
    }

    default void truncate(long size) throws NativeIoException {
        throw new NativeIoException("truncate " + path(), Errno.EROFS);
    }

    /** fallocate(2) on the file: {@code mode} is FALLOC_FL_* as the client gave it. */
    default void fallocate(int mode, long off, long len) throws NativeIoException {
        throw new NativeIoException("fallocate " + path(), Errno.EROFS);
    }

    /**
     * lseek(2)'s SEEK_DATA (3) and SEEK_HOLE (4) from {@code off}: where data
     * or a hole starts. A file that knows of no holes is data up to its size.
     */
    default long seek(long off, int whence) throws NativeIoException {
        long size = stat().size();
        if (off >= size) {
            throw new NativeIoException("lseek " + path(), Errno.ENXIO);
        }
        return whence == 3 ? off : size;
    }

    /**
     * Copies {@code len} bytes of {@code src} from file offset {@code srcOff}
     * into this file at {@code off} inside the kernel (copy_file_range(2));
     * returns the bytes copied. EOPNOTSUPP where it cannot: the kernel then
     * copies through the page cache itself.
     */
    default long copyFrom(ByteSource.FdRange src, long srcOff, long len, long off) throws NativeIoException {
        throw new NativeIoException("copy_file_range " + path(), Errno.EOPNOTSUPP);
    }

    /** Nothing to flush for a file that cannot be written. */
    default void fsync(boolean dataOnly) throws NativeIoException {
    }

    /**
     * A hint that the kernel may move this file's backing pages into the FUSE
     * cache (donation on): the store may arrange its cache for that.
     */
    default void prepareForDonation() throws NativeIoException {
    }

    @Override
    void close() throws NativeIoException;
}
