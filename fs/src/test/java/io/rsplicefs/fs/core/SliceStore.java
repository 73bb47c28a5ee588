package io.rsplicefs.fs.core;

import io.rsplicefs.fs.store.ByteSource;
import io.rsplicefs.fs.store.Store;
import io.rsplicefs.fs.store.StoreFile;
import io.rsplicefs.nativeio.FileStat;
import io.rsplicefs.nativeio.FsStat;
import io.rsplicefs.nativeio.NativeIoException;

/** One file "/m" that is bytes [base, base+length) of another file's fd, as an archive member is. */
final class SliceStore implements Store {
    private final int fd;
    private final long base;
    private final long length;

    SliceStore(int fd, long base, long length) {
        this.fd = fd;
        this.base = base;
        this.length = length;
    }

    @Override
    public String describe() {
        return "slice";
    }

    @Override
    public FileStat stat(String path) throws NativeIoException {
        if (!path.equals("/m")) {
            throw new NativeIoException("lookup " + path, 2);
        }
        return new FileStat(1, 7, 0100444, 1, 0, 0, 0, length, 4096, 0, 0, 0, 0, 0, 0, 0);
    }

    @Override
    public String[] list(String path) {
        return new String[] {"m"};
    }

    @Override
    public byte[] readlink(String path) throws NativeIoException {
        throw new NativeIoException("readlink", 22);
    }

    @Override
    public StoreFile open(String path, int flags) throws NativeIoException {
        FileStat s = stat(path);
        ByteSource range = new ByteSource.FdRange(fd, base, length);
        return new FixedFile(path, s, range);
    }

    @Override
    public void access(String path, int mask) {
    }

    @Override
    public FsStat statfs() {
        return new FsStat(4096, 4096, 0, 0, 0, 1, 0, 0, 0, 1, 255);
    }

    @Override
    public byte[] getxattr(String path, String name) throws NativeIoException {
        throw new NativeIoException("getxattr", 61);
    }

    @Override
    public byte[] listxattr(String path) {
        return new byte[0];
    }

    @Override
    public void close() {
    }
}
