package io.rsplicefs.fs.store.archive;

import io.rsplicefs.fs.Errno;
import io.rsplicefs.nativeio.AtFiles;
import io.rsplicefs.nativeio.FileConstants;
import io.rsplicefs.nativeio.NativeIoException;
import io.rsplicefs.nativeio.Splice;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Deflated members, inflated at most once while they stay cached: the first
 * open inflates the whole member into an unlinked file in a disk directory
 * (not tmpfs: its pages must be able to leave its cache, for donation), and
 * every read is then served from that file like a directory store's file, by
 * rsplice. Bytes go archive -> direct buffers -> cache file, never onto the
 * Java heap; the CRC-32 from the archive is checked before the file is used.
 * The cache holds at most {@code maxBytes} of members nobody has open; the
 * least recently used go first (counted). A member in use is never evicted,
 * so the cache can exceed the bound while large members are open.
 */
final class InflateCache implements AutoCloseable {
    private static final int CHUNK = 256 * 1024;

    /** One inflated member: the fd of its unlinked cache file. */
    static final class Entry {
        final int fd;
        final long size;
        int users;

        Entry(int fd, long size) {
            this.fd = fd;
            this.size = size;
        }
    }

    private final Path dir;
    private final long maxBytes;
    private final int archiveFd;
    private final Map<Node, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
    private final Map<Node, Object> inflating = new java.util.HashMap<>();
    private long cachedBytes;
    final LongAdder inflations = new LongAdder();
    final LongAdder inflatedBytes = new LongAdder();
    final LongAdder evictions = new LongAdder();
    final LongAdder corrupt = new LongAdder();

    InflateCache(Path dir, long maxBytes, int archiveFd) {
        this.dir = dir;
        this.maxBytes = maxBytes;
        this.archiveFd = archiveFd;
    }

    Path dir() {
        return dir;
    }

    long maxBytes() {
        return maxBytes;
    }

    synchronized long cachedBytes() {
        return cachedBytes;
    }

    /** The member's inflated bytes, inflating them if they are not cached; release it when done. */
    Entry acquire(Node n) throws NativeIoException {
        Object lock;
        synchronized (this) {
            Entry e = entries.get(n);
            if (e != null) {
                e.users++;
                return e;
            }
            lock = inflating.computeIfAbsent(n, k -> new Object());
        }
        synchronized (lock) { // one inflation per member; others wait for it
            synchronized (this) {
                Entry e = entries.get(n);
                if (e != null) {
                    e.users++;
                    return e;
                }
            }
            Entry e = inflate(n);
            synchronized (this) {
                inflating.remove(n);
                e.users = 1;
                entries.put(n, e);
                cachedBytes += e.size;
                evict();
                return e;
            }
        }
    }

    synchronized void release(Entry e) {
        e.users--;
        evict();
    }

    /** Drops least recently used members nobody has open until the cache fits its bound. */
    private void evict() {
        var it = entries.entrySet().iterator();
        while (cachedBytes > maxBytes && it.hasNext()) {
            Entry e = it.next().getValue();
            if (e.users == 0) {
                it.remove();
                cachedBytes -= e.size;
                evictions.increment();
                closeQuietly(e.fd);
            }
        }
    }

    private Entry inflate(Node n) throws NativeIoException {
        int fd = scratchFile();
        boolean ok = false;
        Inflater inf = new Inflater(true);
        ByteBuffer in = ByteBuffer.allocateDirect(CHUNK);
        ByteBuffer out = ByteBuffer.allocateDirect(CHUNK);
        try (FileChannel archive = FileChannel.open(Path.of("/proc/self/fd/" + archiveFd))) {
            long inPos = n.dataOffset;
            long inEnd = n.dataOffset + n.storedSize;
            long written = 0;
            CRC32 crc = new CRC32();
            long outAddr = Splice.address(out);
            while (!inf.finished()) {
                if (inf.needsInput()) {
                    if (inPos >= inEnd) {
                        throw new DataFormatException("the deflate stream ends early");
                    }
                    in.clear();
                    in.limit((int) Math.min(CHUNK, inEnd - inPos));
                    int r = archive.read(in, inPos);
                    if (r <= 0) {
                        throw new DataFormatException("the archive ends inside the member");
                    }
                    inPos += r;
                    in.flip();
                    inf.setInput(in);
                }
                out.clear();
                int got = inf.inflate(out);
                if (got == 0 && inf.needsDictionary()) {
                    throw new DataFormatException("needs a preset dictionary");
                }
                if (written + got > n.size) {
                    throw new DataFormatException("inflates to more than its " + n.size + " bytes");
                }
                out.flip();
                crc.update(out);
                Splice.pwriteFully(fd, outAddr, got, written);
                written += got;
            }
            if (written != n.size || (n.crc >= 0 && crc.getValue() != n.crc)) {
                throw new DataFormatException(written != n.size ? "inflates to " + written + " of " + n.size + " bytes"
                        : "CRC-32 mismatch");
            }
            inflations.increment();
            inflatedBytes.add(written);
            ok = true;
            return new Entry(fd, n.size);
        } catch (DataFormatException e) {
            corrupt.increment();
            throw new NativeIoException("inflate '" + n.memberName + "': " + e.getMessage(), Errno.EIO);
        } catch (IOException e) {
            throw new NativeIoException("inflate '" + n.memberName + "': " + e.getMessage(), Errno.EIO);
        } finally {
            inf.end();
            if (!ok) {
                closeQuietly(fd);
            }
        }
    }

    /** An unlinked read-write file in the cache directory. */
    private int scratchFile() throws NativeIoException {
        Path tmp;
        try {
            tmp = Files.createTempFile(dir, ".rsplicefs-inflate", ".tmp");
        } catch (IOException e) {
            throw new NativeIoException("create a cache file in " + dir + ": " + e.getMessage(), Errno.ENOSPC);
        }
        try {
            return AtFiles.openat(-100, tmp.toString(), FileConstants.O_RDWR | FileConstants.O_CLOEXEC, 0);
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the name goes with the directory at worst; the open fd holds the data
            }
        }
    }

    private static void closeQuietly(int fd) {
        try {
            AtFiles.close(fd);
        } catch (NativeIoException ignored) {
            // nothing to do about a cache fd that does not close
        }
    }

    @Override
    public synchronized void close() {
        for (Entry e : entries.values()) {
            closeQuietly(e.fd);
        }
        entries.clear();
        cachedBytes = 0;
    }
}
