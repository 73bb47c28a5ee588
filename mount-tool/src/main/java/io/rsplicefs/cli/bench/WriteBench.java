package io.rsplicefs.cli.bench;

import com.fasterxml.jackson.jr.ob.JSON;
import io.rsplicefs.fs.Engine;
import io.rsplicefs.fs.host.MountTable;
import io.rsplicefs.fs.host.SystemInfo;
import io.rsplicefs.fs.stats.MountStats;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * {@code rsplicefs bench --write}: the write workloads of issue 18 (job files tests/fio/w*.fio) on native,
 * rsplicefs with the copy and the splice write path on each engine (the direct engine also with the
 * writeback cache) and bindfs, interleaved round by round as the read bench is: each round runs every
 * workload on every target, the order of the targets rotating. Each target mirrors a directory of its own
 * and stays mounted for all rounds. Reports the median MB/s, the daemon's CPU seconds per GiB written
 * (user and system), the median per-round ratios that the goals are about, the write counters of each
 * rsplicefs mount, and a data check: fio's crc32c verify through the mount, then again on the backing
 * file alone (verify_only), so a target that kept bytes only in a cache fails it.
 */
public final class WriteBench {
    /** The workloads, in the order a round runs them (wseq1m makes the file the others use). */
    enum Workload {
        WSEQ1M("wseq1m", "seq write 1m (new file)"),
        WOVERWRITE1M("woverwrite1m", "overwrite 1m"),
        WRAND4K("wrand4k", "rand write 4k"),
        WRANDRW("wrandrw", "randrw 4k 70/30");

        final String id;
        final String title;

        Workload(String id, String title) {
            this.id = id;
            this.title = title;
        }
    }

    private static final String MARKER = "bench-ready";
    private static final String DATA = "w.dat";
    private static final List<String> JOB_FILES = List.of("wseq1m.fio", "woverwrite1m.fio", "wrand4k.fio",
            "wrandrw.fio", "wverify.fio");

    /** One fio run's totals: bytes read and written, their rates, and the daemon's CPU ticks (user, system). */
    record Run(long readBytes, long writeBytes, long readBw, long writeBw, long userTicks, long sysTicks,
               boolean hasDaemon) {
        double mbPerSec() {
            return (readBw + writeBw) / 1e6;
        }
    }

    private final Path base;
    private final long size;
    private final int rounds;
    private final int randRuntime;
    private final List<Engine> engines;
    private final boolean withPeers;
    private final List<String> daemonJvmOptions;
    private final Path outDir;
    private final PrintStream out;
    private final Children children = new Children();

    public WriteBench(Path workDir, long size, int rounds, int randRuntime, List<Engine> engines, boolean withPeers,
                      List<String> daemonJvmOptions, Path outDir, PrintStream out) {
        this.base = workDir.resolve("rsplicefs-bench-write-" + ProcessHandle.current().pid());
        this.size = size;
        this.rounds = rounds;
        this.randRuntime = randRuntime;
        this.engines = engines;
        this.withPeers = withPeers;
        this.daemonJvmOptions = daemonJvmOptions;
        this.outDir = outDir;
        this.out = out;
    }

    /** The rsplicefs targets: write path and writeback cache per engine ("@direct" added on direct). */
    private List<String[]> rsplicefsIds() {
        // {id, engine, write path, writeback cache, read path}: the write paths with rsplice reads (auto would pass
        // the files through on direct, and no WRITE would reach the daemon), and FUSE passthrough itself on direct.
        List<String[]> ids = new ArrayList<>();
        for (Engine e : engines) {
            ids.add(new String[] {BenchConfig.id("copy", e), e.id(), "copy", "no", "rsplice"});
            ids.add(new String[] {BenchConfig.id("splice", e), e.id(), "splice", "no", "rsplice"});
            if (e == Engine.DIRECT) {
                ids.add(new String[] {BenchConfig.id("splice+wbc", e), e.id(), "splice", "yes", "rsplice"});
                ids.add(new String[] {BenchConfig.id("passthrough", e), e.id(), "auto", "no", "passthrough"});
            }
        }
        return ids;
    }

    /** Runs the rounds and the data check; returns the Markdown report (also printed and written to --out). */
    public String run() throws BenchException {
        String fio = FioRunner.version(children);
        List<Target> targets = new ArrayList<>();
        Map<String, Path> roots = new LinkedHashMap<>();
        Map<String, Path> backings = new LinkedHashMap<>();
        Thread hook = new Thread(() -> stopAll(targets), "bench-write-teardown");
        Runtime.getRuntime().addShutdownHook(hook);
        Path jobs = mkdirs(base.resolve("jobs"));
        Path raw = mkdirs(outDir.resolve("fio-write"));
        extractJobs(jobs);
        List<String> notes = new ArrayList<>();
        Map<String, Run[][]> runs = new LinkedHashMap<>();
        Map<String, String> verify = new LinkedHashMap<>();
        Map<String, MountStats.WriteStats> counters = new LinkedHashMap<>();
        String loadBefore = loadAverage();
        try {
            List<String> ids = new ArrayList<>(List.of("native"));
            rsplicefsIds().forEach(s -> ids.add(s[0]));
            ids.add("bindfs");
            ids.add(PeerSetup.PASSTHROUGH_HP);
            for (String id : ids) {
                Path src = mkdirs(base.resolve("src-" + BenchRun.fileId(id)));
                write(src.resolve(MARKER));
                Path mnt = base.resolve("mnt-" + BenchRun.fileId(id));
                Target t;
                if (id.equals("native")) {
                    t = new NativeTarget(src.resolve(MARKER));
                } else if (id.equals("bindfs") || id.equals(PeerSetup.PASSTHROUGH_HP)) {
                    PeerSetup peers = new PeerSetup(children, base.resolve("peers"), withPeers, out::println);
                    Optional<PeerTarget> b = id.equals("bindfs")
                            ? peers.bindfs(src, mnt, MARKER, base.resolve("logs/bindfs.log"))
                            : peers.passthroughHp(src, mnt, MARKER, base.resolve("logs/passthrough_hp.log"));
                    notes.addAll(peers.notes());
                    if (b.isEmpty()) {
                        continue;
                    }
                    t = b.get();
                } else {
                    String[] s = rsplicefsIds().stream().filter(x -> x[0].equals(id)).findFirst().orElseThrow();
                    BenchConfig.Variant auto = BenchConfig.Variant.parse(BenchConfig.id(s[4], Engine.parse(s[1])));
                    List<String> args = new ArrayList<>(List.of("--write-path=" + s[2]));
                    if (s[3].equals("yes")) {
                        args.add("--writeback-cache");
                    }
                    t = new RsplicefsTarget(id, children, src, mnt, MARKER, auto, false, mkdirs(base.resolve("run")),
                            daemonJvmOptions).mountArgs(args);
                }
                t.start();
                targets.add(t);
                roots.put(id, t.file().getParent());
                backings.put(id, src);
                runs.put(id, new Run[Workload.values().length][rounds]);
                notes.add(id + ": " + t.command());
            }
            out.printf("write bench: %d MiB, %d rounds, rand runtime %d s, targets %s, load %s%n", size >> 20,
                    rounds, randRuntime, runs.keySet(), loadBefore);
            for (int r = 0; r < rounds; r++) {
                for (Workload w : Workload.values()) {
                    for (int k = 0; k < targets.size(); k++) {
                        Target t = targets.get((k + r) % targets.size()); // rotate who goes first
                        Path file = roots.get(t.id()).resolve(DATA);
                        if (w == Workload.WSEQ1M) {
                            deleteIfExists(file);
                        }
                        Run run = fio(w.id + ".fio", jobs, file, size, Map.of(), t.daemonPid(),
                                raw.resolve("r" + (r + 1) + "-" + w.id + "-" + BenchRun.fileId(t.id()) + ".json"));
                        runs.get(t.id())[w.ordinal()][r] = run;
                        out.printf(Locale.ROOT, "round %d %-14s %-18s %8.1f MB/s%s%n", r + 1, w.id, t.id(),
                                run.mbPerSec(), run.hasDaemon() ? String.format(Locale.ROOT,
                                        "  daemon cpu %.2f s/GiB", cpuPerGib(run)) : "");
                    }
                }
            }
            for (Target t : targets) {
                verify.put(t.id(), verify(t, roots.get(t.id()), backings.get(t.id()), jobs, raw));
                out.println("verify " + t.id() + ": " + verify.get(t.id()));
                if (t instanceof RsplicefsTarget rt) {
                    counters.put(t.id(), rt.stats().writes());
                }
            }
        } finally {
            stopAll(targets);
            if (targets.stream().noneMatch(t -> !t.isNative() && MountTable.isMounted(t.file().getParent()))) {
                children.run(new ProcessBuilder("rm", "-rf", base.toString()), 600);
            }
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException ignored) {
                // shutting down: the hook runs anyway
            }
        }
        String conditions = String.format(Locale.ROOT, "%d MiB per file, %d rounds, rand jobs at most %d s;"
                + " Linux %s, %d CPUs (%s); %s; load average before %s, after %s", size >> 20, rounds, randRuntime,
                SystemInfo.kernelRelease(), Runtime.getRuntime().availableProcessors(), SystemInfo.cpuModel(), fio,
                loadBefore, loadAverage());
        String report = report(conditions, runs, verify, counters, notes);
        out.println();
        out.print(report);
        try {
            Files.writeString(outDir.resolve("writes.md"), report);
        } catch (IOException e) {
            throw new BenchException("cannot write " + outDir.resolve("writes.md") + ": " + e.getMessage(), e);
        }
        return report;
    }

    /**
     * fio's crc32c check of a sequential (1 MiB) and a random (4 KiB) write, each through the target and
     * then on the backing file alone: "ok", or what failed.
     */
    private String verify(Target t, Path root, Path backing, Path jobs, Path raw) {
        long v = Math.max(16L << 20, size / 4 / (1 << 20) * (1 << 20));
        List<String> parts = new ArrayList<>();
        for (String[] kind : List.of(new String[] {"write", "1m"}, new String[] {"randwrite", "4k"})) {
            String name = "verify-" + kind[0];
            String what = kind[0] + " " + kind[1];
            try {
                Map<String, String> env = Map.of("BENCH_RW", kind[0], "BENCH_BS", kind[1], "BENCH_VERIFY_ONLY", "0");
                fio("wverify.fio", jobs, root.resolve(name), v, env, OptionalLong.empty(),
                        raw.resolve(name + "-" + BenchRun.fileId(t.id()) + ".json"));
                Map<String, String> again = Map.of("BENCH_RW", kind[0], "BENCH_BS", kind[1],
                        "BENCH_VERIFY_ONLY", "1");
                fio("wverify.fio", jobs, backing.resolve(name), v, again, OptionalLong.empty(),
                        raw.resolve(name + "-backing-" + BenchRun.fileId(t.id()) + ".json"));
                parts.add(what + " ok");
            } catch (BenchException e) {
                parts.add(what + " FAILED: " + e.getMessage());
            }
        }
        return String.join("; ", parts) + " (" + (v >> 20) + " MiB each, through the mount and on the backing file)";
    }

    private Run fio(String jobFile, Path jobs, Path file, long bytes, Map<String, String> extra, OptionalLong pid,
                    Path output) throws BenchException {
        ProcessBuilder pb = new ProcessBuilder("fio", "--output-format=json", "--output=" + output,
                jobs.resolve(jobFile).toString());
        pb.environment().putAll(FioRunner.env(file, bytes, true, randRuntime, 1));
        pb.environment().putAll(extra);
        long[] cpu0 = pid.isPresent() ? cpuTicks(pid.getAsLong()) : null;
        Children.Result r = children.run(pb, 300 + bytes / 5_000_000);
        long[] cpu1 = pid.isPresent() ? cpuTicks(pid.getAsLong()) : null;
        String text;
        try {
            text = Files.readString(output, StandardCharsets.UTF_8);
        } catch (IOException e) {
            text = "";
        }
        if (!r.ok()) {
            throw new BenchException("fio " + jobFile + " on " + file + " failed (exit " + r.exit() + "): "
                    + oneLine(r.output() + " " + text));
        }
        Map<?, ?> job = job(text, output);
        Map<?, ?> rd = job.get("read") instanceof Map<?, ?> m ? m : Map.of();
        Map<?, ?> wr = job.get("write") instanceof Map<?, ?> m ? m : Map.of();
        boolean daemon = cpu0 != null && cpu1 != null;
        return new Run(num(rd.get("io_bytes")), num(wr.get("io_bytes")), num(rd.get("bw_bytes")),
                num(wr.get("bw_bytes")), daemon ? cpu1[0] - cpu0[0] : 0, daemon ? cpu1[1] - cpu0[1] : 0, daemon);
    }

    private static Map<?, ?> job(String text, Path output) throws BenchException {
        int start = text.indexOf('{');
        if (start < 0) {
            throw new BenchException("fio wrote no JSON to " + output + ": " + oneLine(text));
        }
        Map<String, Object> root;
        try {
            root = JSON.std.mapFrom(text.substring(start));
        } catch (IOException e) {
            throw new BenchException("fio's JSON in " + output + " does not parse: " + e.getMessage(), e);
        }
        List<?> jobs = root.get("jobs") instanceof List<?> l ? l : List.of();
        if (jobs.size() != 1 || !(jobs.get(0) instanceof Map<?, ?> job)) {
            throw new BenchException("fio's JSON in " + output + " has " + jobs.size() + " job entries, not one");
        }
        if (num(job.get("error")) != 0) {
            throw new BenchException("fio reported error " + num(job.get("error")) + " (see " + output + ")");
        }
        return job;
    }

    /** utime and stime (clock ticks) of a process, all its threads; null when it is gone. */
    static long[] cpuTicks(long pid) {
        try {
            String s = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
            return new long[] {Long.parseLong(f[11]), Long.parseLong(f[12])}; // fields 14 and 15
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static double cpuPerGib(Run r) {
        long bytes = r.writeBytes() + r.readBytes();
        return bytes == 0 ? 0 : (r.userTicks() + r.sysTicks()) / (double) SystemInfo.clockTicks()
                / (bytes / (double) (1L << 30));
    }

    /** The report: conditions, MB/s, CPU, ratios and goals, the data check, counters, how each target ran. */
    String report(String conditions, Map<String, Run[][]> runs, Map<String, String> verify,
                  Map<String, MountStats.WriteStats> counters, List<String> notes) {
        StringBuilder b = new StringBuilder();
        b.append("Conditions: ").append(conditions).append("\n\n");
        b.append("Median MB/s (fio's bandwidth, end_fsync included; randrw: reads and writes together)\n\n");
        header(b, "workload", runs.keySet());
        for (Workload w : Workload.values()) {
            b.append("| ").append(w.title).append(" |");
            for (Run[][] v : runs.values()) {
                b.append(String.format(Locale.ROOT, " %.0f |", median(Arrays.stream(v[w.ordinal()])
                        .mapToDouble(Run::mbPerSec).toArray())));
            }
            b.append('\n');
        }
        List<String> daemons = runs.keySet().stream().filter(id -> runs.get(id)[0][0].hasDaemon()).toList();
        b.append("\nDaemon CPU seconds per GiB moved (median; user + system, system's share in brackets)\n\n");
        header(b, "workload", daemons);
        for (Workload w : Workload.values()) {
            b.append("| ").append(w.title).append(" |");
            for (String id : daemons) {
                Run[] v = runs.get(id)[w.ordinal()];
                double cpu = median(Arrays.stream(v).mapToDouble(WriteBench::cpuPerGib).toArray());
                long user = Arrays.stream(v).mapToLong(Run::userTicks).sum();
                long sys = Arrays.stream(v).mapToLong(Run::sysTicks).sum();
                b.append(String.format(Locale.ROOT, " %.2f (%.0f%%) |", cpu,
                        user + sys == 0 ? 0 : 100.0 * sys / (user + sys)));
            }
            b.append('\n');
        }
        List<String[]> ratios = ratios(runs.keySet());
        b.append("\nMedian per-round ratios (higher: the first is faster)\n\n");
        header(b, "workload", ratios.stream().map(r -> r[0] + " / " + r[1]).toList());
        for (Workload w : Workload.values()) {
            b.append("| ").append(w.title).append(" |");
            for (String[] r : ratios) {
                b.append(String.format(Locale.ROOT, " %.2fx |", ratio(runs, r[0], r[1], w)));
            }
            b.append('\n');
        }
        b.append("\nGoals (seq write 1m, same run):\n");
        for (Engine e : engines) {
            String splice = BenchConfig.id("splice", e);
            String copy = BenchConfig.id("copy", e);
            double x = ratio(runs, splice, copy, Workload.WSEQ1M);
            b.append(String.format(Locale.ROOT, "- %s >= 1.3x %s: %.2fx, %s%n", splice, copy, x,
                    x >= 1.3 ? "met" : "missed"));
            if (runs.containsKey("bindfs")) {
                double y = ratio(runs, splice, "bindfs", Workload.WSEQ1M);
                b.append(String.format(Locale.ROOT, "- %s ahead of bindfs: %.2fx, %s%n", splice, y,
                        y > 1 ? "met" : "missed"));
            }
        }
        boolean lost = verify.values().stream().anyMatch(v -> v.contains("FAILED"));
        b.append("- no target loses data (fio verify=crc32c): ").append(lost ? "missed" : "met").append("\n\n");
        b.append("Data check:\n");
        verify.forEach((id, v) -> b.append("- ").append(id).append(": ").append(v).append('\n'));
        b.append("\nWrite counters of the mounts (all rounds and the check):\n");
        counters.forEach((id, c) -> b.append(String.format(Locale.ROOT,
                "- %s: %d requests, %.0f MiB, %d spliced, %d copied %s%n", id, c.requests(), c.bytes() / 1048576.0,
                c.splicedRequests(), c.copiedRequests(), c.copyReasons())));
        b.append("\nTargets:\n");
        notes.forEach(n -> b.append("- ").append(n).append('\n'));
        return b.toString();
    }

    /** Per engine splice over copy, splice over bindfs, each over native, and the writeback cache's effect. */
    private List<String[]> ratios(java.util.Set<String> ids) {
        List<String[]> out = new ArrayList<>();
        for (Engine e : engines) {
            out.add(new String[] {BenchConfig.id("splice", e), BenchConfig.id("copy", e)});
        }
        if (ids.contains("bindfs")) {
            engines.forEach(e -> out.add(new String[] {BenchConfig.id("splice", e), "bindfs"}));
        }
        String wbc = BenchConfig.id("splice+wbc", Engine.DIRECT);
        if (ids.contains(wbc)) {
            out.add(new String[] {wbc, BenchConfig.id("splice", Engine.DIRECT)});
        }
        for (String id : ids) {
            if (!id.equals("native")) {
                out.add(new String[] {id, "native"});
            }
        }
        return out.stream().filter(r -> ids.contains(r[0]) && ids.contains(r[1])).toList();
    }

    private double ratio(Map<String, Run[][]> runs, String a, String b, Workload w) {
        if (!runs.containsKey(a) || !runs.containsKey(b)) {
            return Double.NaN;
        }
        double[] v = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            v[r] = runs.get(a)[w.ordinal()][r].mbPerSec() / runs.get(b)[w.ordinal()][r].mbPerSec();
        }
        return median(v);
    }

    private static void header(StringBuilder b, String first, java.util.Collection<String> cols) {
        b.append("| ").append(first).append(" |");
        cols.forEach(c -> b.append(' ').append(c).append(" |"));
        b.append("\n|---|").append("---:|".repeat(cols.size())).append('\n');
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private void extractJobs(Path dir) throws BenchException {
        for (String name : JOB_FILES) {
            try (InputStream in = WriteBench.class.getResourceAsStream(FioRunner.RESOURCE_DIR + name)) {
                if (in == null) {
                    throw new BenchException("the job file " + name + " is missing from the jar (rebuild it)");
                }
                Files.copy(in, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw new BenchException("cannot write " + dir.resolve(name) + ": " + e.getMessage(), e);
            }
        }
    }

    private static void stopAll(List<Target> targets) {
        for (Target t : targets) {
            t.stop();
        }
    }

    private static String loadAverage() {
        try {
            return String.join(" ", Arrays.copyOf(Files.readString(Path.of("/proc/loadavg")).split(" "), 3));
        } catch (IOException e) {
            return "?";
        }
    }

    private static long num(Object o) {
        return o instanceof Number n ? n.longValue() : 0;
    }

    private static String oneLine(String s) {
        String t = s.replaceAll("\\s+", " ").trim();
        return t.length() > 400 ? t.substring(0, 400) + " ..." : t;
    }

    private static void deleteIfExists(Path p) throws BenchException {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new BenchException("cannot delete " + p + ": " + e.getMessage(), e);
        }
    }

    private static Path mkdirs(Path p) throws BenchException {
        try {
            return Files.createDirectories(p);
        } catch (IOException e) {
            throw new BenchException("cannot create " + p + ": " + e.getMessage(), e);
        }
    }

    private static void write(Path p) throws BenchException {
        try {
            Files.write(p, "x".getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new BenchException("cannot write " + p + ": " + e.getMessage(), e);
        }
    }
}
