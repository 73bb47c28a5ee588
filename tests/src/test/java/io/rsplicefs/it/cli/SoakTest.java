package io.rsplicefs.it.cli;

import io.rsplicefs.fs.stats.MountStats;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rsplicefs.it.support.StatsXattr;
import io.rsplicefs.it.support.TestData;
import io.rsplicefs.it.support.TimeScale;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.ToLongFunction;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Soak: four threads of mixed load (see SoakWorker) against one background
 * mount (the real daemon JVM) for {@code -Drsplicefs.soak.seconds} (default
 * 60: the shortest run with six samples after the 30 s warm-up; 120 with
 * mvn -B verify -Pfull; the reported run is 600), sampling the daemon's RSS,
 * open fds and threads every 5 s.
 *
 * The daemon JVM inherits the CLI's JVM options; without a bound it gets a
 * quarter of RAM as its maximum heap (6 GiB here) and 1/64 as the initial
 * one, and G1 would grow and shrink the heap with the load, moving RSS for
 * reasons that are not leaks. So the heap is fixed at 64 MiB (-Xms=-Xmx):
 * what remains to move RSS is native memory (libfuse, jnr, the JNI helper,
 * thread stacks, malloc arenas), metaspace and code.
 *
 * After a warm-up (a fifth of the run, at least 30 s times the time scale), RSS stays within
 * 10% (max <= 1.10 x min over the samples after warm-up). Threads and fds
 * move with the load: libfuse 2.9 starts a new worker whenever it takes a
 * request and finds no other worker idle, with no cap, and lets workers
 * exit when more than 10 are idle; the JVM starts and stops compiler
 * threads. Two 10-minute runs on a loaded machine held 33 threads and
 * about 54 fds in almost every sample but peaked for one sample at 50 and
 * 94 threads (86 and 162 fds), back to 33 five seconds later. So "stable"
 * is what a leak would break: the level does not rise (median after
 * warm-up <= median during it + 2 threads / + 4 fds) and the counts come
 * back (5 s after the load stops: <= warm-up median + 2 / + 4); peaks only
 * have to stay below 4x the warm-up median (a runaway, not a burst). A leak
 * of one fd or thread per thousand operations raises the median within
 * seconds. Also: every byte read matches, no read failed, no callback failed.
 */
@Tag("fuse")
@Tag("slow")
class SoakTest extends CliTestBase {
    static final Duration REQUESTED = Duration.ofSeconds(Long.getLong("rsplicefs.soak.seconds", 60));
    static final String READ_PATH = System.getProperty("rsplicefs.soak.readPath", "auto");
    // The warm-up waits for the daemon to settle (JIT compiles, the fixed heap's pages touched): under
    // qemu's software emulation that takes about TimeScale times longer. In the 6.1 guest RSS climbed from
    // 117,808 KiB at 30 s to 136,824 KiB at 105 s, then stayed within 125,876..131,824 KiB to 330 s: a 30 s
    // warm-up failed the 10% band there on settling, not on a leak. The run is stretched so six samples
    // come after the warm-up.
    static final Duration WARM_UP = max(REQUESTED.dividedBy(5), TimeScale.of(Duration.ofSeconds(30)));
    static final Duration RUN = max(REQUESTED, WARM_UP.plusSeconds(30));
    static final long SAMPLE_MILLIS = 5_000;
    static final int THREADS = 4;
    static final double RSS_BAND = 1.10;
    static final int THREAD_LEVEL_SLACK = 2;
    static final int FD_LEVEL_SLACK = 4;
    static final int PEAK_FACTOR = 4;
    static final String[] DAEMON_JVM = {"-Xms64m", "-Xmx64m"};

    @Test
    void mixedLoadKeepsTheDaemonsRssFdsAndThreadsStable() {
        // A hung request must fail the test, not the build; cleanup (CliTestBase) unmounts and kills.
        assertTimeoutPreemptively(RUN.plus(Duration.ofMinutes(5)), this::soak);
    }

    private void soak() throws Exception {
        Path src = dir("source");
        Files.createDirectories(src.resolve("ro"));
        Files.createDirectories(src.resolve("rw"));
        Files.createDirectories(src.resolve("meta"));
        int[] sizes = {4095, 200 * 1024 + 7, 3 * (1 << 20) + 1, 16 << 20};
        List<byte[]> contents = new ArrayList<>();
        for (int i = 0; i < sizes.length; i++) {
            contents.add(TestData.write(src.resolve("ro/r" + i), sizes[i], 70 + i));
        }
        Path mp = dir("mnt");
        Cli daemonCli = cli.withJvmOptions(DAEMON_JVM);
        daemonCli.run("mount", "--read-path=" + READ_PATH, src.toString(), mp.toString()).succeeds();
        long pid = daemonPid(mp);

        List<Path> ro = new ArrayList<>();
        for (int i = 0; i < sizes.length; i++) {
            ro.add(mp.resolve("ro/r" + i));
        }
        AtomicBoolean stop = new AtomicBoolean();
        List<SoakWorker> workers = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        long seed = Long.getLong("rsplicefs.soak.seed", System.nanoTime());
        System.out.printf("soak: %d s (warm-up %d s), %d threads, read path %s, daemon pid %d, JVM %s, seed %d%n",
                RUN.toSeconds(), WARM_UP.toSeconds(), THREADS, READ_PATH, pid, String.join(" ", DAEMON_JVM), seed);
        for (int t = 0; t < THREADS; t++) {
            SoakWorker w = new SoakWorker(mp, ro, contents, t, seed + t, stop);
            workers.add(w);
            Thread th = new Thread(w, "soak-" + t);
            threads.add(th);
            th.start();
        }
        List<ProcSample> warm = new ArrayList<>();
        List<ProcSample> after = new ArrayList<>();
        long start = System.currentTimeMillis();
        try {
            for (long next = start; System.currentTimeMillis() - start < RUN.toMillis(); next += SAMPLE_MILLIS) {
                Thread.sleep(Math.max(0, next - System.currentTimeMillis()));
                long at = System.currentTimeMillis() - start;
                ProcSample s = ProcSample.of(pid, at);
                (at < WARM_UP.toMillis() ? warm : after).add(s);
                System.out.println("soak sample " + s + "  requests " + requests(mp));
                if (workers.stream().anyMatch(w -> w.failure() != null)) {
                    break;
                }
            }
        } finally {
            stop.set(true);
            for (Thread th : threads) {
                th.join(60_000);
            }
        }
        for (SoakWorker w : workers) {
            if (w.failure() != null) {
                throw new AssertionError(w.failure());
            }
            System.out.println("soak operations: " + w.counts());
            w.counts().forEach((op, n) -> assertTrue(n.get() > 0, op + " ran"));
        }
        Thread.sleep(SAMPLE_MILLIS);
        ProcSample idle = ProcSample.of(pid, System.currentTimeMillis() - start);
        System.out.println("soak idle after the load: " + idle);

        StatsXattr stats = StatsXattr.read(mp);
        System.out.printf("soak stats (%s): %d read requests, %d spliced, %d copied, %d errors; %d writes%n",
                READ_PATH, stats.readPath(READ_PATH).requests(), stats.readPath(READ_PATH).spliceReplies(),
                stats.readPath(READ_PATH).copyReplies(), stats.readPath(READ_PATH).errors(), stats.writes());
        assertEquals(0, stats.callbackFailures().size(), "callback failures: " + stats.callbackFailures());
        for (String p : List.of("copy", "fd", "rsplice", "gift", "auto")) {
            assertEquals(0, stats.readPath(p).errors(), p + " read errors");
        }
        assertStable(warm, after, idle);
        cli.run("umount", mp.toString()).succeeds();
    }

    static void assertStable(List<ProcSample> warm, List<ProcSample> after, ProcSample idle) {
        assertTrue(!warm.isEmpty() && after.size() >= 3, "enough samples: " + warm.size() + " + " + after.size());
        long rssMin = after.stream().mapToLong(ProcSample::rssKib).min().orElseThrow();
        long rssMax = after.stream().mapToLong(ProcSample::rssKib).max().orElseThrow();
        long thrWarm = median(warm, ProcSample::threads);
        long thrAfter = median(after, ProcSample::threads);
        long thrPeak = after.stream().mapToLong(ProcSample::threads).max().orElseThrow();
        long fdWarm = median(warm, ProcSample::fds);
        long fdAfter = median(after, ProcSample::fds);
        long fdPeak = after.stream().mapToLong(ProcSample::fds).max().orElseThrow();
        System.out.printf("soak result: rss after warm-up %d..%d KiB (%+.1f%%); threads median %d in warm-up, %d after,"
                        + " peak %d, %d idle; fds median %d in warm-up, %d after, peak %d, %d idle; %d samples after"
                        + " warm-up%n", rssMin, rssMax, 100.0 * (rssMax - rssMin) / rssMin, thrWarm, thrAfter,
                thrPeak, idle.threads(), fdWarm, fdAfter, fdPeak, idle.fds(), after.size());
        assertTrue(rssMax <= rssMin * RSS_BAND, "RSS after warm-up moved more than 10%: " + rssMin + ".." + rssMax
                + " KiB");
        assertTrue(thrAfter <= thrWarm + THREAD_LEVEL_SLACK, "thread level rose: median " + thrWarm + " -> "
                + thrAfter);
        assertTrue(idle.threads() <= thrWarm + THREAD_LEVEL_SLACK, "threads 5 s after the load: " + idle.threads());
        assertTrue(thrPeak <= PEAK_FACTOR * thrWarm, "thread peak " + thrPeak);
        assertTrue(fdAfter <= fdWarm + FD_LEVEL_SLACK, "fd level rose: median " + fdWarm + " -> " + fdAfter);
        assertTrue(idle.fds() <= fdWarm + FD_LEVEL_SLACK, "fds 5 s after the load: " + idle.fds());
        assertTrue(fdPeak <= PEAK_FACTOR * fdWarm, "fd peak " + fdPeak);
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    private static long median(List<ProcSample> samples, ToLongFunction<ProcSample> f) {
        long[] v = samples.stream().mapToLong(f).sorted().toArray();
        return v[v.length / 2];
    }

    private static long requests(Path mp) {
        try {
            StatsXattr s = StatsXattr.read(mp);
            long n = 0;
            for (String p : List.of("copy", "fd", "rsplice", "gift", "auto")) {
                n += s.readPath(p).requests();
            }
            return n;
        } catch (Exception e) {
            return -1;
        }
    }

    private long daemonPid(Path mp) throws Exception {
        return MountStats.fromJson(cli.run("stats", "--json", mp.toString()).succeeds().out()).mount().pid();
    }
}
