package io.rsplicefs.it.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rsplicefs.fs.stats.MountStats;
import io.rsplicefs.it.support.TestEngine;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * What the kernel asks of an archive mount, counted by the mount's own stats:
 * a member whose data does not start on a page is read in the same requests
 * as the same bytes in a directory, each reply spliced whole (the largest
 * request leaves room in the pipe for the extra page an unaligned range
 * spans); a small member read once costs one READ, not also an OPEN and a
 * RELEASE (the kernel opens files itself: no_open), a LOOKUP, GETATTR or
 * FLUSH, and its pages stay cached across opens (an archive cannot change
 * under its mount); and a reader going through a directory in listing
 * order finds most files already pushed into the cache (store-ahead).
 */
@Tag("fuse")
@Tag("kernel") // no_open, FUSE_NOTIFY_STORE and the splice sizes are the kernel's
class ArchiveRequestsTest extends CliTestBase {

    private static void run(Path dir, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), String.join(" ", cmd));
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + ": " + out);
    }

    private Path mount(Path source, String name, String... options) throws Exception {
        Path mp = dir(name);
        List<String> args = new ArrayList<>(List.of("mount"));
        args.addAll(List.of(options));
        args.add(source.toString());
        args.add(mp.toString());
        cli.run(args.toArray(new String[0])).succeeds();
        return mp;
    }

    private MountStats stats(Path mp) throws Exception {
        return MountStats.fromJson(cli.run("stats", "--json", mp.toString()).succeeds().out());
    }

    /** One sequential pass in reads of {@code chunk} bytes. */
    private static byte[] readSequentially(Path f, int chunk) throws IOException {
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
            ByteBuffer all = ByteBuffer.allocate((int) ch.size());
            ByteBuffer buf = ByteBuffer.allocateDirect(chunk);
            while (ch.read(buf) > 0) {
                buf.flip();
                all.put(buf);
                buf.clear();
            }
            return all.array();
        }
    }

    @Test
    void anUnalignedMemberIsReadInTheSameRequestsAsADirectoryFileEachSplicedWhole() throws Exception {
        Path tree = dir("tree");
        Files.write(tree.resolve("a-pad.bin"), new byte[1000]); // the next member's data starts at 2048
        byte[] data = new byte[24 << 20];
        new Random(11).nextBytes(data);
        Files.write(tree.resolve("big.bin"), data);
        Path tar = base.resolve("t.tar");
        run(tree, "tar", "--format=gnu", "-cf", tar.toString(), "a-pad.bin", "big.bin");
        Path inDir = mount(tree, "mnt-dir", "--read-path=rsplice");
        Path inTar = null;
        try {
            inTar = mount(tar, "mnt-tar", "--read-path=rsplice");
            assertArrayEquals(data, readSequentially(inDir.resolve("big.bin"), 1 << 20));
            assertArrayEquals(data, readSequentially(inTar.resolve("big.bin"), 1 << 20));
            MountStats d = stats(inDir);
            MountStats t = stats(inTar);
            // Opened once, or once per READ where the kernel opens files itself (no_open).
            assertTrue(t.store().get("unalignedOpens") >= 1, "the member is not page aligned: " + t.store());
            assertEquals(0L, t.store().get("alignedOpens"), t.store().toString());
            MountStats.ReadPathStats dr = d.readPath("rsplice");
            MountStats.ReadPathStats tr = t.readPath("rsplice");
            System.out.println("directory: " + dr + "\nmember: " + tr + (t.engine() == null ? ""
                    : "\nREAD sizes: directory " + d.engine().readSizes() + ", member " + t.engine().readSizes()));
            assertEquals(0L, tr.copyReplies(), "no member reply fell back to a copy: " + tr.copyReasons());
            assertEquals(0L, dr.copyReplies(), "no directory reply fell back to a copy: " + dr.copyReasons());
            assertEquals(dr.requests(), tr.requests(), "the member came in as many READs as the directory file");
            assertEquals(tr.requests(), tr.spliceReplies(), "every member reply spliced");
            if (t.engine() != null) {
                assertEquals(d.engine().readSizes(), t.engine().readSizes(), "READs of the same sizes");
            }
        } finally {
            if (inTar != null) {
                cli.run("umount", inTar.toString()).succeeds();
            }
            cli.run("umount", inDir.toString()).succeeds();
        }
    }

    /** {@code files} random files of 1 B to 100 KiB in four directories, as a GNU tar. */
    private Path smallFiles(Path tree, int files) throws Exception {
        Random r = new Random(13);
        for (int i = 0; i < files; i++) {
            Path d = Files.createDirectories(tree.resolve("d" + (i % 4)));
            byte[] b = new byte[1 + r.nextInt(100 << 10)];
            r.nextBytes(b);
            Files.write(d.resolve("f" + i + ".bin"), b);
        }
        Path tar = base.resolve(tree.getFileName() + ".tar");
        run(tree, "tar", "--format=gnu", "-cf", tar.toString(), ".");
        return tar;
    }

    /** The regular files of a mount in the order a directory walk gives: each directory's listing order. */
    private static List<Path> walk(Path mp) throws IOException {
        try (Stream<Path> s = Files.walk(mp)) {
            return s.filter(Files::isRegularFile).toList();
        }
    }

    @Test
    void aSmallMemberReadOnceCostsOneReadAndStaysCached() throws Exception {
        Assumptions.assumeTrue(TestEngine.isDirect(), "the requests per opcode are the direct engine's counters");
        Path tree = dir("small");
        int files = 200;
        Path tar = smallFiles(tree, files);
        Path mp = mount(tar, "mnt", "--store-ahead=0");
        try {
            List<Path> all = walk(mp);
            assertEquals(files, all.size());
            // Past libfuse's 1 s timeouts: a mount that trusted names and attributes only that long
            // would now be asked again for each file it opens.
            Thread.sleep(1500);
            Map<String, Long> before = stats(mp).engine().requests();
            readAll(mp, tree, all);
            MountStats after = stats(mp);
            Map<String, Long> once = after.engine().requests();
            System.out.println("requests for " + files + " files read once: before " + before + ", after " + once);
            assertTrue(once.getOrDefault("OPEN", 0L) <= 1, "the first OPEN is refused, then none is sent: " + once);
            assertTrue(once.getOrDefault("RELEASE", 0L) <= 1, "nor a RELEASE: " + once);
            assertTrue(after.engine().opens().startsWith("not asked"), after.engine().opens());
            assertEquals(files, delta(before, once, "READ"), "one READ per file (each is under the read-ahead)");
            assertTrue(after.engine().unopenedRequests() >= files, "each READ came on handle 0: "
                    + after.engine().unopenedRequests());
            assertTrue(delta(before, once, "LOOKUP") + delta(before, once, "GETATTR") <= 5,
                    "names and attributes were trusted past 1 s: " + once);
            assertTrue(once.getOrDefault("FLUSH", 0L) <= 1, "FLUSH refused once, then never sent: " + once);
            assertEquals("off", after.engine().storeAhead());
            readAll(mp, tree, all);
            Map<String, Long> twice = stats(mp).engine().requests();
            // An open that dropped the cache would cost every file a READ again; a few may come back where a
            // proactive reclaimer (DAMON pageout, as this VM runs) evicted idle pages meanwhile.
            assertTrue(delta(once, twice, "READ") <= files / 20, "a second open kept the cached pages: " + twice);
        } finally {
            cli.run("umount", mp.toString()).succeeds();
        }
    }

    @Test
    void aReaderGoingThroughADirectoryFindsTheNextFilesPushed() throws Exception {
        Assumptions.assumeTrue(TestEngine.isDirect(), "store-ahead is the direct engine's");
        Path tree = dir("ahead");
        int files = 400;
        Path tar = smallFiles(tree, files);
        Path mp = mount(tar, "mnt-ahead");
        try {
            List<Path> all = walk(mp);
            assertEquals(files, all.size());
            readAll(mp, tree, all); // byte-exact, whoever brought the pages: a READ or a push
            MountStats s = stats(mp);
            long reads = s.engine().requests().getOrDefault("READ", 0L);
            String pushed = s.engine().storeAhead();
            System.out.println(files + " files in listing order: " + reads + " READs; store-ahead " + pushed);
            long n = Long.parseLong(pushed.substring(0, pushed.indexOf(' ')));
            assertTrue(n >= files / 2, "most files were pushed ahead of the reader: " + pushed);
            assertTrue(reads <= files / 2, "most files needed no READ: " + reads + "; " + pushed);
            assertTrue(pushed.endsWith(" 0 failed"), pushed);
        } finally {
            cli.run("umount", mp.toString()).succeeds();
        }
        // Out of order, on a fresh mount: the bytes are still the bytes, whatever was pushed.
        Path mp2 = mount(tar, "mnt-shuffled");
        try {
            List<Path> all = new ArrayList<>(walk(mp2));
            java.util.Collections.shuffle(all, new Random(5));
            readAll(mp2, tree, all);
        } finally {
            cli.run("umount", mp2.toString()).succeeds();
        }
    }

    /** Reads every file as cat does (128 KiB reads: the first read-ahead covers a small file) and checks its bytes. */
    private static void readAll(Path mp, Path tree, List<Path> all) throws IOException {
        for (Path f : all) {
            byte[] want = Files.readAllBytes(tree.resolve(mp.relativize(f).toString()));
            assertArrayEquals(want, readSequentially(f, 128 << 10), f.toString());
        }
    }

    private static long delta(Map<String, Long> a, Map<String, Long> b, String op) {
        return b.getOrDefault(op, 0L) - a.getOrDefault(op, 0L);
    }
}
