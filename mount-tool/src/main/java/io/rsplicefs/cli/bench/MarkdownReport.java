package io.rsplicefs.cli.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The run as Markdown: what was run where, the tables, the goals, the notes, the exact commands. */
final class MarkdownReport {
    private MarkdownReport() {
    }

    static String render(RunInfo info, Summary s, List<Target> targets, List<String> notes,
                         Map<Job, String> fioCommands, String chartFile) {
        StringBuilder b = new StringBuilder();
        b.append("# rsplicefs bench\n\n");
        b.append("- date: ").append(info.startedUtc()).append(", took ").append(duration(info.elapsedSeconds()))
                .append('\n');
        b.append("- machine: Linux ").append(info.kernel()).append(' ').append(info.arch()).append(", ")
                .append(info.cpus()).append(" CPUs (").append(info.cpuModel()).append("), ")
                .append(fmt(info.memTotalBytes() / Measurement.GIB, 1)).append(" GiB RAM; load average ")
                .append(info.loadStart()).append(" at the start, ").append(info.loadEnd()).append(" at the end\n");
        b.append("- data: one file of ").append(size(info.size())).append(" random bytes on ")
                .append(info.dataFsType()).append(" (").append(info.dataDir()).append("); before every job its")
                .append(" cache is dropped and read back whole in order-0 pages (warm), and the FUSE file's cache")
                .append(" is dropped\n");
        b.append("- runs: ").append(info.rounds()).append(info.rounds() == 1 ? " round" : " rounds").append(" × ")
                .append(s.jobs().size()).append(" jobs × ").append(s.targets().size())
                .append(" targets, the target order rotated every round")
                .append(info.warmup() ? ", after one unrecorded warm-up pass per target" : "").append("; ")
                .append(info.fioVersion()).append(", ioengine=psync, buffered (direct=0); rand4k stops after ")
                .append(info.randRuntime()).append(" s; native reads the file ").append(info.nativeLoops())
                .append(info.nativeLoops() == 1 ? " time" : " times")
                .append(" per job (fio loops), each FUSE target once; rsplicefs engines: ")
                .append(String.join(", ", info.engines())).append(" (a target on direct is named @direct)\n");
        b.append("- versions: rsplicefs ").append(info.rsplicefsVersion()).append(", Java ")
                .append(info.javaVersion()).append("; fs.pipe-max-size ").append(info.pipeMaxSize())
                .append(info.capSysResource() ? " (CAP_SYS_RESOURCE: not binding)" : " (binding: no CAP_SYS_RESOURCE)")
                .append('\n');
        b.append("- command: `").append(info.commandLine()).append("`\n\n");

        b.append("## Throughput relative to native\n\n");
        b.append("Median over the rounds of each round's ratio to native (median MB/s in parentheses).\n\n");
        List<String> head = new ArrayList<>(List.of("target"));
        s.jobs().forEach(j -> head.add(j.id()));
        b.append(row(head)).append(align(1, s.jobs().size()));
        for (String t : s.targets()) {
            List<String> cells = new ArrayList<>(List.of(t));
            for (Job j : s.jobs()) {
                cells.add(s.row(j, t).map(r -> fmt(r.ratio(), 3) + " (" + fmt(r.mbPerSec(), 0) + ")").orElse("—"));
            }
            b.append(row(cells));
        }
        if (chartFile != null) {
            b.append("\n![ratio to native per job and target](").append(chartFile).append(")\n");
        }

        b.append("\n## Per job\n\n");
        b.append("MB/s and ratio: medians over the rounds (min–max of the per-round ratio beside it). ")
                .append("CPU: the serving daemon's utime+stime (all threads, /proc/PID/stat) per GiB read. ")
                .append("Cache: GiB of page cache holding the data per GiB read, the warm backing copy counted as 1 ")
                .append("(a second copy in the FUSE cache makes 2; pages moved from the backing cache into the FUSE ")
                .append("cache keep it at 1), from the growth of Cached in /proc/meminfo and from mincore of the two ")
                .append("files. Moved: fraction of the pages read that left the backing cache during the job. ")
                .append("KiB/req: mean size of a FUSE READ reply (fuse tracepoints). ")
                .append("READ size: the most common READ size (power-of-two buckets, share in parentheses), ")
                .append("counted by the direct engine, else traced (see Engines). ")
                .append("Spliced: fraction of the replies the filesystem handed to its engine to splice into ")
                .append("/dev/fuse (its counters). ")
                .append("Served/read: bytes served over bytes fio read, worst round, from the filesystem's own ")
                .append("counters (rsplicefs) or else from the fuse tracepoints (peers); under 0.90 means reads did ")
                .append("not reach the daemon, and is flagged ⚠; — for a passed-through target (FUSE passthrough: the ")
                .append("kernel reads the backing file itself, the daemon serves no READ and the FUSE file has no ")
                .append("cache of its own).\n");
        for (Job j : s.jobs()) {
            b.append("\n### ").append(j.id()).append(": ").append(j.title()).append("\n\n");
            b.append(row(List.of("target", "MB/s", "ratio", "min–max", "CPU s/GiB", "cache (meminfo)",
                    "cache (mincore)", "moved", "KiB/req", "READ size", "spliced", "served/read")));
            b.append(align(1, 11));
            for (String t : s.targets()) {
                s.row(j, t).ifPresent(r -> b.append(row(List.of(t, fmt(r.mbPerSec(), 0), fmt(r.ratio(), 3),
                        r.ratioMin() == null ? "—" : fmt(r.ratioMin(), 3) + "–" + fmt(r.ratioMax(), 3),
                        fmt(r.cpuPerGib(), 2), fmt(r.footprintMeminfo(), 2), fmt(r.footprintMincore(), 2),
                        fmt(r.movedFraction(), 2), fmt(r.kibPerRead(), 0), EngineReport.readSize(t, r),
                        fmt(r.splicedFraction(), 2), served(r.servedMin())))));
            }
        }

        b.append(EngineReport.engines(s, targets));
        b.append(EngineReport.goals(s));

        List<String> rsplicefs = targets.stream().filter(t -> t.kind() == Target.Kind.RSPLICEFS).map(Target::id)
                .toList();
        if (!rsplicefs.isEmpty()) {
            b.append("\n## The read paths' targets\n\n");
            b.append("For rsplicefs's best read path (on either engine): seq1m ≥ ").append(Goals.SEQ1M_RATIO).append(", seq1m2 ≥ ")
                    .append(Goals.SEQ1M2_RATIO).append(", rand4k ≥ ").append(Goals.RAND4K_RATIO)
                    .append(" (ratios to native), daemon CPU ≤ ").append(Goals.SEQ_CPU_PER_GIB)
                    .append(" s/GiB on every sequential job, and with donation a page-cache footprint ≤ ")
                    .append(Goals.DONATE_FOOTPRINT).append(" GiB per GiB read (meminfo, worst sequential job). ")
                    .append("Measured on this machine in this run; ✓ met, ✗ missed, — not applicable or not run.")
                    .append("\n\n");
            b.append(row(List.of("target", "seq1m", "seq1m2", "rand4k", "CPU s/GiB (seq, worst)",
                    "footprint (donate)", "met")));
            b.append(align(1, 6));
            for (Goals.Standing g : Goals.standings(s, rsplicefs)) {
                b.append(row(List.of(g.target(), mark(g.seq1m(), g.seq1mMet(), 3), mark(g.seq1m2(), g.seq1m2Met(), 3),
                        mark(g.rand4k(), g.rand4kMet(), 3), mark(g.seqCpu(), g.cpuMet(), 2),
                        mark(g.footprint(), g.footprintMet(), 2), Integer.toString(g.met()))));
            }
        }

        b.append("\n## Notes\n\n");
        if (notes.isEmpty()) {
            b.append("- none\n");
        }
        for (String n : notes) {
            b.append("- ").append(n).append('\n');
        }

        b.append("\n## Commands\n\n");
        for (Target t : targets) {
            b.append("- ").append(t.id()).append(": `").append(t.command()).append('`');
            if (t.note() != null) {
                b.append(" (").append(t.note()).append(')');
            }
            b.append('\n');
        }
        b.append("\nfio, per job (native: BENCH_INVALIDATE=0 BENCH_LOOPS=").append(info.nativeLoops())
                .append(" on the backing file; every FUSE target: BENCH_INVALIDATE=1 BENCH_LOOPS=1 on the file through")
                .append(" its mount):\n\n");
        fioCommands.forEach((j, c) -> b.append("    ").append(c).append('\n'));
        return b.toString();
    }

    static String row(List<String> cells) {
        return "| " + String.join(" | ", cells) + " |\n";
    }

    /** A separator row: {@code left} left-aligned columns, then {@code right} right-aligned ones. */
    static String align(int left, int right) {
        StringBuilder b = new StringBuilder("|");
        for (int i = 0; i < left; i++) {
            b.append("---|");
        }
        for (int i = 0; i < right; i++) {
            b.append("---:|");
        }
        return b.append('\n').toString();
    }

    static String fmt(Double d, int decimals) {
        if (d == null || d.isNaN()) {
            return "—";
        }
        return String.format(Locale.ROOT, "%." + decimals + "f", d);
    }

    private static String served(Double r) {
        if (r == null) {
            return "n/a";
        }
        return (r < 0.9 ? "⚠ " : "") + fmt(r, 2);
    }

    private static String mark(Double v, Boolean met, int decimals) {
        if (v == null) {
            return "—";
        }
        return fmt(v, decimals) + (Boolean.TRUE.equals(met) ? " ✓" : " ✗");
    }

    static String size(long bytes) {
        if (bytes % (1L << 30) == 0) {
            return bytes / (1L << 30) + " GiB";
        }
        if (bytes % (1L << 20) == 0) {
            return bytes / (1L << 20) + " MiB";
        }
        return bytes + " bytes";
    }

    private static String duration(long seconds) {
        return seconds >= 60 ? seconds / 60 + " min " + seconds % 60 + " s" : seconds + " s";
    }
}
