package io.rsplicefs.fs.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.rsplicefs.fs.MountConfig;
import io.rsplicefs.fs.read.ReplyMemory;
import io.rsplicefs.fs.stats.FsStats;
import io.rsplicefs.fs.stats.MountStats;
import io.rsplicefs.fs.store.DirectoryStore;
import io.rsplicefs.fs.store.ByteSource;
import io.rsplicefs.fs.store.FileKey;
import io.rsplicefs.fs.store.Store;
import io.rsplicefs.fs.store.StoreFile;
import io.rsplicefs.fs.write.WritePath;
import io.rsplicefs.nativeio.FileStat;
import io.rsplicefs.nativeio.FsStat;
import io.rsplicefs.nativeio.NativeIoException;
import io.rsplicefs.nativeio.Pipe;
import io.rsplicefs.nativeio.Splice;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The core's write from a pipe (what libfuse's splice_read hands write_buf): spliced into the file at the
 * offset, or, when the store refuses or splices short, the rest drained into memory and written; either way
 * exactly the payload leaves the pipe, and the counters say which it was.
 */
class WriteFromPipeTest {
    private static final Supplier<Caller> ROOT = () -> new Caller(0, 0, 1);
    private static final int O_RDWR = 2;
    private static final int LEN = 96 * 1024 + 123;
    private static final long OFF = 5000;

    @TempDir
    Path dir;

    /** How the test store's files treat a splice: as the directory store does, refuse it, or splice half. */
    enum Splicing { PLAIN, REFUSED, SHORT }

    @Test
    void splicedIntoTheFileAtTheOffset() throws Exception {
        assertEquals(new MountStats.WriteStats(1, LEN, 1, 0, Map.of(), 0, 0), run(Splicing.PLAIN));
    }

    @Test
    void refusedSpliceFallsBackToACopyWithItsReason() throws Exception {
        assertEquals(new MountStats.WriteStats(1, LEN, 0, 1, Map.of("fallback: splice EINVAL", 1L), 0, 0),
                run(Splicing.REFUSED));
    }

    @Test
    void shortSpliceWritesTheRestFromMemory() throws Exception {
        assertEquals(new MountStats.WriteStats(1, LEN, 0, 1, Map.of("fallback: short splice", 1L), 0, 0),
                run(Splicing.SHORT));
    }

    @Test
    void aPipeHoldingLessThanDeclaredIsAnError() throws Exception {
        Files.write(dir.resolve("f"), new byte[0]);
        FsCore core = core(new Wrapping(DirectoryStore.open(dir), Splicing.SHORT));
        long fh = core.open("/f", O_RDWR, ROOT);
        byte[] data = new byte[8192];
        long mem = ReplyMemory.allocate(data.length);
        try (Pipe p = Pipe.create()) {
            fill(mem, data);
            Splice.vmsplice(p.writeFd(), mem, data.length, 0);
            assertEquals(5, assertThrows(NativeIoException.class,
                    () -> core.writeFromPipe(fh, p.readFd(), data.length + 4096, 0)).errno(), "EIO");
        } finally {
            ReplyMemory.free(mem);
            core.release(fh);
        }
        assertEquals(1, core.stats().snapshot().writes().errors());
    }

    private MountStats.WriteStats run(Splicing splicing) throws Exception {
        byte[] data = new byte[LEN];
        new Random(LEN).nextBytes(data);
        Files.write(dir.resolve("f"), new byte[(int) OFF]);
        FsCore core = core(new Wrapping(DirectoryStore.open(dir), splicing));
        long fh = core.open("/f", O_RDWR, ROOT);
        long mem = ReplyMemory.allocate(LEN);
        try (Pipe p = Pipe.create()) {
            p.setCapacity(256 * 1024);
            fill(mem, data);
            assertEquals(LEN, Splice.vmsplice(p.writeFd(), mem, LEN, 0));
            assertEquals(LEN, core.writeFromPipe(fh, p.readFd(), LEN, OFF));
            assertEquals(0, p.queued(), "exactly the payload left the pipe");
        } finally {
            ReplyMemory.free(mem);
            core.release(fh);
        }
        byte[] file = Files.readAllBytes(dir.resolve("f"));
        assertEquals(OFF + LEN, file.length);
        assertArrayEquals(data, java.util.Arrays.copyOfRange(file, (int) OFF, file.length));
        return core.stats().snapshot().writes();
    }

    private static void fill(long mem, byte[] data) {
        for (int i = 0; i < data.length; i++) {
            com.kenai.jffi.MemoryIO.getInstance().putByte(mem + i, data[i]);
        }
    }

    private FsCore core(Store store) {
        MountConfig c = new MountConfig(dir, dir.resolve("mnt")).writePath(WritePath.SPLICE);
        FsStats stats = new FsStats();
        stats.mountInfo(new MountStats.MountInfo("test", store.describe(), "", "", 0, "auto", "auto", false, true,
                "", "splice"));
        return new FsCore(store, c, stats);
    }

    /** A directory store whose files splice as {@link Splicing} says. */
    private record Wrapping(DirectoryStore store, Splicing splicing) implements Store {
        @Override
        public String describe() {
            return "wrapping " + store.describe();
        }

        @Override
        public FileStat stat(String path) throws NativeIoException {
            return store.stat(path);
        }

        @Override
        public String[] list(String path) throws NativeIoException {
            return store.list(path);
        }

        @Override
        public byte[] readlink(String path) throws NativeIoException {
            return store.readlink(path);
        }

        @Override
        public StoreFile open(String path, int flags) throws NativeIoException {
            StoreFile f = store.open(path, flags);
            return new StoreFile() {
                @Override
                public String path() {
                    return f.path();
                }

                @Override
                public FileKey key() {
                    return f.key();
                }

                @Override
                public FileStat stat() throws NativeIoException {
                    return f.stat();
                }

                @Override
                public ByteSource source() {
                    return f.source();
                }

                @Override
                public long write(long address, long len, long off) throws NativeIoException {
                    return f.write(address, len, off);
                }

                @Override
                public long writeFromPipe(int pipeFd, long len, long off) throws NativeIoException {
                    return switch (splicing) {
                        case PLAIN -> f.writeFromPipe(pipeFd, len, off);
                        case REFUSED -> throw new NativeIoException("splice", 22);
                        case SHORT -> f.writeFromPipe(pipeFd, len / 2, off);
                    };
                }

                @Override
                public void close() throws NativeIoException {
                    f.close();
                }
            };
        }

        @Override
        public void access(String path, int mask) throws NativeIoException {
            store.access(path, mask);
        }

        @Override
        public FsStat statfs() throws NativeIoException {
            return store.statfs();
        }

        @Override
        public byte[] getxattr(String path, String name) throws NativeIoException {
            return store.getxattr(path, name);
        }

        @Override
        public byte[] listxattr(String path) throws NativeIoException {
            return store.listxattr(path);
        }

        @Override
        public void close() throws NativeIoException {
            store.close();
        }
    }
}
