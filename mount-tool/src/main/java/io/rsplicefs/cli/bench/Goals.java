package io.rsplicefs.cli.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The targets for rsplicefs's best read path (ratios to native in the
 * same run, on the reference 2-core machine). Reported, never enforced: the
 * exit status of a bench does not depend on speed.
 */
final class Goals {
    static final double SEQ1M_RATIO = 0.40;
    static final double SEQ1M2_RATIO = 0.32;
    static final double RAND4K_RATIO = 0.05;
    static final double SEQ_CPU_PER_GIB = 0.35;
    static final double DONATE_FOOTPRINT = 1.1;

    /** A goal's ratio for a job's chart panel, if the issue sets one. */
    static Optional<Double> ratioGoal(Job job) {
        return switch (job) {
            case SEQ1M -> Optional.of(SEQ1M_RATIO);
            case SEQ1M2 -> Optional.of(SEQ1M2_RATIO);
            case RAND4K -> Optional.of(RAND4K_RATIO);
            default -> Optional.empty();
        };
    }

    /** One target's standing; null fields are goals that do not apply or were not measured. */
    record Standing(String target, Double seq1m, Double seq1m2, Double rand4k, Double seqCpu, Double footprint) {
        Boolean seq1mMet() {
            return seq1m == null ? null : seq1m >= SEQ1M_RATIO;
        }

        Boolean seq1m2Met() {
            return seq1m2 == null ? null : seq1m2 >= SEQ1M2_RATIO;
        }

        Boolean rand4kMet() {
            return rand4k == null ? null : rand4k >= RAND4K_RATIO;
        }

        Boolean cpuMet() {
            return seqCpu == null ? null : seqCpu <= SEQ_CPU_PER_GIB;
        }

        Boolean footprintMet() {
            return footprint == null ? null : footprint <= DONATE_FOOTPRINT;
        }

        int met() {
            int n = 0;
            for (Boolean b : new Boolean[] {seq1mMet(), seq1m2Met(), rand4kMet(), cpuMet(), footprintMet()}) {
                n += Boolean.TRUE.equals(b) ? 1 : 0;
            }
            return n;
        }
    }

    private Goals() {
    }

    /** The standing of every rsplicefs target (footprint only for donating ones: the goal is about donation). */
    static List<Standing> standings(Summary s, List<String> rsplicefsTargets) {
        List<Standing> out = new ArrayList<>();
        for (String t : rsplicefsTargets) {
            Double cpu = null;
            for (Job j : s.jobs()) {
                if (j.sequential()) {
                    Double c = s.row(j, t).map(Summary.Row::cpuPerGib).orElse(null);
                    if (c != null) {
                        cpu = cpu == null ? c : Math.max(cpu, c); // every sequential job must be under the goal
                    }
                }
            }
            Double footprint = null;
            if (BenchConfig.Variant.parse(t).donate()) {
                for (Job j : s.jobs()) {
                    if (j.sequential()) {
                        Double f = s.row(j, t).map(Summary.Row::footprintMeminfo).orElse(null);
                        if (f != null) {
                            footprint = footprint == null ? f : Math.max(footprint, f);
                        }
                    }
                }
            }
            out.add(new Standing(t, ratio(s, Job.SEQ1M, t), ratio(s, Job.SEQ1M2, t), ratio(s, Job.RAND4K, t), cpu,
                    footprint));
        }
        return out;
    }

    private static Double ratio(Summary s, Job j, String t) {
        return s.row(j, t).map(Summary.Row::ratio).orElse(null);
    }
}
