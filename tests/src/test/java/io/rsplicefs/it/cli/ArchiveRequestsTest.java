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
 * spans); and a small member read once costs an OPEN and a READ, not also a
 * LOOKUP, GETATTR or FLUSH, and its pages stay cached across opens (an
 * archive cannot change under its mount).
 */
@Tag("fuse")
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
            assertEquals(1L, t.store().get("unalignedOpens"), "the member is not page aligned: " + t.store());
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

    @Test
    void aSmallMemberReadOnceCostsAnOpenAndAReadAndStaysCached() throws Exception {
        Assumptions.assumeTrue(TestEngine.isDirect(), "the requests per opcode are the direct engine's counters");
        Path tree = dir("small");
        Random r = new Random(13);
        int files = 200;
        for (int i = 0; i < files; i++) {
            Path d = Files.createDirectories(tree.resolve("d" + (i % 4)));
            byte[] b = new byte[1 + r.nextInt(100 << 10)];
            r.nextBytes(b);
            Files.write(d.resolve("f" + i + ".bin"), b);
        }
        Path tar = base.resolve("s.tar");
        run(tree, "tar", "--format=gnu", "-cf", tar.toString(), ".");
        Path mp = mount(tar, "mnt");
        try {
            List<Path> all;
            try (Stream<Path> s = Files.walk(mp)) {
                all = s.filter(Files::isRegularFile).toList();
            }
            assertEquals(files, all.size());
            // Past libfuse's 1 s timeouts: a mount that trusted names and attributes only that long
            // would now be asked again for each file it opens.
            Thread.sleep(1500);
            Map<String, Long> before = stats(mp).engine().requests();
            readAll(mp, tree, all);
            Map<String, Long> once = stats(mp).engine().requests();
            System.out.println("requests for " + files + " files read once: before " + before + ", after " + once);
            assertEquals(files, delta(before, once, "OPEN"), "one OPEN per file");
            assertEquals(files, delta(before, once, "READ"), "one READ per file (each is under the read-ahead)");
            assertTrue(delta(before, once, "LOOKUP") + delta(before, once, "GETATTR") <= 5,
                    "names and attributes were trusted past 1 s: " + once);
            assertTrue(once.getOrDefault("FLUSH", 0L) <= 1, "FLUSH refused once, then never sent: " + once);
            readAll(mp, tree, all);
            Map<String, Long> twice = stats(mp).engine().requests();
            assertEquals(0L, delta(once, twice, "READ"), "a second open kept the cached pages: " + twice);
        } finally {
            cli.run("umount", mp.toString()).succeeds();
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
