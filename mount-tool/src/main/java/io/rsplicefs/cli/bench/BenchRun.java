package io.rsplicefs.cli.bench;

import com.fasterxml.jackson.jr.ob.JSON;
import io.rsplicefs.fs.Engine;
import io.rsplicefs.fs.host.Capabilities;
import io.rsplicefs.fs.host.Damon;
import io.rsplicefs.fs.host.MountTable;
import io.rsplicefs.fs.host.ProcFile;
import io.rsplicefs.fs.host.ProcessStat;
import io.rsplicefs.fs.host.SystemInfo;
import io.rsplicefs.fs.stats.MountStats;
import io.rsplicefs.nativeio.NativeIoException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * One benchmark run: a backing file of random bytes, every target mounted
 * over its directory, then rounds in which every job runs once on every
 * target (the order rotated each round), then the summary as Markdown, JSON
 * and a PNG chart. Everything it mounted or started is torn down at the end,
 * also on Ctrl-C (a shutdown hook), and its temporary directory removed.
 */
public final class BenchRun {
    static final String DATA_FILE = "data.bin";
    static final String MARKDOWN = "results.md";
    static final String JSON_FILE = "results.json";
    static final String CHART = "ratio-to-native.png";
    /** The warm-up pass reads at most this much per target. */
    private static final long WARMUP_BYTES = 256L << 20;

    private final BenchConfig cfg;
    private final PrintStream out;
    private final PrintStream progress;
    private final Children children = new Children();
    private final List<Target> started = Collections.synchronizedList(new ArrayList<>());
    private final List<String> notes = new ArrayList<>();
    private final Object teardownLock = new Object();
    private boolean tornDown;
    private Path base;
    private Path data;
    private FioRunner fio;
    private volatile FuseTrace trace;
    private String pipeMaxAtStart;

    public BenchRun(BenchConfig cfg, PrintStream out, PrintStream progress) {
        this.cfg = cfg;
        this.out = out;
        this.progress = progress;
    }

    /** Runs the benchmark; the table goes to stdout, progress to stderr. */
    public void run() throws BenchException {
        Instant startedAt = Instant.now();
        String loadStart = loadAverage();
        String fioVersion = FioRunner.version(children);
        pipeMaxAtStart = pipeCheck("at the start");
        Damon.pageoutScheme().ifPresent(damon -> {
            notes.add(damon + ": the kernel reclaims page cache that stays idle; the bench reads the whole backing"
                    + " file before every job so none of it is idle, but pages reclaimed during a job count as moved");
        });
        try {
            Files.createDirectories(cfg.dir());
            base = Files.createTempDirectory(cfg.dir(), "rsplicefs-bench-");
        } catch (IOException e) {
            throw new BenchException("cannot create a working directory under " + cfg.dir() + ": " + e.getMessage(), e);
        }
        Thread hook = new Thread(() -> {
            if (!isTornDown()) {
                say("stopping: unmounting everything and removing " + base);
            }
            teardown();
        }, "rsplicefs-bench-teardown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            runIn(startedAt, loadStart, fioVersion);
        } catch (BenchException | RuntimeException e) {
            if (children.stopping()) {
                throw new BenchException("interrupted; everything it mounted was unmounted");
            }
            throw e;
        } finally {
            teardown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is already shutting down (Ctrl-C): the hook ran or runs the same teardown
            }
        }
    }

    private void runIn(Instant startedAt, String loadStart, String fioVersion) throws BenchException {
        Path rawDir = cfg.out().resolve("fio");
        prepareOut(rawDir);
        fio = new FioRunner(children, base.resolve("fio"));
        fio.extractJobs();

        Path store = base.resolve("store");
        data = store.resolve(DATA_FILE);
        String fsType = MountTable.fsTypeHolding(base);
        if (fsType.equals("tmpfs") || fsType.startsWith("fuse")) {
            notes.add("the data file is on " + fsType + " (" + base + "): donation and the page cache behave unlike a"
                    + " disk filesystem there; give --dir on ext4 or xfs for meaningful numbers");
        }
        try {
            Files.createDirectories(store);
            say("writing " + MarkdownReport.size(cfg.size()) + " of random bytes to " + data);
            PageCache.writeRandom(data, cfg.size(), 42);
            // Drop what the writes cached (possibly large folios), then warm it with order-0 pages.
            PageCache.evict(data);
            PageCache.warm(data, cfg.size());
        } catch (IOException e) {
            throw new BenchException("cannot write the data file " + data + ": " + e.getMessage(), e);
        }

        List<Target> targets = makeTargets(store);
        if (cfg.trace()) {
            trace = FuseTrace.open(children, notes::add).orElse(null);
        }
        for (Target t : targets) {
            if (children.stopping()) {
                throw new BenchException("interrupted");
            }
            say("mounting " + t.id() + (t.isNative() ? "" : ": " + t.command()));
            started.add(t);
            t.start();
            if (t.note() != null && t.kind() == Target.Kind.RSPLICEFS) {
                notes.add(t.id() + ": " + t.note());
            }
        }
        List<String> ids = targets.stream().map(Target::id).toList();

        if (cfg.warmup()) {
            say("warm-up: one unrecorded pass per target (JIT, daemon threads, dentries)");
            Path warmDir = base.resolve("warmup");
            mkdirs(warmDir);
            for (Target t : targets) {
                measure(0, 0, Job.SEQ128K, t, Math.min(cfg.size(), WARMUP_BYTES), 1,
                        warmDir.resolve("seq128k-" + fileId(t.id()) + ".json"));
                if (cfg.jobs().contains(Job.RAND4K)) {
                    measure(0, 0, Job.RAND4K, t, cfg.size(), 1, warmDir.resolve("rand4k-" + fileId(t.id()) + ".json"));
                }
            }
        }

        List<Measurement> all = new ArrayList<>();
        for (int round = 1; round <= cfg.rounds(); round++) {
            List<Target> order = new ArrayList<>(targets);
            Collections.rotate(order, -((round - 1) % order.size()));
            say("round " + round + "/" + cfg.rounds() + ", order: "
                    + String.join(", ", order.stream().map(Target::id).toList()));
            for (Job job : cfg.jobs()) {
                for (int pos = 0; pos < order.size(); pos++) {
                    Target t = order.get(pos);
                    Path raw = rawDir.resolve("r" + round + "-" + job.id() + "-" + fileId(t.id()) + ".json");
                    Measurement m = measure(round, pos + 1, job, t, cfg.size(), cfg.randRuntime(), raw);
                    all.add(m);
                    say(progressLine(m));
                }
            }
        }

        stopTargets();
        checkReach(all);
        checkFallbacks(all, ids);
        String pipeMaxAtEnd = pipeCheck("at the end");

        Summary summary = Summary.of(all, cfg.jobs(), ids);
        RunInfo info = new RunInfo(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT)
                .format(startedAt.atOffset(ZoneOffset.UTC)),
                Duration.between(startedAt, Instant.now()).toSeconds(), SystemInfo.kernelRelease(),
                System.getProperty("os.arch", "?"), Runtime.getRuntime().availableProcessors(), SystemInfo.cpuModel(),
                SystemInfo.meminfo("MemTotal"), loadStart, loadAverage(), fioVersion, version(),
                System.getProperty("java.version", "?"), base.toString(), fsType, cfg.size(), cfg.rounds(),
                cfg.randRuntime(), cfg.nativeLoops(), cfg.warmup(), cfg.commandLine(),
                pipeMaxAtStart + (pipeMaxAtStart.equals(pipeMaxAtEnd) ? "" : " (" + pipeMaxAtEnd + " at the end)"),
                Capabilities.hasSysResource(), cfg.engines().stream().map(Engine::id).toList());
        Map<Job, String> fioCommands = new LinkedHashMap<>();
        for (Job j : cfg.jobs()) {
            fioCommands.put(j, fio.commandLine(j, Path.of("MNT", DATA_FILE), cfg.size(), true, cfg.randRuntime(), 1,
                    "tests/fio/" + j.fileName()));
        }
        writeOutputs(info, summary, targets, all, fioCommands);
    }

    private List<Target> makeTargets(Path store) throws BenchException {
        Path mnt = base.resolve("mnt");
        Path run = base.resolve("run");
        mkdirs(mnt);
        mkdirs(run);
        PeerSetup peers = new PeerSetup(children, base.resolve("peers"), cfg.installPeers(), this::say);
        List<Target> targets = new ArrayList<>();
        for (String id : cfg.targets()) {
            Path mp = mnt.resolve(fileId(id));
            if (id.equals("native")) {
                targets.add(new NativeTarget(data));
            } else if (BenchConfig.isRsplicefs(id)) {
                BenchConfig.Variant v = BenchConfig.Variant.parse(id);
                targets.add(new RsplicefsTarget(id, children, store, mp, DATA_FILE, v,
                        v.path().equals("gift") && cfg.forceGift(), run, cfg.daemonJvmOptions()));
            } else if (id.equals("bindfs")) {
                peerOrNote(peers.bindfs(store, mp, DATA_FILE, base.resolve("logs/bindfs.log")),
                        targets);
            } else if (id.equals("passthrough_ll")) {
                peerOrNote(peers.passthroughLl(store, mp, DATA_FILE, base.resolve("logs/passthrough_ll.log")),
                        targets);
            } else if (id.equals("passthrough_hp")) {
                peerOrNote(peers.passthroughHp(store, mp, DATA_FILE, base.resolve("logs/passthrough_hp.log")),
                        targets);
            }
        }
        notes.addAll(peers.notes());
        return targets;
    }

    private static void peerOrNote(Optional<PeerTarget> peer, List<Target> targets) {
        peer.ifPresent(targets::add);
    }

    /**
     * One job on one target: refresh the backing file's cache, drop the FUSE file's cache,
     * take the counters, run fio, take them again.
     */
    private Measurement measure(int round, int position, Job job, Target t, long size, int randRuntime, Path output)
            throws BenchException {
        try {
            long kept = PageCache.refresh(data, cfg.size());
            int fuseFd = -1;
            try {
                if (!t.isNative()) {
                    // Held open through the job: a later open of a FUSE file would drop its cache
                    // before mincore could see it. fio's invalidate=1 drops it again at its own open.
                    fuseFd = PageCache.open(t.file());
                    PageCache.drop(fuseFd);
                }
                Optional<FsCounters> fs0 = t.counters();
                long backing0 = PageCache.resident(data, cfg.size());
                OptionalLong pid = t.daemonPid();
                OptionalLong cpu0 = pid.isPresent() ? ProcessStat.cpuTicks(pid.getAsLong()) : OptionalLong.empty();
                FuseTrace tr = t.isNative() ? null : trace;
                if (tr != null) {
                    tr.start(FuseTrace.connection(t.file().getParent()));
                }
                long cached0 = SystemInfo.meminfo("Cached");

                FioRunner.Result r = fio.run(job, t.file(), size, !t.isNative(), randRuntime,
                        t.isNative() ? cfg.nativeLoops() : 1, output);

                long cached1 = SystemInfo.meminfo("Cached");
                OptionalLong cpu1 = pid.isPresent() ? ProcessStat.cpuTicks(pid.getAsLong()) : OptionalLong.empty();
                long backing1 = PageCache.resident(data, cfg.size());
                Long fuse = fuseFd >= 0 ? PageCache.resident(fuseFd, cfg.size()) : null;
                Optional<FsCounters> fs1 = t.counters();
                FuseTrace.Counts tc = tr == null ? null : tr.stop();
                if (tc != null && !tc.complete()) {
                    notes.add("round " + round + ", " + job.id() + ", " + t.id() + ": the trace buffer lost events;"
                            + " its request counts are left out");
                }
                Long traceReads = tc != null && tc.complete() ? tc.reads() : null;
                Long traceBytes = tc != null && tc.complete() ? tc.bytes() : null;
                Double cpu = cpu0.isPresent() && cpu1.isPresent()
                        ? (cpu1.getAsLong() - cpu0.getAsLong()) / (double) SystemInfo.clockTicks() : null;
                FsCounters fs = fs0.isPresent() && fs1.isPresent() ? fs1.get().minus(fs0.get()) : null;
                return new Measurement(round, position, job, t.id(), r, cpu, cached1 - cached0, backing0, backing1,
                        fuse, fs, kept, traceReads, traceBytes, tc != null && tc.complete() ? tc.replySizes() : null);
            } finally {
                if (fuseFd >= 0) {
                    try {
                        PageCache.drop(fuseFd); // leave no FUSE copy behind to crowd out the next target
                    } catch (NativeIoException ignored) {
                        // only tidiness
                    }
                    PageCache.closeQuietly(fuseFd);
                }
            }
        } catch (IOException e) { // NativeIoException included
            throw new BenchException(job.id() + " on " + t.id() + ": " + e.getMessage(), e);
        }
    }

    /** Replies a rsplicefs read path could not give as it should (a pipe refused, ...): the numbers lie then. */
    private void checkFallbacks(List<Measurement> all, List<String> ids) {
        for (String id : ids) {
            Map<String, Long> fallbacks = new TreeMap<>();
            long replies = 0;
            for (Measurement m : all) {
                if (m.target.equals(id) && m.counters != null) {
                    replies += m.counters.spliceReplies() + m.counters.copyReplies();
                    m.counters.copyReasons().forEach((k, n) -> {
                        if (k.startsWith("fallback")) {
                            fallbacks.merge(k, n, Long::sum);
                        }
                    });
                }
            }
            if (!fallbacks.isEmpty()) {
                long n = fallbacks.values().stream().mapToLong(Long::longValue).sum();
                notes.add("⚠ " + id + ": " + n + " of " + replies + " replies fell back to copy (" + fallbacks
                        + "); its numbers are not those of its read path");
            }
        }
    }

    /**
     * fs.pipe-max-size binds root too when it lacks CAP_SYS_RESOURCE (as in some
     * VMs and containers): below a 128 KiB reply plus a page, rsplice and libfuse
     * (2 and 3) cannot grow their pipes and copy instead, silently for libfuse.
     * Returns the value read.
     */
    private String pipeCheck(String when) {
        String v;
        try {
            v = ProcFile.read(Path.of("/proc/sys/fs/pipe-max-size")).trim();
        } catch (IOException e) {
            return "?";
        }
        try {
            if (Long.parseLong(v) < 128 * 1024 + 4096 && !Capabilities.hasSysResource()) {
                notes.add("⚠ fs.pipe-max-size was " + v + " " + when + " and this root lacks CAP_SYS_RESOURCE: pipes"
                        + " cannot hold a 128 KiB reply, so the splicing paths (rsplicefs and libfuse's) copy instead;"
                        + " restore it with: sysctl -w fs.pipe-max-size=1048576");
            }
        } catch (NumberFormatException e) {
            // reported as read
        }
        return v;
    }

    private void checkReach(List<Measurement> all) {
        for (Measurement m : all) {
            Double r = m.servedRatio();
            if (r != null && r < 0.9) {
                notes.add("⚠ round " + m.round + ", " + m.job.id() + ", " + m.target + ": the daemon served "
                        + MarkdownReport.fmt(r * 100, 0) + " % of the bytes fio read; those reads did not all reach"
                        + " it (page cache not dropped?)");
            }
        }
    }

    private String progressLine(Measurement m) {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "  %-8s %-22s %8.0f MB/s", m.job.id(),
                m.target, m.mbPerSec()));
        if (m.cpuPerGib() != null) {
            b.append(String.format(Locale.ROOT, "  cpu %.2f s/GiB", m.cpuPerGib()));
        }
        b.append(String.format(Locale.ROOT, "  cache %.2f", m.footprintMeminfo()));
        if (m.movedFraction() != null && m.movedFraction() > 0.005) {
            b.append(String.format(Locale.ROOT, "  moved %.2f", m.movedFraction()));
        }
        if (m.kibPerRead() != null) {
            b.append(String.format(Locale.ROOT, "  %.0f KiB/req", m.kibPerRead()));
        }
        if (m.servedRatio() != null) {
            b.append(String.format(Locale.ROOT, "  served %.2f", m.servedRatio()));
        }
        return b.toString();
    }

    private void writeOutputs(RunInfo info, Summary summary, List<Target> targets, List<Measurement> all,
                              Map<Job, String> fioCommands) throws BenchException {
        Path md = cfg.out().resolve(MARKDOWN);
        Path json = cfg.out().resolve(JSON_FILE);
        Path png = cfg.out().resolve(CHART);
        String chartRef = CHART;
        try {
            Chart.write(summary, summary.targets(), "rsplicefs bench: throughput relative to native",
                    MarkdownReport.size(info.size()) + " file, median of " + info.rounds() + " round"
                            + (info.rounds() == 1 ? "" : "s") + ", Linux " + info.kernel() + ", " + info.cpus()
                            + " CPUs, " + info.startedUtc() + "; dashed: the read paths' goal"
                            + (EngineGoals.applies(summary.targets()) ? ", purple: the direct engine's (issue 15);"
                            + " striped bars: the direct engine" : ""), png);
        } catch (IOException | RuntimeException | LinkageError e) {
            notes.add("the chart could not be drawn: " + e);
            chartRef = null;
        }
        String text = MarkdownReport.render(info, summary, targets, notes, fioCommands, chartRef);
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("run", info.toJson());
        j.put("jobs", cfg.jobs().stream().map(Job::id).toList());
        List<Map<String, Object>> ts = new ArrayList<>();
        for (Target t : targets) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", t.id());
            m.put("kind", t.kind().name().toLowerCase(Locale.ROOT));
            m.put("command", t.command());
            m.put("note", t.note());
            m.put("engine", t.engine().map(Engine::id).orElse(null));
            m.put("engineStats", t.engineStats().map(BenchRun::negotiated).orElse(null));
            ts.add(m);
        }
        j.put("targets", ts);
        j.put("notes", notes);
        Map<String, String> cmds = new LinkedHashMap<>();
        fioCommands.forEach((k, v) -> cmds.put(k.id(), v));
        j.put("fioCommands", cmds);
        j.put("summary", summary.rows().stream().map(Summary.Row::toJson).toList());
        j.put("engineGoals", EngineGoals.applies(summary.targets())
                ? EngineGoals.judge(summary).stream().map(EngineGoals.Line::toJson).toList() : null);
        j.put("measurements", all.stream().map(Measurement::toJson).toList());
        try {
            Files.writeString(md, text, StandardCharsets.UTF_8);
            String raw = JSON.std.with(JSON.Feature.PRETTY_PRINT_OUTPUT, JSON.Feature.WRITE_NULL_PROPERTIES)
                    .asString(j);
            Files.writeString(json, raw + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new BenchException("cannot write the results to " + cfg.out() + ": " + e.getMessage(), e);
        }
        out.print(text);
        out.flush();
        say("wrote " + md + ", " + json + (chartRef == null ? "" : ", " + png) + " and the raw fio output in "
                + cfg.out().resolve("fio"));
    }

    /** What a direct mount agreed with the kernel when it went live (its counters are per measurement). */
    private static Map<String, Object> negotiated(MountStats.EngineStats e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", e.name());
        m.put("protocol", e.protocol());
        m.put("transport", e.transport());
        m.put("threads", e.threads());
        m.put("maxRequestBytes", e.maxRequestBytes());
        m.put("maxReadahead", e.maxReadahead());
        m.put("accepted", e.accepted());
        return m;
    }

    private void prepareOut(Path rawDir) throws BenchException {
        try {
            Files.createDirectories(rawDir);
            try (DirectoryStream<Path> old = Files.newDirectoryStream(rawDir, "*.json")) {
                for (Path p : old) {
                    Files.delete(p);
                }
            }
        } catch (IOException e) {
            throw new BenchException("cannot use the output directory " + cfg.out() + ": " + e.getMessage(), e);
        }
    }

    private static void mkdirs(Path p) throws BenchException {
        try {
            Files.createDirectories(p);
        } catch (IOException e) {
            throw new BenchException("cannot create " + p + ": " + e.getMessage(), e);
        }
    }

    /** A target id as a file name ("rsplice+donate" -> "rsplice-donate"). */
    static String fileId(String id) {
        return id.replaceAll("[^A-Za-z0-9_.-]", "-");
    }

    private void say(String line) {
        progress.println("bench: " + line);
        progress.flush();
    }

    private static String loadAverage() {
        try {
            String[] f = ProcFile.read(Path.of("/proc/loadavg")).trim().split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    private static String version() {
        String v = BenchRun.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    private void stopTargets() {
        List<Target> ts;
        synchronized (started) {
            ts = new ArrayList<>(started);
            started.clear();
        }
        Collections.reverse(ts);
        for (Target t : ts) {
            t.stop();
        }
    }

    /**
     * Kills running children, unmounts everything, removes the working
     * directory (never descending into a mount point). Runs once, from the
     * main thread or from the shutdown hook on Ctrl-C, whichever comes first;
     * the other waits for it.
     */
    private boolean isTornDown() {
        synchronized (teardownLock) {
            return tornDown;
        }
    }

    private void teardown() {
        synchronized (teardownLock) {
            if (tornDown) {
                return;
            }
            tornDown = true;
            children.close();
            FuseTrace tr = trace;
            if (tr != null) {
                tr.close();
                trace = null;
            }
            stopTargets();
            if (base != null) {
                deleteTree(base);
            }
        }
    }

    private static void deleteTree(Path root) {
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    // something still mounted here (an unmount failed): never delete through it
                    return !dir.equals(root) && MountTable.isMounted(dir) ? FileVisitResult.SKIP_SUBTREE
                            : FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) {
                    try {
                        Files.deleteIfExists(dir);
                    } catch (IOException ignored) {
                        // a mount point still in use stays; reported by whoever left it mounted
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }
}
