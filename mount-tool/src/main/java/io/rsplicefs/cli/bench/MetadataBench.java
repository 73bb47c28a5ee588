package io.rsplicefs.cli.bench;

import io.rsplicefs.fs.Engine;
import io.rsplicefs.fs.host.MountTable;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * {@code rsplicefs bench --metadata}: the metadata workloads of issue 14, as a
 * user runs them in a shell, on native, a rsplicefs mount per engine
 * ("rsplicefs" on jnr-fuse, "rsplicefs@direct") and (with --with-peers)
 * bindfs, interleaved round by round: create N empty files
 * ({@code seq | xargs touch}), {@code ls -l} them, {@code rm -rf} them. Each
 * target mirrors its own directory and stays mounted for all rounds (a
 * daemon serving for a while, as in use); every round works in a fresh
 * directory. Reports the median seconds and the ratios to native and bindfs.
 */
public final class MetadataBench {
    static final List<String> WORKLOADS = List.of("create", "ls -l", "rm -rf");
    private static final String MARKER = "bench-ready";
    /** The metadata bench's name for a rsplicefs mount (read path auto), "@direct" added for that engine. */
    static final String RSPLICEFS = "rsplicefs";

    private final Path base;
    private final int files;
    private final int rounds;
    private final boolean withPeers;
    private final List<Engine> engines;
    private final List<String> daemonJvmOptions;
    private final PrintStream out;
    private final Children children = new Children();

    public MetadataBench(Path workDir, int files, int rounds, boolean withPeers, List<Engine> engines,
                         List<String> daemonJvmOptions, PrintStream out) {
        this.base = workDir.resolve("rsplicefs-bench-metadata-" + ProcessHandle.current().pid());
        this.files = files;
        this.rounds = rounds;
        this.withPeers = withPeers;
        this.engines = engines;
        this.daemonJvmOptions = daemonJvmOptions;
        this.out = out;
    }

    /** Runs the rounds; returns the Markdown table (also printed). */
    public String run() throws BenchException {
        List<Target> targets = new ArrayList<>();
        List<Path> roots = new ArrayList<>();
        Map<String, double[][]> seconds = new LinkedHashMap<>();
        Thread hook = new Thread(() -> stopAll(targets), "bench-metadata-teardown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            for (String id : targetIds()) {
                Path src = mkdirs(base.resolve("src-" + BenchRun.fileId(id)));
                write(src.resolve(MARKER));
                Path mnt = base.resolve("mnt-" + BenchRun.fileId(id));
                Target t;
                if (id.equals("native")) {
                    t = new NativeTarget(src.resolve(MARKER));
                    roots.add(src);
                } else if (id.startsWith(RSPLICEFS)) {
                    BenchConfig.Variant auto = BenchConfig.Variant.parse(BenchConfig.id("auto", engineOf(id)));
                    t = new RsplicefsTarget(id, children, src, mnt, MARKER, auto, false,
                            mkdirs(base.resolve("run")), daemonJvmOptions);
                    roots.add(mnt);
                } else {
                    PeerSetup peers = new PeerSetup(children, base.resolve("peers"), true, out::println);
                    Optional<PeerTarget> b = peers.bindfs(src, mnt, MARKER, base.resolve("logs/bindfs.log"));
                    peers.notes().forEach(n -> out.println("note: " + n));
                    if (b.isEmpty()) {
                        continue;
                    }
                    t = b.get();
                    roots.add(mnt);
                }
                t.start();
                targets.add(t);
                seconds.put(id, new double[WORKLOADS.size()][rounds]);
            }
            out.printf("metadata bench: %d files, %d rounds, targets %s, load %s%n", files, rounds,
                    seconds.keySet(), loadAverage());
            for (int r = 0; r < rounds; r++) {
                for (int k = 0; k < targets.size(); k++) {
                    int i = (k + r) % targets.size(); // rotate who goes first
                    Path dir = roots.get(i).resolve("r" + r);
                    double[] s = round(dir);
                    for (int w = 0; w < s.length; w++) {
                        seconds.get(targets.get(i).id())[w][r] = s[w];
                    }
                    out.printf("round %d %-17s create %.2f s, ls -l %.2f s, rm -rf %.2f s%n", r + 1,
                            targets.get(i).id(), s[0], s[1], s[2]);
                }
            }
        } finally {
            stopAll(targets);
            if (targets.stream().noneMatch(t -> !t.isNative() && MountTable.isMounted(
                    base.resolve("mnt-" + BenchRun.fileId(t.id()))))) {
                children.run(new ProcessBuilder("rm", "-rf", base.toString()), 600);
            }
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException ignored) {
                // shutting down: the hook runs anyway
            }
        }
        String table = table(seconds);
        out.println();
        out.print(table);
        out.println("load average after: " + loadAverage());
        return table;
    }

    /** native, "rsplicefs" (jnr-fuse) and/or "rsplicefs@direct", bindfs with the peers. */
    private List<String> targetIds() {
        List<String> ids = new ArrayList<>(List.of("native"));
        engines.forEach(e -> ids.add(BenchConfig.id(RSPLICEFS, e)));
        if (withPeers) {
            ids.add("bindfs");
        }
        return ids;
    }

    private static Engine engineOf(String id) {
        int at = id.indexOf(BenchConfig.ENGINE_MARK);
        return at < 0 ? Engine.JNR_FUSE : Engine.parse(id.substring(at + 1));
    }

    /** One round in a fresh directory: the seconds of each workload. */
    private double[] round(Path dir) throws BenchException {
        mkdirs(dir);
        String d = dir.toString();
        return new double[] {
            timed("cd \"$1\" && seq -f f%g " + files + " | xargs touch", d),
            timed("ls -l \"$1\" > /dev/null", d),
            timed("rm -rf \"$1\"", d),
        };
    }

    private double timed(String script, String dir) throws BenchException {
        ProcessBuilder pb = new ProcessBuilder("sh", "-c", script, "sh", dir).directory(new java.io.File("/"));
        long t0 = System.nanoTime();
        Children.Result r = children.run(pb, 600);
        double s = (System.nanoTime() - t0) / 1e9;
        if (!r.ok()) {
            throw new BenchException("'" + script + "' failed in " + dir + ": " + r.output().trim());
        }
        return s;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /**
     * Median seconds per workload and target, then each rsplicefs mount's
     * time over native's and bindfs's (lower is better), and with both
     * engines direct's over jnr-fuse's.
     */
    String table(Map<String, double[][]> seconds) {
        List<String> ours = seconds.keySet().stream().filter(id -> id.startsWith(RSPLICEFS)).toList();
        List<String[]> ratios = new ArrayList<>(); // {numerator, denominator}
        for (String denominator : List.of("native", "bindfs")) {
            if (seconds.containsKey(denominator)) {
                ours.forEach(id -> ratios.add(new String[] {id, denominator}));
            }
        }
        String jnr = BenchConfig.id(RSPLICEFS, Engine.JNR_FUSE);
        String direct = BenchConfig.id(RSPLICEFS, Engine.DIRECT);
        if (seconds.containsKey(jnr) && seconds.containsKey(direct)) {
            ratios.add(new String[] {direct, jnr});
        }
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "Median seconds of %d rounds, %d files%n%n", rounds, files));
        b.append("| workload |");
        seconds.keySet().forEach(id -> b.append(' ').append(id).append(" |"));
        ratios.forEach(r -> b.append(' ').append(r[0]).append(" / ").append(r[1]).append(" |"));
        b.append('\n').append("|---|").append("---:|".repeat(seconds.size() + ratios.size())).append('\n');
        for (int w = 0; w < WORKLOADS.size(); w++) {
            b.append("| ").append(WORKLOADS.get(w)).append(" |");
            for (double[][] v : seconds.values()) {
                b.append(String.format(Locale.ROOT, " %.2f |", median(v[w])));
            }
            for (String[] r : ratios) {
                b.append(String.format(Locale.ROOT, " %.2fx |",
                        median(seconds.get(r[0])[w]) / median(seconds.get(r[1])[w])));
            }
            b.append('\n');
        }
        return b.toString();
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
