package io.rsplicefs.fs.core;

import com.kenai.jffi.MemoryIO;
import io.rsplicefs.fs.store.ByteSource;
import io.rsplicefs.fs.store.Store;
import io.rsplicefs.fs.store.StoreFile;
import io.rsplicefs.nativeio.FileStat;
import io.rsplicefs.nativeio.FsStat;
import io.rsplicefs.nativeio.NativeIoException;
import java.util.Map;
import java.util.TreeMap;

/**
 * A second store, to show one can be added without touching a front end: a
 * read-only flat directory of files whose bytes are produced from memory.
 */
final class MemoryStore implements Store {
    private static final int ENOENT = 2;
    private static final int ENODATA = 61;
    private static final int O_ACCMODE = 3;
    private static final int EROFS = 30;
    private static final MemoryIO IO = MemoryIO.getInstance();

    private final Map<String, byte[]> files = new TreeMap<>();

    MemoryStore put(String name, byte[] content) {
        files.put("/" + name, content);
        return this;
    }

    @Override
    public String describe() {
        return "memory (" + files.size() + " files)";
    }

    private byte[] file(String path) throws NativeIoException {
        byte[] b = files.get(path);
        if (b == null) {
            throw new NativeIoException("lookup " + path, ENOENT);
        }
        return b;
    }

    @Override
    public FileStat stat(String path) throws NativeIoException {
        if (path.equals("/")) {
            return new FileStat(1, 1, 040555, 2, 0, 0, 0, 0, 4096, 0, 0, 0, 0, 0, 0, 0);
        }
        byte[] b = file(path);
        return new FileStat(1, 2 + (path.hashCode() & 0xffff), 0100444, 1, 0, 0, 0, b.length, 4096,
                (b.length + 511) / 512, 0, 0, 0, 0, 0, 0);
    }

    @Override
    public String[] list(String path) {
        return files.keySet().stream().map(p -> p.substring(1)).toArray(String[]::new);
    }

    @Override
    public byte[] readlink(String path) throws NativeIoException {
        throw new NativeIoException("readlink " + path, 22);
    }

    @Override
    public StoreFile open(String path, int flags) throws NativeIoException {
        if ((flags & O_ACCMODE) != 0) {
            throw new NativeIoException("open " + path, EROFS);
        }
        byte[] content = file(path);
        FileStat s = stat(path);
        ByteSource.Produced bytes = (address, size, off) -> {
            long n = Math.max(0, Math.min(size, content.length - off));
            IO.putByteArray(address, content, (int) off, (int) n);
            return n;
        };
        return new FixedFile(path, s, bytes);
    }

    @Override
    public void access(String path, int mask) throws NativeIoException {
        stat(path);
    }

    @Override
    public FsStat statfs() {
        return new FsStat(4096, 4096, 0, 0, 0, files.size(), 0, 0, 0, 1, 255);
    }

    @Override
    public byte[] getxattr(String path, String name) throws NativeIoException {
        throw new NativeIoException("getxattr " + name, ENODATA);
    }

    @Override
    public byte[] listxattr(String path) {
        return new byte[0];
    }

    @Override
    public void close() {
    }
}
