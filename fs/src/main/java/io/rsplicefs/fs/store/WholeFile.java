package io.rsplicefs.fs.store;

import io.rsplicefs.nativeio.AtFiles;
import io.rsplicefs.nativeio.FileStat;
import io.rsplicefs.nativeio.NativeIoException;
import io.rsplicefs.nativeio.Residency;
import io.rsplicefs.nativeio.Splice;
import java.util.concurrent.atomic.AtomicBoolean;

/** An open file that is a whole backing file behind one fd (a directory store's files, the gift probe). */
public final class WholeFile implements StoreFile {
    private final int fd;
    private final String path;
    private final FileKey key;
    private final ByteSource source;
    private final AtomicBoolean closed = new AtomicBoolean();

    /** Takes ownership of {@code fd}: closes it if it cannot be described. */
    public static WholeFile adopt(int fd, String path) throws NativeIoException {
        try {
            FileStat s = AtFiles.fstat(fd);
            return new WholeFile(fd, path, new FileKey(s.dev(), s.ino()));
        } catch (NativeIoException | RuntimeException e) {
            AtFiles.close(fd);
            throw e;
        }
    }

    private WholeFile(int fd, String path, FileKey key) {
        this.fd = fd;
        this.path = path;
        this.key = key;
        this.source = ByteSource.FdRange.wholeFile(fd);
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public FileKey key() {
        return key;
    }

    @Override
    public FileStat stat() throws NativeIoException {
        return AtFiles.fstat(fd);
    }

    @Override
    public ByteSource source() {
        return source;
    }

    @Override
    public long write(long address, long len, long off) throws NativeIoException {
        return Splice.pwriteFully(fd, address, len, off);
    }

    @Override
    public int writeFd() {
        return fd;
    }

    @Override
    public boolean writesInPlace() {
        return true;
    }

    /** splice pipe -> fd at the offset; non-blocking on the pipe, so a pipe with less than len bytes yields a short count. */
    @Override
    public long writeFromPipe(int pipeFd, long len, long off) throws NativeIoException {
        return Splice.spliceFully(pipeFd, Splice.NO_OFFSET, fd, off, len, Splice.F_NONBLOCK);
    }

    @Override
    public long seek(long off, int whence) throws NativeIoException {
        return AtFiles.lseek(fd, off, whence);
    }

    @Override
    public long copyFrom(ByteSource.FdRange src, long srcOff, long len, long off) throws NativeIoException {
        long n = src.clamp(srcOff, len);
        return n == 0 ? 0 : AtFiles.copyFileRange(src.fd(), src.position(srcOff), fd, off, n);
    }

    @Override
    public void truncate(long size) throws NativeIoException {
        AtFiles.ftruncate(fd, size);
    }

    @Override
    public void fallocate(int mode, long off, long len) throws NativeIoException {
        AtFiles.fallocate(fd, mode, off, len);
    }

    @Override
    public void fsync(boolean dataOnly) throws NativeIoException {
        AtFiles.fsync(fd, dataOnly);
    }

    /**
     * ext4 on 6.x caches sequentially read files in large folios, which are
     * never moved; random advice keeps this fd's cache in order-0 pages (cost:
     * no backing readahead).
     */
    @Override
    public void prepareForDonation() throws NativeIoException {
        Residency.fadvise(fd, 0, 0, Residency.Advice.RANDOM);
    }

    @Override
    public void close() throws NativeIoException {
        if (closed.compareAndSet(false, true)) {
            AtFiles.close(fd);
        }
    }
}
