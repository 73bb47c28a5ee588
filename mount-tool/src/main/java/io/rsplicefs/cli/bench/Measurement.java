package io.rsplicefs.cli.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One fio job on one target in one round, with what was measured around it.
 * Page counts are 4 KiB pages (mincore); "backing" is the backing file,
 * "fuse" the same file through the target's mount.
 */
final class Measurement {
    static final double GIB = 1024.0 * 1024 * 1024;

    final int round;
    final int position;
    final Job job;
    final String target;
    final FioRunner.Result fio;
    /** utime+stime of the daemon during the job; null without a daemon (native). */
    final Double daemonCpuSeconds;
    final long cachedDelta;
    final long backingBefore;
    final long backingAfter;
    /** Pages of the FUSE file cached right after the job; null for native. */
    final Long fuseResident;
    /** What the filesystem's own counters say happened during the job; null when it keeps none. */
    final FsCounters counters;
    /** Backing pages the eviction before the job could not drop (0 when the refresh was complete). */
    final long keptPages;
    /** READ requests and their reply payload bytes seen by the fuse tracepoints; null when not traced. */
    final Long traceReads;
    final Long traceBytes;
    /** The traced READ replies by size (ReadSizes buckets); null when not traced. */
    final Map<String, Long> traceSizes;

    Measurement(int round, int position, Job job, String target, FioRunner.Result fio, Double daemonCpuSeconds,
                long cachedDelta, long backingBefore, long backingAfter, Long fuseResident, FsCounters counters,
                long keptPages, Long traceReads, Long traceBytes, Map<String, Long> traceSizes) {
        this.round = round;
        this.position = position;
        this.job = job;
        this.target = target;
        this.fio = fio;
        this.daemonCpuSeconds = daemonCpuSeconds;
        this.cachedDelta = cachedDelta;
        this.backingBefore = backingBefore;
        this.backingAfter = backingAfter;
        this.fuseResident = fuseResident;
        this.counters = counters;
        this.keptPages = keptPages;
        this.traceReads = traceReads;
        this.traceBytes = traceBytes;
        this.traceSizes = traceSizes;
    }

    double mbPerSec() {
        return fio.mbPerSec();
    }

    private double gibRead() {
        return fio.ioBytes() / GIB;
    }

    /** Daemon CPU seconds per GiB fio read; null without a daemon. */
    Double cpuPerGib() {
        return daemonCpuSeconds == null || fio.ioBytes() == 0 ? null : daemonCpuSeconds / gibRead();
    }

    /**
     * GiB of page cache holding the data per GiB read, from the growth of
     * Cached in /proc/meminfo: the warm backing copy counts 1, a second copy
     * in the FUSE cache adds 1, pages moved out of the backing cache add 0.
     */
    Double footprintMeminfo() {
        return fio.ioBytes() == 0 ? null : 1.0 + cachedDelta / (double) fio.ioBytes();
    }

    /**
     * Whether the job's file was passed through (FUSE passthrough): the kernel read the backing file itself.
     * rsplicefs counts it; the passthrough_hp peer keeps no counters and always passes through.
     */
    boolean passedThrough() {
        return counters != null ? counters.passedThrough() > 0 : target.equals(PeerSetup.PASSTHROUGH_HP);
    }

    /**
     * The same from mincore of this file only: 1 + (FUSE pages cached - backing pages lost) / pages read.
     * A passed-through file has no FUSE cache: mincore of it sees the backing file's pages, counted once.
     */
    Double footprintMincore() {
        if (fio.ioBytes() == 0) {
            return null;
        }
        long fuse = fuseResident == null || passedThrough() ? 0 : fuseResident;
        return 1.0 + (fuse + backingAfter - backingBefore) * (double) PageCache.PAGE / fio.ioBytes();
    }

    /** Fraction of the pages read that left the backing cache during the job (moved into the FUSE cache). */
    Double movedFraction() {
        if (fio.ioBytes() == 0) {
            return null;
        }
        double f = (backingBefore - backingAfter) * (double) PageCache.PAGE / fio.ioBytes();
        return Math.max(0, Math.min(1, f));
    }

    /**
     * Served bytes over bytes fio read: from the filesystem's own counters when it
     * keeps them, else from the fuse tracepoints; null when neither is there, or
     * when the file was passed through (the daemon serves no read by design).
     */
    Double servedRatio() {
        if (passedThrough()) {
            return null;
        }
        Long s = counters != null ? Long.valueOf(counters.served()) : traceBytes;
        return s == null || fio.ioBytes() == 0 ? null : s / (double) fio.ioBytes();
    }

    /** The same from the tracepoints only (the kernel's view, for every FUSE target). */
    Double traceServedRatio() {
        return traceBytes == null || fio.ioBytes() == 0 ? null : traceBytes / (double) fio.ioBytes();
    }

    /** Mean payload of a READ reply in KiB, from the tracepoints. */
    Double kibPerRead() {
        return traceReads == null || traceReads == 0 ? null : traceBytes / 1024.0 / traceReads;
    }

    Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("round", round);
        m.put("position", position);
        m.put("job", job.id());
        m.put("target", target);
        m.put("ioBytes", fio.ioBytes());
        m.put("bwBytesPerSec", fio.bwBytes());
        m.put("mbPerSec", round3(mbPerSec()));
        m.put("runtimeMs", fio.runtimeMs());
        m.put("iops", round3(fio.iops()));
        m.put("fioUsrCpuPercent", round3(fio.usrCpu()));
        m.put("fioSysCpuPercent", round3(fio.sysCpu()));
        m.put("daemonCpuSeconds", daemonCpuSeconds == null ? null : round3(daemonCpuSeconds));
        m.put("daemonCpuSecondsPerGiB", round3(cpuPerGib()));
        m.put("cachedDeltaBytes", cachedDelta);
        m.put("backingResidentPagesBefore", backingBefore);
        m.put("backingResidentPagesAfter", backingAfter);
        m.put("fuseResidentPagesAfter", fuseResident);
        m.put("footprintMeminfo", round3(footprintMeminfo()));
        m.put("footprintMincore", round3(footprintMincore()));
        m.put("movedFraction", round3(movedFraction()));
        m.put("servedBytes", counters == null ? null : counters.served());
        m.put("servedRatio", round3(servedRatio()));
        m.put("spliceReplies", counters == null ? null : counters.spliceReplies());
        m.put("copyReplies", counters == null ? null : counters.copyReplies());
        m.put("copyReasons", counters == null ? null : counters.copyReasons());
        m.put("donationSampledPages", counters == null ? null : counters.sampledPages());
        m.put("donationMovedPages", counters == null ? null : counters.movedPages());
        m.put("traceReadRequests", traceReads);
        m.put("traceReadBytes", traceBytes);
        m.put("traceServedRatio", round3(traceServedRatio()));
        m.put("traceReadReplySizes", traceSizes == null ? null : ReadSizes.readable(traceSizes));
        m.put("kibPerReadRequest", round3(kibPerRead()));
        m.put("engineReadSizes", counters == null || counters.readSizes().isEmpty() ? null
                : ReadSizes.readable(counters.readSizes()));
        m.put("backingPagesKeptByEviction", keptPages);
        m.put("fioOutput", fio.output() == null ? null : fio.output().getFileName().toString());
        return m;
    }

    static Double round3(Double d) {
        return d == null || d.isNaN() ? null : Math.round(d * 1000.0) / 1000.0;
    }
}
