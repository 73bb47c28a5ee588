package io.rsplicefs.cli.bench;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the job files of tests/fio (shipped in the jar) with fio's JSON output.
 * The job files read their parameters from the environment; this class sets
 * them and parses the result.
 */
final class FioRunner {
    /** Where the build puts tests/fio/*.fio in the jar. */
    static final String RESOURCE_DIR = "/io/rsplicefs/cli/bench/fio/";

    private final Children children;
    private final Path jobDir;

    /** One fio run: the group's totals (group_reporting makes one entry for all of a job's processes). */
    record Result(long ioBytes, long bwBytes, long runtimeMs, double iops, double usrCpu, double sysCpu,
                  Path output) {
        double mbPerSec() {
            return bwBytes / 1e6;
        }
    }

    FioRunner(Children children, Path jobDir) {
        this.children = children;
        this.jobDir = jobDir;
    }

    /** fio's version line; fails with what to install when fio is missing. */
    static String version(Children children) throws BenchException {
        try {
            Children.Result r = children.run(new ProcessBuilder("fio", "--version"), 30);
            if (r.ok()) {
                return r.output().trim();
            }
        } catch (BenchException e) {
            // missing binary: said below
        }
        throw new BenchException("fio is not installed or does not run: install it (apt-get install fio)");
    }

    /** Copies the job files out of the jar into the run's directory. */
    void extractJobs() throws BenchException {
        try {
            Files.createDirectories(jobDir);
            for (Job j : Job.values()) {
                try (InputStream in = FioRunner.class.getResourceAsStream(RESOURCE_DIR + j.fileName())) {
                    if (in == null) {
                        throw new BenchException("the job file " + j.fileName() + " is missing from the jar"
                                + " (rebuild: mvn -B -q install -DskipTests)");
                    }
                    Files.copy(in, jobFile(j), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            throw new BenchException("cannot write the fio job files to " + jobDir + ": " + e.getMessage(), e);
        }
    }

    Path jobFile(Job j) {
        return jobDir.resolve(j.fileName());
    }

    /** The environment that parameterizes a job file (see tests/fio/README.md). */
    static Map<String, String> env(Path file, long size, boolean invalidate, int randRuntime, int loops) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("BENCH_FILE", file.toString());
        env.put("BENCH_SIZE", Long.toString(size));
        env.put("BENCH_HALF", Long.toString(size / 2 / PageCache.PAGE * PageCache.PAGE));
        env.put("BENCH_INVALIDATE", invalidate ? "1" : "0");
        env.put("BENCH_RAND_RUNTIME", Integer.toString(randRuntime));
        env.put("BENCH_LOOPS", Integer.toString(loops));
        return env;
    }

    /** The command as a person would type it (for the report). */
    String commandLine(Job job, Path file, long size, boolean invalidate, int randRuntime, int loops,
                       String jobPath) {
        List<String> parts = new ArrayList<>();
        env(file, size, invalidate, randRuntime, loops).forEach((k, v) -> parts.add(k + "=" + v));
        parts.add("fio --output-format=json --output=OUT.json " + jobPath);
        return String.join(" ", parts);
    }

    /** Runs one job on {@code file}; the raw JSON stays in {@code output}. */
    Result run(Job job, Path file, long size, boolean invalidate, int randRuntime, int loops, Path output)
            throws BenchException {
        List<String> cmd = List.of("fio", "--output-format=json", "--output=" + output, jobFile(job).toString());
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(env(file, size, invalidate, randRuntime, loops));
        // A hung mount must not hang the run: at least 10 MB/s, or the time limit, plus two minutes.
        long timeout = 120 + (long) loops * (job.sequential() ? size / 10_000_000 : randRuntime);
        Children.Result r = children.run(pb, timeout);
        String text;
        try {
            text = Files.readString(output, StandardCharsets.UTF_8);
        } catch (IOException e) {
            text = "";
        }
        if (!r.ok()) {
            throw new BenchException("fio " + job.id() + " on " + file + " failed (exit " + r.exit() + "): "
                    + oneLine(r.output() + " " + text));
        }
        return parse(text, output);
    }

    /** Parses fio's JSON (fio may put warning lines before it). */
    static Result parse(String text, Path output) throws BenchException {
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
            throw new BenchException("fio's JSON in " + output + " has " + jobs.size()
                    + " job entries; one (group_reporting) was expected");
        }
        long error = num(job.get("error"));
        if (error != 0) {
            throw new BenchException("fio reported error " + error + " (see " + output + ")");
        }
        Map<?, ?> read = job.get("read") instanceof Map<?, ?> m ? m : Map.of();
        return new Result(num(read.get("io_bytes")), num(read.get("bw_bytes")), num(read.get("runtime")),
                dbl(read.get("iops")), dbl(job.get("usr_cpu")), dbl(job.get("sys_cpu")), output);
    }

    private static long num(Object o) {
        return o instanceof Number n ? n.longValue() : 0;
    }

    private static double dbl(Object o) {
        return o instanceof Number n ? n.doubleValue() : 0;
    }

    private static String oneLine(String s) {
        String t = s.replaceAll("\\s+", " ").trim();
        return t.length() > 400 ? t.substring(0, 400) + " ..." : t;
    }
}
