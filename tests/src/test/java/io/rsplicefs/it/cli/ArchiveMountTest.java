package io.rsplicefs.it.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rsplicefs.fs.stats.MountStats;
import io.rsplicefs.it.support.TestEngine;
import io.rsplicefs.it.support.Backing;
import io.rsplicefs.it.support.KernelMoves;
import io.rsplicefs.nativeio.AtFiles;
import io.rsplicefs.nativeio.FileConstants;
import io.rsplicefs.nativeio.PageFrames;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Archives mounted through the CLI (the daemon is its own JVM, so this one may
 * mmap freely): every member byte-exact against what tar -x / unzip extract,
 * with the same attributes; random, concurrent and mmap reads; donation on a
 * page-aligned zip; bad archives refused or served per member, never by wrong
 * bytes.
 */
@Tag("fuse")
class ArchiveMountTest extends CliTestBase {
    private static final int[] SIZES = {0, 1, 4095, 4096, 4097, (1 << 20) + 3, 64 << 20};

    private Path tree() throws IOException {
        Path src = dir("tree");
        Random r = new Random(3);
        for (int size : SIZES) {
            byte[] b = new byte[size];
            r.nextBytes(b);
            Files.write(src.resolve("f" + size + ".bin"), b);
        }
        Path deep = Files.createDirectories(src.resolve("a/" + "d".repeat(120) + "/b"));
        Files.writeString(deep.resolve("n".repeat(150) + ".txt"), "long name\n");
        Files.writeString(src.resolve("a/ünïcødé ✓.txt"), "utf-8\n");
        Files.createDirectories(src.resolve("empty-dir"));
        Files.createSymbolicLink(src.resolve("a/link"), Path.of("../f4097.bin"));
        Files.createLink(src.resolve("a/hard.bin"), src.resolve("f4096.bin"));
        return src;
    }

    private static void run(Path dir, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), String.join(" ", cmd));
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + ": " + out);
    }

    /** Builds the archive with the real tools; returns it. */
    private Path archive(String kind, Path tree) throws Exception {
        Path a = base.resolve("archive." + kind);
        if (kind.endsWith("zip")) {
            // CI's host installs zip and unzip (.ci/run); a guest image without them has no zip to compare with.
            Assumptions.assumeTrue(Host.onPath("zip") && Host.onPath("unzip"), "zip and unzip are not installed");
        }
        switch (kind) {
            case "gnu-tar" -> run(tree, "tar", "--format=gnu", "-cf", a.toString(), ".");
            case "pax-tar" -> run(tree, "tar", "--format=pax", "-cf", a.toString(), ".");
            case "stored-zip" -> run(tree, "zip", "-q", "-r", "-y", "-0", a.toString(), ".");
            case "deflated-zip" -> run(tree, "zip", "-q", "-r", "-y", "-6", a.toString(), ".");
            default -> throw new IllegalArgumentException(kind);
        }
        return a;
    }

    private Path extract(String kind, Path archive) throws Exception {
        Path x = dir("extracted");
        if (kind.endsWith("tar")) {
            run(x, "tar", "-xf", archive.toString());
        } else {
            run(x, "unzip", "-q", archive.toString());
        }
        return x;
    }

    private Path mount(Path archive, String... options) throws Exception {
        Path mp = dir("mnt");
        List<String> args = new ArrayList<>(List.of("mount"));
        args.addAll(List.of(options));
        args.add(archive.toString());
        args.add(mp.toString());
        cli.run(args.toArray(new String[0])).succeeds();
        return mp;
    }

    private static List<Path> walk(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.map(root::relativize).filter(p -> !p.toString().isEmpty()).sorted().toList();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"gnu-tar", "pax-tar", "stored-zip", "deflated-zip"})
    void membersAreWhatExtractingGives(String kind) throws Exception {
        Path a = archive(kind, tree());
        Path x = extract(kind, a);
        Path mp = mount(a);
        try {
            assertEquals(walk(x), walk(mp), "the same names");
            for (Path rel : walk(x)) {
                Path want = x.resolve(rel);
                Path got = mp.resolve(rel);
                Map<String, Object> w = Files.readAttributes(want, "unix:mode,size,nlink,uid,gid,lastModifiedTime",
                        LinkOption.NOFOLLOW_LINKS);
                Map<String, Object> g = Files.readAttributes(got, "unix:mode,size,nlink,uid,gid,lastModifiedTime",
                        LinkOption.NOFOLLOW_LINKS);
                assertEquals(w.get("mode"), g.get("mode"), rel + " mode");
                if (Files.isSymbolicLink(want)) {
                    assertEquals(Files.readSymbolicLink(want), Files.readSymbolicLink(got), rel + " target");
                    continue; // unzip does not restore a symlink's time
                }
                if (!Files.isDirectory(want)) {
                    assertEquals(w.get("size"), g.get("size"), rel + " size");
                    assertEquals(-1L, Files.mismatch(want, got), rel + " bytes");
                }
                if (kind.endsWith("tar")) {
                    assertEquals(w.get("nlink"), g.get("nlink"), rel + " links");
                    assertEquals(w.get("uid"), g.get("uid"), rel + " owner");
                    assertEquals(w.get("gid"), g.get("gid"), rel + " group");
                }
                assertEquals(((FileTime) w.get("lastModifiedTime")).toMillis() / 1000,
                        ((FileTime) g.get("lastModifiedTime")).toMillis() / 1000, rel + " mtime");
            }
            assertThrows(FileSystemException.class, () -> Files.writeString(mp.resolve("new"), "x"), "read-only");
            randomReads(x.resolve("f" + (64 << 20) + ".bin"), mp.resolve("f" + (64 << 20) + ".bin"));
            concurrentReaders(x.resolve("f" + (64 << 20) + ".bin"), mp.resolve("f" + (64 << 20) + ".bin"));
            mmapRead(x.resolve("f" + ((1 << 20) + 3) + ".bin"), mp.resolve("f" + ((1 << 20) + 3) + ".bin"));
            MountStats stats = MountStats.fromJson(cli.run("stats", "--json", mp.toString()).succeeds().out());
            assertTrue(stats.mount().store().contains(kind.endsWith("tar") ? "tar archive" : "zip archive"));
            assertEquals(0L, stats.store().get("refusedMembers"));
            assertEquals(Map.of(), stats.callbackFailures());
            long spliced = stats.readPaths().values().stream().mapToLong(MountStats.ReadPathStats::spliceReplies).sum();
            assertTrue(spliced > 0, "members are served by splicing: " + stats.readPath("auto"));
            MountStats.PassthroughStats pt = stats.passthrough();
            // auto passes whole files through; a member's bytes lie inside the archive, the daemon serves them.
            assertEquals(0L, pt.opens(), pt.toString());
            if (TestEngine.isDirect() && !pt.status().equals("off")) {
                assertTrue(pt.status().contains("bytes inside another file"), pt.toString());
            }
            if (kind.equals("deflated-zip")) {
                assertTrue(stats.store().get("inflations") > 0);
            }
        } finally {
            cli.run("umount", mp.toString()).succeeds();
        }
    }

    private static void randomReads(Path want, Path got) throws IOException {
        Random r = new Random(11);
        try (RandomAccessFile w = new RandomAccessFile(want.toFile(), "r");
             RandomAccessFile g = new RandomAccessFile(got.toFile(), "r")) {
            for (int i = 0; i < 300; i++) {
                long off = (long) (r.nextDouble() * (w.length() + 10_000));
                int len = 1 + r.nextInt(300_000);
                byte[] a = new byte[len];
                byte[] b = new byte[len];
                w.seek(off);
                g.seek(off);
                int na = Math.max(0, w.read(a));
                int nb = Math.max(0, g.read(b));
                assertEquals(na, nb, "read of " + len + " at " + off);
                assertArrayEquals(a, b, "read of " + len + " at " + off);
            }
        }
    }

    private static byte[] digest(Path p) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (var in = Files.newInputStream(p)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return md.digest();
    }

    private static void concurrentReaders(Path want, Path got) throws Exception {
        byte[] expected = digest(want);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<byte[]>> all = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                all.add(pool.submit(() -> digest(got)));
            }
            for (Future<byte[]> f : all) {
                assertArrayEquals(expected, f.get(2, TimeUnit.MINUTES), "a concurrent reader's bytes");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Mapped natively, so the mapping is gone when the test unmounts (a MappedByteBuffer lives until GC). */
    private static void mmapRead(Path want, Path got) throws Exception {
        long size = Files.size(got);
        int fd = AtFiles.openat(-100, got.toString(), FileConstants.O_RDONLY | FileConstants.O_CLOEXEC, 0);
        try {
            long map = PageFrames.mapFile(fd, 0, size);
            try {
                byte[] b = new byte[(int) size];
                PageFrames.view(map, size).get(b);
                assertArrayEquals(Files.readAllBytes(want), b, "mmap read");
            } finally {
                PageFrames.unmap(map, size);
            }
        } finally {
            AtFiles.close(fd);
        }
    }

    /** A stored zip whose member data starts at {@code align} (4096: page aligned, like zipalign -p). */
    private static byte[] storedZip(byte[] data, int shift) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(buf)) {
            ZipEntry e = new ZipEntry("member.bin");
            CRC32 crc = new CRC32();
            crc.update(data);
            e.setMethod(ZipEntry.STORED);
            e.setSize(data.length);
            e.setCompressedSize(data.length);
            e.setCrc(crc.getValue());
            int header = 30 + "member.bin".length();
            int pad = (4096 - header % 4096) % 4096 + shift;
            byte[] extra = new byte[Math.max(4, pad)];
            if (pad < 4) {
                extra = new byte[pad + 4096];
            }
            extra[0] = (byte) 0x35; // an unknown extra field id (0xd935, as zipalign uses): padding
            extra[1] = (byte) 0xd9;
            extra[2] = (byte) ((extra.length - 4) & 0xff);
            extra[3] = (byte) ((extra.length - 4) >> 8);
            e.setExtra(extra);
            z.putNextEntry(e);
            z.write(data);
            z.closeEntry();
        }
        return buf.toByteArray();
    }

    @Test
    void donationMovesPagesOfAnAlignedStoredMemberOnly() throws Exception {
        byte[] data = new byte[8 << 20];
        new Random(5).nextBytes(data);
        for (int shift : new int[] {512, 0}) { // the aligned one last: a kernel that moves nothing ends the test there
            Path a = Files.write(base.resolve("z" + shift + ".zip"), storedZip(data, shift));
            Path mp = mount(a, "--read-path=rsplice", "--donate");
            try {
                Backing.evict(a);
                assertArrayEquals(data, Files.readAllBytes(mp.resolve("member.bin")));
                MountStats s = MountStats.fromJson(cli.run("stats", "--json", mp.toString()).succeeds().out());
                long resident = Backing.residentPages(a, Files.size(a));
                long pages = Backing.pages(Files.size(a));
                System.out.printf("zip member at +%d: %d of %d archive pages left its cache; sampled %d, moved %d;"
                        + " aligned opens %d, unaligned %d%n", shift, pages - resident, pages,
                        s.readPath("rsplice").donation().sampledPages(), s.readPath("rsplice").donation().movedPages(),
                        s.store().get("alignedOpens"), s.store().get("unalignedOpens"));
                if (shift == 0) {
                    assertEquals(1L, s.store().get("alignedOpens"));
                    KernelMoves.assumeSome(Math.max(pages - resident, s.readPath("rsplice").donation().movedPages()),
                            data.length / 4096, "an aligned stored zip member");
                    assertTrue(pages - resident >= 0.9 * (data.length / 4096), "the member's pages moved");
                } else {
                    assertEquals(1L, s.store().get("unalignedOpens"));
                    assertEquals(0, s.readPath("rsplice").donation().movedPages(), "no sample: not aligned");
                    assertTrue(pages - resident < 0.1 * pages, "an unaligned member's pages are copied, not moved");
                }
            } finally {
                cli.run("umount", mp.toString()).succeeds();
                Files.deleteIfExists(base.resolve("mnt"));
            }
        }
    }

    /**
     * Data 3 bytes below a page boundary: the kernel's copy from such pages into
     * the page cache would run 4K-aliased (PageSkew), so the replies go through
     * memory placed half a page off; the bytes stay exact, every offset.
     */
    @Test
    void aMemberJustBelowAPageBoundaryIsReadExactlyAroundTheAliasedCopy() throws Exception {
        byte[] data = new byte[(3 << 20) + 5];
        new Random(13).nextBytes(data);
        Path a = Files.write(base.resolve("skew.zip"), storedZip(data, 4093));
        Path mp = mount(a, "--read-path=rsplice");
        try {
            assertArrayEquals(data, Files.readAllBytes(mp.resolve("member.bin")));
            try (RandomAccessFile f = new RandomAccessFile(mp.resolve("member.bin").toFile(), "r")) {
                Random r = new Random(14);
                for (int i = 0; i < 50; i++) {
                    int off = r.nextInt(data.length);
                    byte[] got = new byte[Math.min(1 + r.nextInt(200_000), data.length - off)];
                    f.seek(off);
                    f.readFully(got);
                    assertArrayEquals(Arrays.copyOfRange(data, off, off + got.length), got, "at " + off);
                }
            }
            MountStats s = MountStats.fromJson(cli.run("stats", "--json", mp.toString()).succeeds().out());
            Map<String, Long> reasons = s.readPath("rsplice").copyReasons();
            assertTrue(reasons.getOrDefault("page-skewed range: copied half a page off", 0L) >= 1, reasons.toString());
        } finally {
            cli.run("umount", mp.toString()).succeeds();
            Files.deleteIfExists(base.resolve("mnt"));
        }
    }

    @Test
    void badArchivesAreRefusedOrServedPerMember() throws Exception {
        Path garbage = Files.writeString(base.resolve("garbage.tar"), "not an archive ".repeat(100));
        cli.run("mount", garbage.toString(), dir("mnt").toString()).failsWith("not a tar or zip archive");
        Path tree = dir("small");
        byte[] big = new byte[3 << 20];
        new Random(9).nextBytes(big);
        Files.write(tree.resolve("first.bin"), big);
        Files.writeString(tree.resolve("second.txt"), "second\n");
        Path tar = base.resolve("t.tar");
        run(tree, "tar", "--format=gnu", "-cf", tar.toString(), "first.bin", "second.txt");
        Path gz = base.resolve("t.tar.gz");
        run(base, "sh", "-c", "gzip -c t.tar > t.tar.gz");
        cli.run("mount", gz.toString(), dir("mnt").toString()).failsWith("gzip-compressed");
        Path cut = Files.write(base.resolve("cut.tar"), java.util.Arrays.copyOf(Files.readAllBytes(tar), 2 << 20));
        Cli.Result r = cli.run("mount", cut.toString(), dir("mnt").toString()).succeeds();
        Path mp = base.resolve("mnt");
        try {
            assertTrue(r.err().contains("first.bin"), "the notice names the refused member: " + r.err());
            // At the open, or (the kernel opening files itself: no_open) at the first read.
            IOException e = assertThrows(IOException.class, () -> Files.readAllBytes(mp.resolve("first.bin")));
            assertTrue(String.valueOf(e.getMessage()).contains("not supported"), e.getMessage());
        } finally {
            cli.run("umount", mp.toString()).succeeds();
        }
    }
}
