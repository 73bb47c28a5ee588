package io.rsplicefs.cli;

import io.rsplicefs.cli.bench.ArchiveBench;
import io.rsplicefs.cli.bench.BenchConfig;
import io.rsplicefs.cli.bench.BenchException;
import io.rsplicefs.cli.bench.BenchRun;
import io.rsplicefs.cli.bench.Job;
import io.rsplicefs.cli.bench.WriteBench;
import io.rsplicefs.fs.Engine;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** rsplicefs bench: fio throughput of every read path against native and the peers, in one run. */
@Command(name = "bench", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        sortOptions = false,
        description = {
            "Measure read throughput with fio: the backing file itself (native, cache warm: the limit), rsplicefs"
                    + " with each read path on each engine of --engines, and with --with-peers bindfs and libfuse's"
                    + " passthrough_ll (splice on) and passthrough_hp (FUSE passthrough; only when $RSPLICEFS_PASSTHROUGH_HP"
                    + " names a binary of libfuse 3.17+: Debian 12 has none), all over the same file of random"
                    + " bytes, interleaved in rounds. A passed-through target serves no READ: its counters show opens.",
            "",
            "Jobs (tests/fio/*.fio): seq1m, seq128k, rand4k, seq1m2 (2 jobs on disjoint halves); buffered psync."
                    + " The FUSE page cache is dropped before every job and the filesystem's own counters must"
                    + " account for what fio read. Reports per target the median MB/s, the median per-round ratio"
                    + " to native, the daemon's CPU seconds per GiB, the page-cache footprint per GiB read,"
                    + " the fraction of pages moved (donated) and the READ request size the kernel used; with"
                    + " both engines, the direct engine's goals (issue 15) against jnr-fuse and bindfs.",
            "",
            "Writes results.md, results.json, ratio-to-native.png and the raw fio JSON to --out, and prints"
                    + " the table. Needs fio; mounts need what `rsplicefs doctor` checks. Unmounts everything and"
                    + " removes its files when done or interrupted (Ctrl-C).",
            ""},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the run completed (speed never decides the exit status; see the report)",
            "1:the run failed (the message says why)", "2:usage error"})
final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--quick", description = "A short run: 256 MiB file, 3 rounds, rand4k at most 3 s"
            + " (explicit options still win).")
    boolean quick;

    @Option(names = "--size", paramLabel = "SIZE",
            description = "Size of the data file, e.g. 1G, 256M (default 1G; --quick 256M); rounded down to 2 MiB.")
    String size;

    @Option(names = "--rounds", paramLabel = "N", description = "Rounds (default 5; --quick 3).")
    Integer rounds;

    @Option(names = "--rand-runtime", paramLabel = "SECONDS",
            description = "rand4k stops after this long if one pass is not done (default 10; --quick 3).")
    Integer randRuntime;

    @Option(names = "--jobs", paramLabel = "JOB", split = ",",
            description = "Jobs to run (default all): seq1m,seq128k,rand4k,seq1m2.")
    List<String> jobs;

    @Option(names = "--targets", paramLabel = "TARGET", split = ",",
            description = "Targets (default: native,copy,fd,rsplice,rsplice+donate,auto,passthrough (direct engine"
                    + " only: FUSE passthrough), plus gift with --force-gift,"
                    + " plus bindfs,passthrough_ll,passthrough_hp with --with-peers). Any read path may get modifiers:"
                    + " +donate (--donate), +noguard (--no-stable-replies), +single (--threads 1),"
                    + " +uring (--transport=uring, with @direct: FUSE over io_uring, enable_uring set for it),"
                    + " e.g. rsplice+donate+single, and an engine: @direct measures it on the direct engine"
                    + " only (rsplice@direct), else it is measured on every engine of --engines."
                    + " native is always measured.")
    List<String> targets;

    @Option(names = "--engines", paramLabel = "ENGINE", split = ",",
            description = "Engines to measure every rsplicefs target on, side by side in the same rounds: jnr-fuse,"
                    + " direct (default: $RSPLICEFS_ENGINE if set, else both). A target on jnr-fuse keeps its"
                    + " plain name (rsplice), on direct it gets @direct (rsplice@direct), in the table, results.json"
                    + " and the chart. Also applies to --metadata.")
    List<String> engines;

    /** The mount command's spelling, accepted as well; hidden so that help and man page list one option. */
    @Option(names = "--engine", split = ",", hidden = true)
    List<String> engineAlias;

    @Option(names = "--with-peers", description = "Also measure bindfs and libfuse's passthrough_ll, installing"
            + " (apt-get, root) and compiling them if needed, and passthrough_hp from $RSPLICEFS_PASSTHROUGH_HP;"
            + " a peer that cannot be had is skipped with a note.")
    boolean withPeers;

    @Option(names = "--force-gift", description = "Also measure the gift read path, forced on even where the"
            + " kernel copies gifted pages (it logs a page dump for some of them).")
    boolean forceGift;

    @Option(names = "--dir", paramLabel = "DIR", description = "Where the data file and the mount points go"
            + " (a fresh subdirectory, removed afterwards; default: the temporary directory). Use a disk"
            + " filesystem such as ext4, not tmpfs.")
    Path dir;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "bench-out",
            description = "Where the results go (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--warmup", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "One unrecorded pass per target before the rounds (default: on).")
    boolean warmup;

    @Option(names = "--native-loops", paramLabel = "N",
            description = "Passes over the file per native job (default 5): one pass from a warm cache lasts only a"
                    + " few hundred ms, too noisy for the denominator of every ratio. FUSE targets read it once.")
    Integer nativeLoops;

    @Option(names = "--trace", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Count each job's FUSE READ requests and reply bytes with the kernel's fuse tracepoints"
                    + " (root, kernel 6.15+): checks the peers' served bytes and shows request sizes (default: on).")
    boolean trace;

    @Option(names = "--archive", description = "Instead of the read paths: archives. One set of files (--archive-files"
            + " small ones and one big one, of --size) as a tar, a stored zip and a squashfs image, mounted by"
            + " rsplicefs and, with --with-peers, by archivemount, fuse-zip and squashfuse; mount time, the big"
            + " member's sequential read, all small files, 4 KiB random reads, RSS.")
    boolean archive;

    @Option(names = "--archive-files", paramLabel = "N",
            description = "Small files in the --archive set (default 10000; --quick 1000).")
    Integer archiveFiles;

    @Option(names = "--daemon-jvm-option", paramLabel = "OPT",
            description = "An extra JVM option for the rsplicefs daemons (repeatable), e.g. to profile them with"
                    + " -XX:StartFlightRecording=filename=/tmp/d-%%p.jfr.")
    List<String> daemonJvmOptions = new ArrayList<>();

    @Option(names = "--metadata", description = "The metadata workloads instead: create --files empty files,"
            + " ls -l them, rm -rf them, on native, rsplicefs (on each engine of --engines) and (--with-peers)"
            + " bindfs; --rounds (default 3).")
    boolean metadata;

    @Option(names = "--write", description = "The write workloads instead (issue 18): seq write 1m of a new file"
            + " (end_fsync), overwrite 1m, rand write 4k, randrw 4k 70/30, on native, rsplicefs with --write-path"
            + " copy and splice on each engine of --engines (direct also with --writeback-cache) and bindfs (if"
            + " installed; --with-peers installs it),"
            + " interleaved in rounds; daemon CPU per GiB written; then fio verify=crc32c through each target and"
            + " on its backing file. Takes --size, --rounds, --rand-runtime, --quick; writes writes.md to --out.")
    boolean write;

    @Option(names = "--files", paramLabel = "N", defaultValue = "10000",
            description = "Files per round of --metadata (default 10000).")
    int files;

    @Override
    public Integer call() throws CliException {
        List<Engine> engineList = engines();
        if (write && metadata) {
            throw new ParameterException(spec.commandLine(), "--write and --metadata are two runs: choose one");
        }
        if (metadata) {
            return metadata(engineList);
        }
        long bytes = size == null ? (quick ? 256L << 20 : 1L << 30) : parseSize(size);
        int n = rounds == null ? (quick ? 3 : 5) : rounds;
        if (n < 1 || n > 100) {
            throw new ParameterException(spec.commandLine(), "--rounds needs 1 to 100, not " + n);
        }
        int loops = nativeLoops == null ? 5 : nativeLoops;
        if (loops < 1 || loops > 100) {
            throw new ParameterException(spec.commandLine(), "--native-loops needs 1 to 100, not " + loops);
        }
        int rand = randRuntime == null ? (quick ? 3 : 10) : randRuntime;
        if (rand < 1 || rand > 3600) {
            throw new ParameterException(spec.commandLine(), "--rand-runtime needs 1 to 3600 seconds, not " + rand);
        }
        Path workDir = (dir == null ? Path.of(System.getProperty("java.io.tmpdir", "/tmp")) : dir).toAbsolutePath();
        if (write) {
            if (targets != null || jobs != null || archive || forceGift) {
                throw new ParameterException(spec.commandLine(), "--write has its own targets and jobs: it takes no"
                        + " --targets, --jobs, --archive or --force-gift");
            }
            try {
                java.nio.file.Files.createDirectories(out.toAbsolutePath().normalize());
                new WriteBench(workDir, bytes, n, rand, engineList, withPeers, daemonJvmOptions,
                        out.toAbsolutePath().normalize(), System.out).run();
            } catch (BenchException | java.io.IOException e) {
                throw new CliException("bench --write: " + e.getMessage(), e);
            }
            return Main.EXIT_OK;
        }
        if (archive) {
            int files = archiveFiles == null ? (quick ? 1000 : 10_000) : archiveFiles;
            if (files < 1 || files > 1_000_000) {
                throw new ParameterException(spec.commandLine(), "--archive-files needs 1 to 1000000, not " + files);
            }
            long big = size == null ? (quick ? 64L << 20 : 256L << 20) : parseSize(size);
            try {
                new ArchiveBench(files, big, n, withPeers, workDir, out.toAbsolutePath().normalize(), System.err).run();
            } catch (BenchException e) {
                throw new CliException("bench: " + e.getMessage(), e);
            }
            return Main.EXIT_OK;
        }
        List<Job> jobList = new ArrayList<>();
        try {
            for (String j : jobs == null ? List.of(Job.ids().split(",")) : jobs) {
                if (!j.isBlank() && !jobList.contains(Job.parse(j))) {
                    jobList.add(Job.parse(j));
                }
            }
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        if (jobList.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "--jobs names no job");
        }
        List<String> targetList;
        try {
            targetList = BenchConfig.checkTargets(targets == null ? BenchConfig.defaultTargets(withPeers, forceGift)
                    : targets, forceGift, engineList);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        List<String> args = new ArrayList<>(spec.commandLine().getParseResult().originalArgs());
        if (!args.isEmpty() && args.get(0).equals("bench")) {
            args.remove(0); // the parse result of a subcommand repeats the whole command line
        }
        String commandLine = "rsplicefs bench" + (args.isEmpty() ? "" : " " + String.join(" ", args));
        BenchConfig cfg = new BenchConfig(bytes, n, rand, jobList, targetList, engineList, withPeers, forceGift,
                workDir, out.toAbsolutePath().normalize(), warmup, trace, loops, daemonJvmOptions, commandLine);
        try {
            new BenchRun(cfg, System.out, System.err).run();
        } catch (BenchException e) {
            throw new CliException("bench: " + e.getMessage(), e);
        }
        return Main.EXIT_OK;
    }

    /**
     * --engines (and --engine) as given, else $RSPLICEFS_ENGINE, else both (jnr-fuse, the reference, and
     * direct, the default of {@code rsplicefs mount}). Duplicates are dropped, the order kept.
     */
    private List<Engine> engines() {
        List<String> asked = new ArrayList<>();
        if (engines != null) {
            asked.addAll(engines);
        }
        if (engineAlias != null) {
            asked.addAll(engineAlias);
        }
        if (asked.isEmpty()) {
            // the bench compares: both engines unless one is asked for
            String env = System.getenv("RSPLICEFS_ENGINE");
            if (env == null || env.isBlank()) {
                asked.add(Engine.JNR_FUSE.id());
                asked.add(Engine.DIRECT.id());
            } else {
                asked.add(env);
            }
        }
        List<Engine> out = new ArrayList<>();
        try {
            for (String e : asked) {
                if (!e.isBlank() && !out.contains(Engine.parse(e))) {
                    out.add(Engine.parse(e));
                }
            }
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--engines: " + e.getMessage());
        }
        if (out.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "--engines names no engine (jnr-fuse, direct)");
        }
        return out;
    }

    private Integer metadata(List<Engine> engineList) throws CliException {
        int n = rounds == null ? 3 : rounds;
        if (n < 1 || n > 100 || files < 1 || files > 10_000_000) {
            throw new ParameterException(spec.commandLine(), "--metadata needs --rounds 1 to 100 and --files 1 to"
                    + " 10000000");
        }
        Path workDir = (dir == null ? Path.of(System.getProperty("java.io.tmpdir", "/tmp")) : dir).toAbsolutePath();
        try {
            String table = new io.rsplicefs.cli.bench.MetadataBench(workDir, files, n, withPeers, engineList,
                    daemonJvmOptions, System.out).run();
            Path o = out.toAbsolutePath().normalize();
            java.nio.file.Files.createDirectories(o);
            java.nio.file.Files.writeString(o.resolve("metadata.md"), table);
        } catch (io.rsplicefs.cli.bench.BenchException | java.io.IOException e) {
            throw new CliException("bench --metadata: " + e.getMessage(), e);
        }
        return Main.EXIT_OK;
    }

    /** A size (see ByteSizeConverter) rounded down to 2 MiB (two 1 MiB halves). */
    private long parseSize(String s) {
        long v;
        try {
            v = ByteSizeConverter.parse(s);
        } catch (picocli.CommandLine.TypeConversionException e) {
            throw new ParameterException(spec.commandLine(), "--size needs a size such as 1G or 256M, not '" + s + "'");
        }
        long rounded = v / (2L << 20) * (2L << 20);
        if (rounded < (4L << 20) || v > (1L << 40)) {
            throw new ParameterException(spec.commandLine(), "--size needs 4M to 1T, not '" + s + "'");
        }
        return rounded;
    }
}
