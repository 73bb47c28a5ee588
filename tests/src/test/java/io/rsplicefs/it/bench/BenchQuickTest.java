package io.rsplicefs.it.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.jr.ob.JSON;
import io.rsplicefs.it.support.TimeScale;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * `rsplicefs bench` end to end through the shaded jar, as small as it gets
 * (32 MiB, one round, one job, no peers): the table, the JSON and the PNG
 * exist and parse, the daemons served what fio read, and nothing is left
 * mounted or running. No speed is asserted: speed targets live in
 * BENCHMARKS.md, never in tests.
 */
@Tag("fuse")
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class BenchQuickTest {
    static final Path JAR = Path.of(System.getProperty("rsplicefs.jar", "../mount-tool/target/rsplicefs.jar"))
            .toAbsolutePath().normalize();
    static final String JAVA = ProcessHandle.current().info().command()
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    static final long SIZE = 32L << 20;

    @TempDir
    Path base;

    record Result(int exit, String out, String err) {
        String describe() {
            return "exit " + exit + "\n--- stdout:\n" + out + "--- stderr:\n" + err;
        }
    }

    static Result rsplicefs(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(JAVA, "-jar", JAR.toString()));
        cmd.addAll(Arrays.asList(args));
        Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> slurp(p.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> slurp(p.getErrorStream()));
        if (!p.waitFor(TimeScale.of(8), TimeUnit.MINUTES)) {
            p.destroy(); // SIGTERM: the bench unmounts what it mounted
            p.waitFor(TimeScale.of(30), TimeUnit.SECONDS);
            fail("timed out: " + String.join(" ", cmd));
        }
        return new Result(p.exitValue(), out.join(), err.join());
    }

    private static String slurp(InputStream in) {
        try {
            // The CLI's JVM writes stdout in its locale's charset, which is this JVM's (same environment).
            return new String(in.readAllBytes(), Charset.defaultCharset());
        } catch (IOException e) {
            return "<unreadable: " + e.getMessage() + ">";
        }
    }

    static boolean onPath(String name) {
        return Stream.of(System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator))
                .anyMatch(d -> Files.isExecutable(Path.of(d.isEmpty() ? "." : d, name)));
    }

    @Test
    @SuppressWarnings("unchecked")
    void quickBenchWritesTableJsonAndChartAndEveryReadReachedTheDaemon() throws Exception {
        assumeTrue(onPath("fio"), "fio is not installed");
        Path work = Files.createDirectory(base.resolve("work"));
        Path out = base.resolve("out");
        Result r = rsplicefs("bench", "--quick", "--size", "32M", "--rounds", "1", "--jobs", "seq1m",
                "--targets", "native,rsplice,auto", "--engines", "jnr-fuse", "--native-loops", "2", "--no-warmup", "--dir", work.toString(),
                "--out", out.toString());
        assertEquals(0, r.exit(), r::describe);

        // the table on stdout and in results.md
        assertTrue(r.out().contains("| target | seq1m |"), r::describe);
        for (String t : List.of("native", "rsplice", "auto")) {
            assertTrue(r.out().contains("| " + t + " | "), () -> "no row for " + t + "\n" + r.describe());
        }
        String md = Files.readString(out.resolve("results.md"));
        // results.md is UTF-8; stdout shows it as far as the locale's charset can (in a POSIX locale, as
        // under Vagrant's provisioning, "×" and "≤" print as "?").
        Charset console = Charset.defaultCharset();
        assertEquals(new String(md.getBytes(console), console), r.out(), "stdout is the Markdown report");

        // the raw JSON
        Map<String, Object> json = JSON.std.mapFrom(Files.readString(out.resolve("results.json")));
        List<Object> ms = (List<Object>) json.get("measurements");
        assertEquals(3, ms.size(), "one measurement per target: " + ms);
        for (Object o : ms) {
            Map<String, Object> m = (Map<String, Object>) o;
            long passes = m.get("target").equals("native") ? 2 : 1; // --native-loops 2
            assertEquals(passes * SIZE, ((Number) m.get("ioBytes")).longValue(), "fio read the whole file: " + m);
            assertTrue(((Number) m.get("mbPerSec")).doubleValue() > 0, m::toString);
            if (!m.get("target").equals("native")) {
                double served = ((Number) m.get("servedRatio")).doubleValue();
                assertTrue(served >= 0.9 && served <= 1.1, "the daemon served what fio read: " + m);
                assertNotNull(m.get("daemonCpuSeconds"), m::toString);
            }
        }
        List<Object> summary = (List<Object>) json.get("summary");
        assertEquals(3, summary.size(), summary::toString);
        Map<String, Object> nat = (Map<String, Object>) summary.get(0);
        assertEquals("native", nat.get("target"));
        assertEquals(1.0, ((Number) nat.get("medianRatioToNative")).doubleValue(), 1e-9);
        try (Stream<Path> raw = Files.list(out.resolve("fio"))) {
            assertEquals(3, raw.filter(p -> p.toString().endsWith(".json")).count(), "raw fio output per run");
        }

        // the chart
        BufferedImage png = ImageIO.read(out.resolve("ratio-to-native.png").toFile());
        assertNotNull(png, "a readable PNG");
        assertTrue(png.getWidth() >= 800 && png.getHeight() >= 200, png.getWidth() + "x" + png.getHeight());

        // nothing left behind: no mount, no daemon, no working directory
        String mounts = Files.readString(Path.of("/proc/self/mountinfo"));
        assertTrue(!mounts.contains(work.toString()), "left mounted:\n" + mounts);
        try (Stream<Path> left = Files.list(work)) {
            assertEquals(List.of(), left.toList(), "the working directory is removed");
        }
        assertEquals(List.of(), processesMentioning(work.toString()), "processes left running");
    }

    @Test
    void badOptionsAreUsageErrors() throws Exception {
        for (String[] args : List.of(new String[] {"bench", "--targets", "native,nope"},
                new String[] {"bench", "--targets", "gift"}, new String[] {"bench", "--jobs", "seq2m"},
                new String[] {"bench", "--size", "1k"}, new String[] {"bench", "--rounds", "0"})) {
            Result r = rsplicefs(args);
            assertEquals(2, r.exit(), () -> String.join(" ", args) + "\n" + r.describe());
            assertTrue(r.err().startsWith("rsplicefs: "), r::describe);
            assertTrue(r.err().contains("Usage: rsplicefs bench"), r::describe);
        }
        Result help = rsplicefs("bench", "--help");
        assertEquals(0, help.exit(), help::describe);
        assertTrue(help.out().contains("--with-peers") && help.out().contains("--quick"), help::describe);
    }

    /** Running (non-zombie) processes whose command line contains {@code marker}. */
    static List<Long> processesMentioning(String marker) throws IOException {
        List<Long> pids = new ArrayList<>();
        long self = ProcessHandle.current().pid();
        try (Stream<Path> s = Files.list(Path.of("/proc"))) {
            for (Path p : s.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                long pid = Long.parseLong(p.getFileName().toString());
                try (InputStream in = Files.newInputStream(p.resolve("cmdline"));
                     InputStream st = Files.newInputStream(p.resolve("stat"))) {
                    String cmdline = new String(in.readAllBytes(), StandardCharsets.UTF_8).replace('\0', ' ');
                    String stat = new String(st.readAllBytes(), StandardCharsets.UTF_8);
                    boolean zombie = stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
                    if (pid != self && cmdline.contains(marker) && !zombie) {
                        pids.add(pid);
                    }
                } catch (IOException e) {
                    // gone meanwhile
                }
            }
        }
        return pids;
    }
}
