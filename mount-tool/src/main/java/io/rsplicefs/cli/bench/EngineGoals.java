package io.rsplicefs.cli.bench;

import io.rsplicefs.fs.Engine;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The direct engine's goals (issue 15), judged from one run's medians: its
 * best path against the best of bindfs and the jnr-fuse engine, measured in
 * the same interleaved rounds (so both saw the same machine). Comparisons use
 * the median per-round ratio to native, which is steadier than MB/s on a
 * shared machine. Candidates are every rsplicefs target of an engine except
 * +noguard (stable replies off: a measuring aid, not a configuration to run);
 * none of the read paths is FUSE passthrough (issue 16), so all count.
 * Reported, never enforced.
 */
final class EngineGoals {
    /** seq1m and seq1m2: the direct engine's best over the best of bindfs and jnr-fuse. */
    static final double SEQ_FACTOR = 1.3;
    /** rand4k: at least as fast as jnr-fuse's best. */
    static final double RAND_FACTOR = 1.0;
    /** Daemon CPU seconds per GiB of the direct engine's best seq1m target. */
    static final double SEQ1M_CPU_PER_GIB = 0.3;

    /**
     * One goal: what was compared and whether it was met (null: not measurable in this run, the
     * detail says why).
     */
    record Line(String goal, Job job, String target, Double value, String baseline, Double baselineValue,
                Double need, Boolean met, String detail) {
        Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("goal", goal);
            m.put("job", job.id());
            m.put("directTarget", target);
            m.put("value", Measurement.round3(value));
            m.put("baselineTarget", baseline);
            m.put("baselineValue", Measurement.round3(baselineValue));
            m.put("need", need);
            m.put("met", met);
            m.put("detail", detail);
            return m;
        }
    }

    private EngineGoals() {
    }

    /** Whether the run has anything to judge: a direct target. */
    static boolean applies(List<String> targets) {
        return targets.stream().anyMatch(t -> BenchConfig.engineOf(t).orElse(null) == Engine.DIRECT);
    }

    static List<Line> judge(Summary s) {
        List<Line> out = new ArrayList<>();
        for (Job j : List.of(Job.SEQ1M, Job.SEQ1M2)) {
            out.add(faster(s, j, SEQ_FACTOR, true));
        }
        out.add(faster(s, Job.RAND4K, RAND_FACTOR, false));
        out.add(cpu(s));
        return out;
    }

    /** The direct engine's best ratio on {@code job} >= factor x the baseline's best. */
    private static Line faster(Summary s, Job job, double factor, boolean withBindfs) {
        String goal = String.format(Locale.ROOT, "%s: direct's best ≥ %s× the best of %s", job.id(),
                trim(factor), withBindfs ? "bindfs and jnr-fuse" : "jnr-fuse");
        if (!s.jobs().contains(job)) {
            return new Line(goal, job, null, null, null, null, factor, null, "not run (--jobs)");
        }
        Optional<Summary.Row> direct = best(s, job, Engine.DIRECT);
        List<Summary.Row> base = new ArrayList<>();
        best(s, job, Engine.JNR_FUSE).ifPresent(base::add);
        if (withBindfs) {
            s.row(job, "bindfs").filter(r -> r.ratio() != null).ifPresent(base::add);
        }
        Optional<Summary.Row> baseline = base.stream().max((a, b) -> Double.compare(a.ratio(), b.ratio()));
        if (direct.isEmpty() || baseline.isEmpty()) {
            return new Line(goal, job, direct.map(Summary.Row::target).orElse(null), null, null, null, factor, null,
                    "not measurable: needs a direct target and " + (withBindfs ? "bindfs or a jnr-fuse target"
                            : "a jnr-fuse target") + " in the same run");
        }
        Summary.Row d = direct.get();
        Summary.Row b = baseline.get();
        double x = d.ratio() / b.ratio();
        String detail = String.format(Locale.ROOT, "%s %s (%s MB/s) vs %s %s (%s MB/s): %s×", d.target(),
                MarkdownReport.fmt(d.ratio(), 3), MarkdownReport.fmt(d.mbPerSec(), 0), b.target(),
                MarkdownReport.fmt(b.ratio(), 3), MarkdownReport.fmt(b.mbPerSec(), 0), MarkdownReport.fmt(x, 2));
        if (withBindfs && s.row(job, "bindfs").isEmpty()) {
            detail += "; bindfs not measured (--with-peers)";
        }
        return new Line(goal, job, d.target(), d.ratio(), b.target(), b.ratio(), factor, x >= factor, detail);
    }

    private static Line cpu(Summary s) {
        String goal = "seq1m: daemon CPU of direct's best ≤ " + trim(SEQ1M_CPU_PER_GIB) + " s/GiB";
        Optional<Summary.Row> d = best(s, Job.SEQ1M, Engine.DIRECT);
        if (d.isEmpty() || d.get().cpuPerGib() == null) {
            return new Line(goal, Job.SEQ1M, d.map(Summary.Row::target).orElse(null), null, null, null,
                    SEQ1M_CPU_PER_GIB, null, s.jobs().contains(Job.SEQ1M) ? "not measured" : "not run (--jobs)");
        }
        double c = d.get().cpuPerGib();
        return new Line(goal, Job.SEQ1M, d.get().target(), c, null, null, SEQ1M_CPU_PER_GIB, c <= SEQ1M_CPU_PER_GIB,
                d.get().target() + " " + MarkdownReport.fmt(c, 3) + " s/GiB");
    }

    /**
     * For the chart: the ratio to native the direct engine's best must reach on {@code job} (factor x the
     * baseline measured in this run), if the run has a direct target and a baseline.
     */
    static Optional<Double> ratioGoal(Summary s, Job job) {
        if (!applies(s.targets()) || job == Job.SEQ128K || !s.jobs().contains(job)) {
            return Optional.empty();
        }
        Line l = job == Job.RAND4K ? faster(s, job, RAND_FACTOR, false) : faster(s, job, SEQ_FACTOR, true);
        return l.baselineValue() == null ? Optional.empty() : Optional.of(l.need() * l.baselineValue());
    }

    /** The engine's target with the highest median ratio on {@code job}, +noguard left out. */
    static Optional<Summary.Row> best(Summary s, Job job, Engine engine) {
        Summary.Row best = null;
        for (String t : s.targets()) {
            BenchConfig.Variant v = BenchConfig.Variant.parse(t);
            if (v == null || v.engine() != engine || !v.stableReplies()) {
                continue;
            }
            Summary.Row r = s.row(job, t).filter(x -> x.ratio() != null).orElse(null);
            if (r != null && (best == null || r.ratio() > best.ratio())) {
                best = r;
            }
        }
        return Optional.ofNullable(best);
    }

    private static String trim(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
