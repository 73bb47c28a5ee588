package io.rsplicefs.cli.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Medians per job and target over the rounds. The ratio to native is taken
 * per round (both measured in the same round, close in time) and its median
 * reported, which is steadier than a ratio of two medians on a noisy machine.
 */
final class Summary {
    /** One job on one target over all rounds. */
    record Row(Job job, String target, int rounds, double mbPerSec, Double ratio, Double ratioMin, Double ratioMax,
               Double cpuPerGib, Double footprintMeminfo, Double footprintMincore, Double movedFraction,
               Double servedMin, Double countersMovedFraction, Double kibPerRead, Double splicedFraction,
               Map<String, Long> readSizes, Map<String, Long> traceSizes) {

        /**
         * The most common READ size over the rounds ("≤1 MiB (97 %)"): as the direct engine counted the
         * requests, else as the fuse tracepoints saw the replies; null when neither counted any.
         */
        String modalReadSize() {
            String m = ReadSizes.modal(readSizes);
            return m != null ? m : ReadSizes.modal(traceSizes);
        }

        Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("job", job.id());
            m.put("target", target);
            m.put("rounds", rounds);
            m.put("medianMBps", Measurement.round3(mbPerSec));
            m.put("medianRatioToNative", Measurement.round3(ratio));
            m.put("minRatioToNative", Measurement.round3(ratioMin));
            m.put("maxRatioToNative", Measurement.round3(ratioMax));
            m.put("medianDaemonCpuSecondsPerGiB", Measurement.round3(cpuPerGib));
            m.put("medianFootprintMeminfo", Measurement.round3(footprintMeminfo));
            m.put("medianFootprintMincore", Measurement.round3(footprintMincore));
            m.put("medianMovedFraction", Measurement.round3(movedFraction));
            m.put("minServedRatio", Measurement.round3(servedMin));
            m.put("countersMovedFraction", Measurement.round3(countersMovedFraction));
            m.put("medianKiBPerReadRequest", Measurement.round3(kibPerRead));
            m.put("medianSplicedFraction", Measurement.round3(splicedFraction));
            m.put("engineReadSizes", readSizes.isEmpty() ? null : ReadSizes.readable(readSizes));
            m.put("traceReadReplySizes", traceSizes.isEmpty() ? null : ReadSizes.readable(traceSizes));
            m.put("modalReadSize", modalReadSize());
            return m;
        }
    }

    private final List<Job> jobs;
    private final List<String> targets;
    private final Map<String, Row> rows = new LinkedHashMap<>();

    private Summary(List<Job> jobs, List<String> targets) {
        this.jobs = jobs;
        this.targets = targets;
    }

    static Summary of(List<Measurement> all, List<Job> jobs, List<String> targets) {
        Summary s = new Summary(jobs, targets);
        for (Job job : jobs) {
            for (String t : targets) {
                List<Measurement> ms = all.stream().filter(m -> m.job == job && m.target.equals(t)).toList();
                if (ms.isEmpty()) {
                    continue;
                }
                List<Double> ratios = new ArrayList<>();
                for (Measurement m : ms) {
                    all.stream().filter(n -> n.job == job && n.round == m.round && n.target.equals("native"))
                            .findFirst().filter(n -> n.mbPerSec() > 0)
                            .ifPresent(n -> ratios.add(m.mbPerSec() / n.mbPerSec()));
                }
                long sampled = ms.stream().map(m -> m.counters).filter(Objects::nonNull)
                        .mapToLong(FsCounters::sampledPages).sum();
                long moved = ms.stream().map(m -> m.counters).filter(Objects::nonNull)
                        .mapToLong(FsCounters::movedPages).sum();
                List<Double> served = values(ms, Measurement::servedRatio);
                s.rows.put(key(job, t), new Row(job, t, ms.size(), median(values(ms, Measurement::mbPerSec)),
                        median(ratios), ratios.isEmpty() ? null : min(ratios), ratios.isEmpty() ? null : max(ratios),
                        median(values(ms, Measurement::cpuPerGib)), median(values(ms, Measurement::footprintMeminfo)),
                        median(values(ms, Measurement::footprintMincore)),
                        median(values(ms, Measurement::movedFraction)), served.isEmpty() ? null : min(served),
                        sampled > 0 ? moved / (double) sampled : null, median(values(ms, Measurement::kibPerRead)),
                        median(values(ms, m -> m.counters == null ? null : m.counters.splicedFraction())),
                        ReadSizes.sum(ms.stream().map(m -> m.counters).filter(Objects::nonNull)
                                .map(FsCounters::readSizes).toList()),
                        ReadSizes.sum(ms.stream().map(m -> m.traceSizes).filter(Objects::nonNull).toList())));
            }
        }
        return s;
    }

    private static String key(Job job, String target) {
        return job.id() + "/" + target;
    }

    List<Job> jobs() {
        return jobs;
    }

    List<String> targets() {
        return targets;
    }

    Optional<Row> row(Job job, String target) {
        return Optional.ofNullable(rows.get(key(job, target)));
    }

    Collection<Row> rows() {
        return rows.values();
    }

    private static List<Double> values(List<Measurement> ms, Function<Measurement, Double> f) {
        List<Double> out = new ArrayList<>();
        for (Measurement m : ms) {
            Double v = f.apply(m);
            if (v != null && !v.isNaN()) {
                out.add(v);
            }
        }
        return out;
    }

    /** The median; the mean of the middle two for an even count; null for none. */
    static Double median(List<Double> xs) {
        if (xs.isEmpty()) {
            return null;
        }
        List<Double> s = new ArrayList<>(xs);
        s.sort(null);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    private static double min(List<Double> xs) {
        return xs.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
    }

    private static double max(List<Double> xs) {
        return xs.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }
}
