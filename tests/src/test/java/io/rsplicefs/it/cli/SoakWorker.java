package io.rsplicefs.it.cli;

import io.rsplicefs.it.support.TestData;
import io.rsplicefs.it.support.Uncached;
import io.rsplicefs.it.support.Unmap;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One soak thread: a seeded random mix of reads (uncached random ranges,
 * whole files, mmap), writes to its own file (checked against an in-memory
 * copy), open/close bursts and metadata operations (create, stat, rename,
 * xattrs, chmod, readdir, mkdir, unlink), all through the mount. Any wrong
 * byte or unexpected error stops it with the seed and operation number.
 * The daemon runs in another JVM, so mmap from this one is safe.
 */
final class SoakWorker implements Runnable {
    enum Op { RANDOM_READ, WHOLE_READ, MMAP_READ, WRITE, VERIFY_OWN, OPEN_CLOSE, METADATA }

    static final int MAX_OWN = 4 << 20;

    private final Path mnt;
    private final List<Path> readOnly;
    private final List<byte[]> readOnlyBytes;
    private final int id;
    private final long seed;
    private final AtomicBoolean stop;
    private final Map<Op, AtomicLong> counts = new EnumMap<>(Op.class);
    private final byte[] own = new byte[MAX_OWN];
    private int ownSize;
    private long op;
    private volatile Throwable failure;

    SoakWorker(Path mnt, List<Path> readOnly, List<byte[]> readOnlyBytes, int id, long seed, AtomicBoolean stop) {
        this.mnt = mnt;
        this.readOnly = readOnly;
        this.readOnlyBytes = readOnlyBytes;
        this.id = id;
        this.seed = seed;
        this.stop = stop;
        for (Op o : Op.values()) {
            counts.put(o, new AtomicLong());
        }
    }

    Path ownFile() {
        return mnt.resolve("rw/w" + id);
    }

    Throwable failure() {
        return failure;
    }

    Map<Op, AtomicLong> counts() {
        return counts;
    }

    @Override
    public void run() {
        SplittableRandom rnd = new SplittableRandom(seed);
        Op current = null;
        try {
            Files.write(ownFile(), new byte[0]);
            while (!stop.get()) {
                op++;
                int k = rnd.nextInt(100);
                current = k < 30 ? Op.RANDOM_READ : k < 37 ? Op.WHOLE_READ : k < 45 ? Op.MMAP_READ
                        : k < 65 ? Op.WRITE : k < 70 ? Op.VERIFY_OWN : k < 80 ? Op.OPEN_CLOSE : Op.METADATA;
                switch (current) {
                    case RANDOM_READ -> randomRead(rnd);
                    case WHOLE_READ -> wholeRead(rnd);
                    case MMAP_READ -> mmapRead(rnd);
                    case WRITE -> write(rnd);
                    case VERIFY_OWN -> verifyOwn();
                    case OPEN_CLOSE -> openClose(rnd);
                    case METADATA -> metadata(rnd);
                }
                counts.get(current).incrementAndGet();
            }
        } catch (Throwable t) {
            failure = new AssertionError("soak thread " + id + " (seed " + seed + ") failed at operation " + op
                    + " (" + current + ")", t);
        }
    }

    private void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }

    private void randomRead(SplittableRandom rnd) throws Exception {
        int i = rnd.nextInt(readOnly.size());
        byte[] want = readOnlyBytes.get(i);
        int off = rnd.nextInt(want.length);
        int len = 1 + rnd.nextInt(256 << 10);
        try (Uncached u = new Uncached(readOnly.get(i), len)) {
            byte[] got = u.readUncached(off, len);
            check(got.length == Math.min(len, want.length - off), "length of " + len + " at " + off);
            check(TestData.mismatch(want, off, got, got.length) < 0, readOnly.get(i) + " at " + off);
        }
    }

    private void wholeRead(SplittableRandom rnd) throws Exception {
        int i = rnd.nextInt(readOnly.size());
        byte[] want = readOnlyBytes.get(i);
        try (Uncached u = new Uncached(readOnly.get(i), 128 << 10)) {
            u.dropCache();
            for (int off = 0; off < want.length; off += 128 << 10) {
                byte[] got = u.read(off, 128 << 10);
                check(got.length == Math.min(128 << 10, want.length - off), "whole read length at " + off);
                check(TestData.mismatch(want, off, got, got.length) < 0, readOnly.get(i) + " at " + off);
            }
        }
    }

    private void mmapRead(SplittableRandom rnd) throws Exception {
        int i = rnd.nextInt(readOnly.size());
        byte[] want = readOnlyBytes.get(i);
        int off = rnd.nextInt(want.length) & ~4095;
        int len = Math.min(want.length - off, 1 + rnd.nextInt(512 << 10));
        try (FileChannel ch = FileChannel.open(readOnly.get(i), StandardOpenOption.READ)) {
            MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_ONLY, off, len);
            byte[] got = new byte[len];
            map.get(got);
            Unmap.now(map);
            check(TestData.mismatch(want, off, got, len) < 0, "mmap of " + readOnly.get(i) + " at " + off);
        }
    }

    private void write(SplittableRandom rnd) throws Exception {
        try (FileChannel ch = FileChannel.open(ownFile(), StandardOpenOption.WRITE)) {
            if (rnd.nextInt(10) == 0) {
                int size = rnd.nextInt(2 << 20);
                if (size < ownSize) { // FileChannel.truncate never grows a file
                    ch.truncate(size);
                    ownSize = size;
                }
                return;
            }
            int off = rnd.nextInt(3 << 20);
            byte[] data = new byte[1 + rnd.nextInt(128 << 10)];
            rnd.nextBytes(data);
            ByteBuffer b = ByteBuffer.wrap(data);
            while (b.hasRemaining()) {
                ch.write(b, off + b.position());
            }
            if (off > ownSize) {
                Arrays.fill(own, ownSize, off, (byte) 0); // the hole reads as zeros
            }
            System.arraycopy(data, 0, own, off, data.length);
            ownSize = Math.max(ownSize, off + data.length);
            if (rnd.nextInt(10) == 0) {
                ch.force(true);
            }
        }
    }

    private void verifyOwn() throws Exception {
        byte[] got = Files.readAllBytes(ownFile());
        check(got.length == ownSize, "own file size " + got.length + ", expected " + ownSize);
        check(Arrays.mismatch(own, 0, ownSize, got, 0, ownSize) < 0, "own file bytes");
    }

    private void openClose(SplittableRandom rnd) throws Exception {
        for (int n = 0; n < 10; n++) {
            try (FileChannel ch = FileChannel.open(readOnly.get(rnd.nextInt(readOnly.size())))) {
                check(ch.size() > 0, "size");
            }
        }
    }

    private void metadata(SplittableRandom rnd) throws Exception {
        Path dir = mnt.resolve("meta/t" + id);
        Files.createDirectories(dir);
        Path a = dir.resolve("a" + rnd.nextInt(8));
        Path b = dir.resolve("b" + rnd.nextInt(8));
        Files.writeString(a, "x" + op);
        check(Files.size(a) == ("x" + op).length(), "size after create");
        UserDefinedFileAttributeView x = Files.getFileAttributeView(a, UserDefinedFileAttributeView.class);
        x.write("soak", StandardCharsets.UTF_8.encode("v" + op));
        ByteBuffer v = ByteBuffer.allocate(64);
        x.read("soak", v);
        v.flip();
        check(StandardCharsets.UTF_8.decode(v).toString().equals("v" + op), "xattr");
        String mode = rnd.nextBoolean() ? "rw-r-----" : "rw-------";
        Files.setPosixFilePermissions(a, PosixFilePermissions.fromString(mode));
        Files.move(a, b, StandardCopyOption.REPLACE_EXISTING);
        try (var s = Files.list(dir)) {
            check(s.anyMatch(p -> p.equals(b)), "listed after rename");
        }
        Path sub = dir.resolve("sub");
        Files.createDirectory(sub);
        Files.delete(sub);
        Files.delete(b);
        try {
            Files.size(b);
            throw new AssertionError("deleted file still there");
        } catch (NoSuchFileException expected) {
            // gone
        }
    }
}
