package io.rsplicefs.cli.bench;

import io.rsplicefs.fs.Engine;
import io.rsplicefs.fs.stats.MountStats;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The report's engine sections: what each FUSE target's engine negotiated and
 * the READ size the kernel used with it, and the direct engine's goals
 * (issue 15) with the numbers they were judged on.
 */
final class EngineReport {
    private EngineReport() {
    }

    /**
     * The READ size cell of a target on a job: the direct engine's counts, else the traced replies, else for
     * jnr-fuse libfuse's cap, else "—".
     */
    static String readSize(String target, Summary.Row r) {
        String m = r == null || target.equals("native") ? null : r.modalReadSize();
        if (m != null) {
            return m;
        }
        return BenchConfig.engineOf(target).orElse(null) == Engine.JNR_FUSE ? ReadSizes.LIBFUSE_CAP : "—";
    }

    /** One row per FUSE target: its engine, what it negotiated, the READ size and daemon CPU per job. */
    static String engines(Summary s, List<Target> targets) {
        List<Target> fuse = targets.stream().filter(t -> !t.isNative()).toList();
        if (fuse.isEmpty()) {
            return "";
        }
        Job sizeJob = s.jobs().contains(Job.SEQ1M) ? Job.SEQ1M : s.jobs().get(0);
        StringBuilder b = new StringBuilder("\n## Engines\n\n");
        b.append("Who spoke FUSE for each target and what it agreed with the kernel. READ size: the most common")
                .append(" READ size on ").append(sizeJob.id()).append(", in power-of-two buckets (\"≤1 MiB\" is")
                .append(" 513 KiB to 1 MiB; share of the requests in parentheses): the requests as the direct engine")
                .append(" counted them, for the other targets the replies the fuse tracepoints saw (without them,")
                .append(" libfuse 2.9's cap of 128 KiB for jnr-fuse). KiB/req: the mean traced READ reply.")
                .append(" CPU: daemon s/GiB per job.\n\n");
        List<String> head = new ArrayList<>(List.of("target", "engine", "protocol", "threads", "max request",
                "READ size (" + sizeJob.id() + ")", "KiB/req (" + sizeJob.id() + ")"));
        s.jobs().forEach(j -> head.add("CPU " + j.id()));
        b.append(MarkdownReport.row(head)).append(MarkdownReport.align(3, head.size() - 3));
        for (Target t : fuse) {
            Summary.Row r = s.row(sizeJob, t.id()).orElse(null);
            List<String> cells = new ArrayList<>(List.of(t.id()));
            cells.addAll(negotiated(t));
            cells.add(readSize(t.id(), r));
            cells.add(r == null ? "—" : MarkdownReport.fmt(r.kibPerRead(), 0));
            for (Job j : s.jobs()) {
                cells.add(s.row(j, t.id()).map(x -> MarkdownReport.fmt(x.cpuPerGib(), 2)).orElse("—"));
            }
            b.append(MarkdownReport.row(cells));
        }
        return b.toString();
    }

    /** engine, protocol, threads, max request of one target. */
    private static List<String> negotiated(Target t) {
        Optional<Engine> e = t.engine();
        if (e.isEmpty()) {
            return List.of("peer", "—", "—", "—");
        }
        Optional<MountStats.EngineStats> st = t.engineStats();
        if (st.isPresent()) {
            MountStats.EngineStats x = st.get();
            return List.of(x.name(), x.protocol(), Integer.toString(x.threads()), kib(x.maxRequestBytes()));
        }
        boolean single = BenchConfig.Variant.parse(t.id()).singleThreaded();
        return e.get() == Engine.JNR_FUSE
                ? List.of("jnr-fuse (libfuse 2.9)", "7.19 (libfuse 2.9)", single ? "1" : "on demand", "128 KiB")
                : List.of(e.get().id(), "?", "?", "?");
    }

    private static String kib(long bytes) {
        return bytes % (1 << 20) == 0 ? bytes / (1 << 20) + " MiB" : bytes / 1024 + " KiB";
    }

    /** The goals section, or "" when the run has no direct target. */
    static String goals(Summary s) {
        if (!EngineGoals.applies(s.targets())) {
            return "";
        }
        StringBuilder b = new StringBuilder("\n## The direct engine's goals (issue 15)\n\n");
        b.append("Judged on this run's medians of the per-round ratio to native (MB/s in parentheses); best =")
                .append(" the engine's highest-ratio target, +noguard left out. ✓ met, ✗ missed, — not measurable.")
                .append("\n\n");
        b.append(MarkdownReport.row(List.of("goal", "measured", "met"))).append(MarkdownReport.align(2, 1));
        for (EngineGoals.Line l : EngineGoals.judge(s)) {
            b.append(MarkdownReport.row(List.of(l.goal(), l.detail(),
                    l.met() == null ? "—" : l.met() ? "✓ met" : "✗ missed")));
        }
        return b.toString();
    }
}
