package io.rsplicefs.fs.store.archive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rsplicefs.fs.store.ByteSource;
import io.rsplicefs.fs.store.StoreFile;
import io.rsplicefs.nativeio.NativeIoException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The archive store's index, without a mount: what it lists, serves and refuses. */
class ArchiveIndexTest {
    @TempDir
    Path dir;

    private ArchiveStore open(byte[] archive) throws Exception {
        Path f = dir.resolve("a" + System.nanoTime());
        Files.write(f, archive);
        return ArchiveStore.open(f, dir, 1 << 20);
    }

    private static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void tarMembersBecomeATree() throws Exception {
        byte[] data = bytes(5000, 1);
        byte[] tar = new TarWriter()
                .file("./a/b/c.bin", data)
                .entry("a/link", '2', new byte[0], "b/c.bin", 0)
                .entry("a/hard", '1', new byte[0], "a/b/c.bin", 0)
                .pax(TarWriter.record("path", "long/" + "n".repeat(200)) + TarWriter.record("mtime", "1700000001.5"))
                .file("ignored-name", new byte[3])
                .end();
        try (ArchiveStore s = open(tar)) {
            assertEquals(List.of("a", "long"), List.of(s.list("/")));
            assertEquals(List.of("b", "hard", "link"), List.of(s.list("/a")));
            assertEquals(5000, s.stat("/a/b/c.bin").size());
            assertEquals(2, s.stat("/a/hard").nlink());
            assertEquals(s.stat("/a/hard").ino(), s.stat("/a/b/c.bin").ino());
            assertEquals("b/c.bin", new String(s.readlink("/a/link"), StandardCharsets.UTF_8));
            assertEquals(0120777 & 0170000, s.stat("/a/link").mode() & 0170000);
            assertEquals(1000, s.stat("/a/b/c.bin").uid());
            assertEquals(1700000001L, s.stat("/long/" + "n".repeat(200)).mtimeSec());
            assertEquals(500_000_000L, s.stat("/long/" + "n".repeat(200)).mtimeNsec());
            assertEquals(3, s.stat("/a").nlink(), "a holds one directory");
            try (StoreFile f = s.open("/a/b/c.bin", 0)) {
                ByteSource.FdRange r = (ByteSource.FdRange) f.source();
                assertEquals(512, r.base(), "the data follows its header");
                assertEquals(5000, r.length());
                assertEquals(false, r.canDonate(), "not page aligned");
            }
            assertEquals(30, assertThrows(NativeIoException.class, () -> s.open("/a/b/c.bin", 1)).errno(), "EROFS");
            assertEquals(2, assertThrows(NativeIoException.class, () -> s.stat("/nope")).errno());
        }
    }

    @Test
    void inodeNumbersAreTheSameAtEveryMount() throws Exception {
        byte[] tar = new TarWriter().file("x", new byte[1]).file("d/y", new byte[2]).end();
        long ino1;
        try (ArchiveStore s = open(tar)) {
            ino1 = s.stat("/d/y").ino();
        }
        try (ArchiveStore s = open(tar)) {
            assertEquals(ino1, s.stat("/d/y").ino());
        }
    }

    @Test
    void badTarMembersAreRefusedAndCounted() throws Exception {
        byte[] tar = new TarWriter()
                .file("../escape", new byte[10])
                .file("/abs/olute", new byte[10])
                .file("dup", new byte[1])
                .file("dup", new byte[2])
                .entry("fifo", '6', new byte[0], null, 0)
                .entry("past-end", '0', new byte[0], null, 1 << 20)
                .unterminated();
        try (ArchiveStore s = open(tar)) {
            assertEquals(List.of("abs", "dup", "past-end"), List.of(s.list("/")), "'..' is left out; '/' stripped");
            assertEquals(2, s.stat("/dup").size(), "the last of a duplicate name is served");
            assertEquals(95, assertThrows(NativeIoException.class, () -> s.open("/past-end", 0)).errno());
            assertEquals(1L, s.counters().get("refusedNames"));
            assertEquals(1L, s.counters().get("duplicateNames"));
            assertEquals(2L, s.counters().get("refusedMembers"), "the FIFO and the truncated member");
            assertTrue(String.join("\n", s.warnings()).contains("past-end"), s.warnings().toString());
        }
    }

    @Test
    void notAnArchiveIsRefusedWithAReason() throws Exception {
        assertTrue(assertThrows(ArchiveException.class, () -> open("garbage".repeat(200).getBytes()))
                .getMessage().contains("not a tar or zip archive"));
        assertTrue(assertThrows(ArchiveException.class, () -> open(new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0}))
                .getMessage().contains("gzip-compressed"));
        byte[] tar = new TarWriter().file("a", new byte[600]).end();
        tar[600] ^= 1; // the second header's... data byte: fine; corrupt the first header instead
        tar[0] ^= 1;
        assertThrows(ArchiveException.class, () -> open(tar));
    }

    private static byte[] zip(boolean stored, int files, int size) throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(b)) {
            for (int i = 0; i < files; i++) {
                byte[] data = bytes(size, i);
                ZipEntry e = new ZipEntry("d/é" + i + ".bin");
                if (stored) {
                    CRC32 crc = new CRC32();
                    crc.update(data);
                    e.setMethod(ZipEntry.STORED);
                    e.setSize(size);
                    e.setCompressedSize(size);
                    e.setCrc(crc.getValue());
                }
                z.putNextEntry(e);
                z.write(data);
                z.closeEntry();
            }
        }
        return b.toByteArray();
    }

    @Test
    void zipStoredAndDeflatedMembers() throws Exception {
        for (boolean stored : new boolean[] {true, false}) {
            try (ArchiveStore s = open(zip(stored, 3, 70_000))) {
                assertEquals(List.of("é0.bin", "é1.bin", "é2.bin"), List.of(s.list("/d")), "UTF-8 names");
                try (StoreFile f = s.open("/d/é1.bin", 0)) {
                    ByteSource.FdRange r = (ByteSource.FdRange) f.source();
                    assertEquals(70_000, r.length());
                    byte[] got = Files.readAllBytes(Path.of("/proc/self/fd/" + r.fd()));
                    byte[] want = bytes(70_000, 1);
                    byte[] slice = java.util.Arrays.copyOfRange(got, (int) r.base(), (int) r.base() + 70_000);
                    assertArrayEquals(want, slice, stored ? "stored: a range of the archive" : "deflated: inflated");
                }
                assertEquals(stored ? 0L : 1L, s.counters().get("inflations"));
            }
        }
    }

    @Test
    void aDeflatedMemberIsInflatedOnceWhileCached() throws Exception {
        try (ArchiveStore s = open(zip(false, 1, 200_000))) {
            for (int i = 0; i < 5; i++) {
                s.open("/d/é0.bin", 0).close();
            }
            assertEquals(1L, s.counters().get("inflations"));
        }
    }

    @Test
    void unusedInflatedMembersAreEvictedBeyondTheBound() throws Exception {
        Path f = dir.resolve("big.zip");
        Files.write(f, zip(false, 4, 400_000));
        try (ArchiveStore s = ArchiveStore.open(f, dir, 1_000_000)) {
            for (int i = 0; i < 4; i++) {
                s.open("/d/é" + i + ".bin", 0).close();
            }
            assertEquals(4L, s.counters().get("inflations"));
            assertTrue(s.counters().get("inflateEvictions") >= 2, s.counters().toString());
            assertTrue(s.counters().get("inflateCacheBytes") <= 1_000_000);
        }
    }

    @Test
    void aCorruptDeflatedMemberFailsWithEioNeverWrongBytes() throws Exception {
        byte[] z = zip(false, 1, 100_000);
        int loc = 30 + "d/é0.bin".getBytes(StandardCharsets.UTF_8).length;
        z[loc + 2000] ^= 0x55; // inside the deflate stream
        try (ArchiveStore s = open(z)) {
            assertEquals(5, assertThrows(NativeIoException.class, () -> s.open("/d/é0.bin", 0)).errno());
            assertEquals(1L, s.counters().get("corruptMembers"));
        }
    }

    @Test
    void encryptedAndUnknownMethodsAreRefusedByName() throws Exception {
        byte[] z = zip(true, 2, 10);
        int cen = indexOf(z, new byte[] {0x50, 0x4b, 0x01, 0x02}, 0);
        z[cen + 8] |= 1; // first entry: encrypted
        int cen2 = indexOf(z, new byte[] {0x50, 0x4b, 0x01, 0x02}, cen + 4);
        z[cen2 + 10] = 12; // second: bzip2
        try (ArchiveStore s = open(z)) {
            NativeIoException e = assertThrows(NativeIoException.class, () -> s.open("/d/é0.bin", 0));
            assertEquals(95, e.errno());
            assertTrue(e.getMessage().contains("encrypted"), e.getMessage());
            assertTrue(assertThrows(NativeIoException.class, () -> s.open("/d/é1.bin", 0)).getMessage()
                    .contains("bzip2"));
        }
    }

    @Test
    void aHundredThousandMembersIndexFromTheCentralDirectoryWithZip64() throws Exception {
        byte[] z = zip(true, 100_000, 0);
        Path f = Files.write(dir.resolve("many.zip"), z);
        z = null;
        long heap0 = usedHeap();
        long t0 = System.nanoTime();
        try (ArchiveStore s = ArchiveStore.open(f, dir, 1 << 20)) {
            long ms = (System.nanoTime() - t0) / 1_000_000;
            long perMember = (usedHeap() - heap0) / 100_000;
            assertEquals(100_000, s.list("/d").length);
            System.out.printf("100,000-member zip (zip64 end record): indexed in %d ms, about %d bytes of heap per"
                    + " member%n", ms, perMember);
        }
    }

    private static long usedHeap() {
        Runtime r = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return r.totalMemory() - r.freeMemory();
    }

    private static int indexOf(byte[] h, byte[] n, int from) {
        outer:
        for (int i = from; i <= h.length - n.length; i++) {
            for (int j = 0; j < n.length; j++) {
                if (h[i + j] != n[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
