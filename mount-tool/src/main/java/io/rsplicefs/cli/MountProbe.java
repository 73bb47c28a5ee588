package io.rsplicefs.cli;

import io.rsplicefs.cli.probe.ProbeResult;
import io.rsplicefs.cli.probe.ProbeSetup;
import io.rsplicefs.cli.probe.ReadPathProbe;
import io.rsplicefs.fs.Engine;
import io.rsplicefs.fs.read.ReadPath;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The doctor's experiments on a real mount ({@link ReadPathProbe}) with one engine: a 1 MiB file read through
 * rsplice with donation, then the gift mount's own measurement, each verdict taken from the filesystem's own
 * counters.
 * The mounts are gone, and the scratch directory deleted, when {@link #run} returns.
 */
final class MountProbe {
    static final String SPLICE = "splice replies";
    static final String DONATE = "rsplice+donate";
    static final String GIFT = "gift";

    private static final int FILE_SIZE = 1 << 20;

    private MountProbe() {
    }

    /** Runs the experiments; every check is reported, as WARN "skipped" when it could not run. */
    static List<Check> run(Engine engine) {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        ReadPathProbe probe;
        try {
            probe = ReadPathProbe.create(tmp, FILE_SIZE, engine);
        } catch (IOException e) {
            return skipped("cannot prepare the test files in " + tmp + ": " + e.getMessage(), true);
        }
        try (probe) {
            String where = "(1 MiB file on " + probe.sourceFsType() + ", " + engine.id() + " engine)";
            ProbeResult donated = probe.measure(new ProbeSetup(DONATE, ReadPath.RSPLICE, true));
            if (donated.error() != null) {
                return skipped(donated.error(), true);
            }
            if (!donated.dataOk()) {
                return List.of(Check.fail(SPLICE, "a file read through the test mount came back different"),
                        Check.warn(DONATE, "skipped: reads are wrong"), Check.warn(GIFT, "skipped: reads are wrong"));
            }
            return List.of(splice(donated, where), donation(donated, where),
                    gift(probe.measure(new ProbeSetup(GIFT, ReadPath.GIFT, true))));
        }
    }

    /** Each check as skipped; as FAIL for the splice check when even a mount could not be tried. */
    static List<Check> skipped(String why, boolean mountFailed) {
        return List.of(mountFailed ? Check.fail(SPLICE, why) : Check.warn(SPLICE, "skipped: " + why),
                Check.warn(DONATE, "skipped: " + why), Check.warn(GIFT, "skipped: " + why));
    }

    private static Check splice(ProbeResult r, String where) {
        return r.spliced() > 0
                ? Check.ok(SPLICE, "splice replies work: " + r.spliced() + " of " + (r.spliced() + r.copied())
                        + " replies spliced " + where)
                : Check.warn(SPLICE, "no reply was spliced, all copied " + r.copyReasons() + " " + where
                        + "; reads still work, at copy speed");
    }

    private static Check donation(ProbeResult r, String where) {
        String counted = "rsplice+donate: " + r.moved() + " of " + r.sampled() + " sampled pages moved " + where;
        return r.moved() > 0 ? Check.ok(DONATE, counted)
                : Check.warn(DONATE, counted + (r.sampled() == 0 ? "; nothing was sampled"
                        : "; this kernel copies instead of moving, --donate gains nothing here"));
    }

    /** gift with donation, not forced: the mount-time check measures whether 2 gifted pages are moved. */
    private static Check gift(ProbeResult r) {
        if (r.error() != null) {
            return Check.warn(GIFT, "the gift test mount failed: " + r.error());
        }
        long moved = r.gift().pagesMoved();
        int gifted = r.gift().pagesGifted();
        if (moved < 0) {
            return Check.warn(GIFT, "could not measure: " + r.gift().error());
        }
        String counted = "gift: " + moved + " of " + gifted + " gifted pages moved";
        return moved == gifted ? Check.ok(GIFT, counted + "; --read-path=gift --donate can be used")
                : Check.warn(GIFT, counted + "; this kernel copies them, gift falls back to rsplice");

    }
}
