package io.rsplicefs.fs.store.archive;

import io.rsplicefs.fs.Errno;
import io.rsplicefs.fs.store.ByteSource;
import io.rsplicefs.fs.store.FileKey;
import io.rsplicefs.fs.store.Store;
import io.rsplicefs.fs.store.StoreFile;
import io.rsplicefs.nativeio.AtFiles;
import io.rsplicefs.nativeio.FileConstants;
import io.rsplicefs.nativeio.FileStat;
import io.rsplicefs.nativeio.FsStat;
import io.rsplicefs.nativeio.NativeIoException;
import io.rsplicefs.nativeio.Residency;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * A tar or zip archive as a read-only store, chosen by content. The index
 * (built at mount from headers only) is the tree; a stored member is served
 * as a range of the archive's fd (spliced by rsplice, clamped to the member;
 * donated too where its data starts page aligned); a deflated member is
 * inflated once into the {@link InflateCache} and served from there.
 */
public final class ArchiveStore implements Store {
    private static final long ST_RDONLY = 1;

    private final Path archive;
    private final String format;
    private final int fd;
    private final ArchiveTree tree;
    private final InflateCache cache;
    private final long dev;
    private final long archiveSize;
    private final long indexMillis;
    private final LongAdder alignedOpens = new LongAdder();
    private final LongAdder unalignedOpens = new LongAdder();
    private final LongAdder refusedOpens = new LongAdder();

    private ArchiveStore(Path archive, String format, int fd, ArchiveTree tree, InflateCache cache, long dev,
                         long archiveSize, long indexMillis) {
        this.archive = archive;
        this.format = format;
        this.fd = fd;
        this.tree = tree;
        this.cache = cache;
        this.dev = dev;
        this.archiveSize = archiveSize;
        this.indexMillis = indexMillis;
    }

    /**
     * Indexes {@code archive} (tar or zip, by content) and opens it as a store.
     * Deflated members are inflated into {@code cacheDir}, at most
     * {@code cacheBytes} of them kept while unused.
     */
    public static ArchiveStore open(Path archive, Path cacheDir, long cacheBytes) throws ArchiveException {
        long t0 = System.nanoTime();
        int fd;
        try {
            fd = AtFiles.openat(-100, archive.toString(), FileConstants.O_RDONLY | FileConstants.O_CLOEXEC, 0);
        } catch (NativeIoException e) {
            throw new ArchiveException("cannot open " + archive + ": " + e.errnoName());
        }
        try (FileChannel ch = FileChannel.open(Path.of("/proc/self/fd/" + fd), StandardOpenOption.READ)) {
            FileStat st = AtFiles.fstat(fd);
            // Members without owners (zip) belong to whoever mounts, as if they had extracted them.
            ArchiveTree tree = new ArchiveTree(ownerOf("/proc/self", "uid"), ownerOf("/proc/self", "gid"),
                    st.mtimeSec());
            String format = detect(ch, archive);
            if (format.equals("tar")) {
                TarIndex.index(ch, tree);
            } else {
                ZipIndex.index(ch, tree);
            }
            tree.finish();
            long ms = (System.nanoTime() - t0) / 1_000_000;
            return new ArchiveStore(archive, format, fd, tree, new InflateCache(cacheDir, cacheBytes, fd), st.dev(),
                    st.size(), ms);
        } catch (ArchiveException e) {
            closeQuietly(fd);
            throw new ArchiveException(archive + ": " + e.getMessage());
        } catch (IOException | RuntimeException e) {
            closeQuietly(fd);
            throw new ArchiveException(archive + ": cannot read the archive: " + e.getMessage());
        }
    }

    /** "tar" or "zip" by content; a clear refusal for anything else. */
    private static String detect(FileChannel ch, Path archive) throws IOException {
        ByteBuffer head = ByteBuffer.allocate(TarIndex.BLOCK);
        while (head.hasRemaining() && ch.read(head, head.position()) > 0) {
            // read the first block (or what there is)
        }
        byte[] h = head.array();
        int n = head.position();
        if (n == TarIndex.BLOCK && TarIndex.isHeader(h)) {
            return "tar";
        }
        if (ZipIndex.findEnd(ch) >= 0) {
            return "zip";
        }
        String compressed = n >= 2 && (h[0] & 0xff) == 0x1f && (h[1] & 0xff) == 0x8b ? "gzip"
                : n >= 4 && (h[0] & 0xff) == 0x28 && (h[1] & 0xff) == 0xb5 && (h[2] & 0xff) == 0x2f
                        && (h[3] & 0xff) == 0xfd ? "zstd"
                : n >= 3 && h[0] == 'B' && h[1] == 'Z' && h[2] == 'h' ? "bzip2"
                : n >= 6 && (h[0] & 0xff) == 0xfd && h[1] == '7' && h[2] == 'z' && h[3] == 'X' ? "xz" : null;
        if (compressed != null) {
            throw new ArchiveException("this is a " + compressed + "-compressed file: a compressed tar cannot be"
                    + " served by byte ranges; decompress it first (the result mounts), or use a zip");
        }
        if (n == 0) {
            throw new ArchiveException("the file is empty: not a tar or zip archive");
        }
        throw new ArchiveException("not a tar or zip archive (no tar header, no zip end record)");
    }

    private static int ownerOf(String path, String what) throws IOException {
        return (Integer) java.nio.file.Files.getAttribute(Path.of(path), "unix:" + what);
    }

    private static void closeQuietly(int fd) {
        try {
            AtFiles.close(fd);
        } catch (NativeIoException ignored) {
            // nothing more to do
        }
    }

    /** What indexing noticed (refused members, duplicates), for the mount's log. */
    public List<String> warnings() {
        return tree.warnings();
    }

    @Override
    public String describe() {
        return format + " archive " + archive + " (" + tree.members + " members, indexed in " + indexMillis + " ms)";
    }

    @Override
    public Map<String, Long> counters() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("members", tree.members);
        m.put("refusedMembers", tree.refusedMembers);
        m.put("refusedNames", tree.refusedNames);
        m.put("duplicateNames", tree.duplicates);
        m.put("indexMillis", indexMillis);
        m.put("alignedOpens", alignedOpens.sum());
        m.put("unalignedOpens", unalignedOpens.sum());
        m.put("refusedOpens", refusedOpens.sum());
        m.put("inflations", cache.inflations.sum());
        m.put("inflatedBytes", cache.inflatedBytes.sum());
        m.put("inflateCacheBytes", cache.cachedBytes());
        m.put("inflateCacheLimit", cache.maxBytes());
        m.put("inflateEvictions", cache.evictions.sum());
        m.put("corruptMembers", cache.corrupt.sum());
        return m;
    }

    private Node node(String path) throws NativeIoException {
        Node n = tree.root();
        if (path.equals("/")) {
            return n;
        }
        for (String p : path.substring(1).split("/")) {
            if (n.children == null) {
                throw new NativeIoException("lookup " + path, Errno.ENOTDIR);
            }
            n = n.children.get(p);
            if (n == null) {
                throw new NativeIoException("lookup " + path, Errno.ENOENT);
            }
        }
        return n;
    }

    private FileStat stat(Node n) {
        long blocks = n.isDir() ? 8 : (n.size + 511) / 512;
        return new FileStat(dev, n.ino, n.mode(), n.nlink, n.uid, n.gid, 0, n.isDir() ? 4096 : n.size, 4096, blocks,
                n.mtimeSec, n.mtimeNsec, n.mtimeSec, n.mtimeNsec, n.mtimeSec, n.mtimeNsec);
    }

    /** The index is built once at mount and members are never rewritten: nothing here changes while mounted. */
    @Override
    public boolean unchanging() {
        return true;
    }

    /** A member is a range inside the archive, or inflated into the cache: never a whole file. */
    @Override
    public boolean wholeBackingFiles() {
        return false;
    }

    /** A stored member's range of the archive (the archive fd lives as long as the store); inflated ones must be made. */
    @Override
    public ByteSource.FdRange bytesAtHand(String path) throws NativeIoException {
        Node n = node(path);
        if (!n.isFile() || n.refusal != null || n.method != Node.Method.STORED) {
            return null;
        }
        return new ByteSource.FdRange(fd, n.dataOffset, n.size);
    }

    @Override
    public FileStat stat(String path) throws NativeIoException {
        return stat(node(path));
    }

    @Override
    public String[] list(String path) throws NativeIoException {
        Node n = node(path);
        if (!n.isDir()) {
            throw new NativeIoException("list " + path, Errno.ENOTDIR);
        }
        return n.children.keySet().toArray(new String[0]);
    }

    @Override
    public byte[] readlink(String path) throws NativeIoException {
        Node n = node(path);
        if (n.linkTarget == null) {
            throw new NativeIoException("readlink " + path, Errno.EINVAL);
        }
        return n.linkTarget;
    }

    @Override
    public StoreFile open(String path, int flags) throws NativeIoException {
        if ((flags & FileConstants.O_ACCMODE) != FileConstants.O_RDONLY) {
            throw new NativeIoException("open " + path + " for writing", Errno.EROFS);
        }
        Node n = node(path);
        if (!n.isFile()) {
            return new MemberFile(path, n, null, null); // a directory opened for reading: attributes only
        }
        if (n.refusal != null) {
            refusedOpens.increment();
            throw new NativeIoException("open '" + n.memberName + "': " + n.refusal, Errno.EOPNOTSUPP);
        }
        if (n.method == Node.Method.STORED) {
            ByteSource.FdRange range = new ByteSource.FdRange(fd, n.dataOffset, n.size);
            (range.canDonate() ? alignedOpens : unalignedOpens).increment();
            return new MemberFile(path, n, range, null);
        }
        InflateCache.Entry e = cache.acquire(n);
        alignedOpens.increment(); // the cache file starts at offset 0
        return new MemberFile(path, n, new ByteSource.FdRange(e.fd, 0, e.size), e);
    }

    /** An open member: its bytes are a range of the archive, or of its inflated copy. */
    private final class MemberFile implements StoreFile {
        private final String path;
        private final Node node;
        private final ByteSource source;
        private InflateCache.Entry cached;

        MemberFile(String path, Node node, ByteSource source, InflateCache.Entry cached) {
            this.path = path;
            this.node = node;
            this.source = source != null ? source : new ByteSource.FdRange(fd, 0, 0);
            this.cached = cached;
        }

        @Override
        public String path() {
            return path;
        }

        @Override
        public FileKey key() {
            return new FileKey(dev, node.ino);
        }

        @Override
        public FileStat stat() {
            return ArchiveStore.this.stat(node);
        }

        @Override
        public ByteSource source() {
            return source;
        }

        /**
         * Keeps the archive's (or the inflated copy's) cache in order-0 pages: large
         * folios are never moved (see DirectoryStore's files); advice on the shared fd.
         */
        @Override
        public void prepareForDonation() throws NativeIoException {
            if (source instanceof ByteSource.FdRange r) {
                Residency.fadvise(r.fd(), 0, 0, Residency.Advice.RANDOM);
            }
        }

        @Override
        public synchronized void close() {
            if (cached != null) {
                cache.release(cached);
                cached = null;
            }
        }
    }

    @Override
    public void access(String path, int mask) throws NativeIoException {
        node(path);
        if ((mask & 2) != 0) { // W_OK
            throw new NativeIoException("access " + path, Errno.EROFS);
        }
    }

    @Override
    public FsStat statfs() {
        return new FsStat(4096, 4096, (archiveSize + 4095) / 4096, 0, 0, tree.members + 1, 0, 0, dev, ST_RDONLY, 255);
    }

    @Override
    public byte[] getxattr(String path, String name) throws NativeIoException {
        node(path);
        throw new NativeIoException("getxattr " + name, Errno.ENODATA);
    }

    @Override
    public byte[] listxattr(String path) throws NativeIoException {
        node(path);
        return new byte[0];
    }

    @Override
    public void close() {
        cache.close();
        closeQuietly(fd);
    }
}
