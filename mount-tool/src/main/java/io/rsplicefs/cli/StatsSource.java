package io.rsplicefs.cli;

import io.rsplicefs.fs.stats.MountStats;
import java.io.IOException;
import java.nio.file.Path;


/** The live counters of a mount: the JSON the daemon returns for the stats xattr on the mount root. */
final class StatsSource {
    private final Path mountpoint;

    private StatsSource(Path mountpoint) {
        this.mountpoint = mountpoint;
    }

    /** Checks that {@code mp} is a rsplicefs mount with a live daemon. */
    static StatsSource of(Path mp) throws CliException {
        String type = MountPoints.typeAt(mp).orElseThrow(() -> new CliException(mp + " is not mounted"
                + " (give the mount point of a rsplicefs mount)"));
        if (!type.equals(MountPoints.TYPE)) {
            throw new CliException(mp + " is not a rsplicefs mount (it is " + type + ")");
        }
        return new StatsSource(mp);
    }

    /** The current counters. Blocks as long as the daemon takes to answer. */
    MountStats read() throws CliException {
        try {
            return MountStats.read(mountpoint);
        } catch (IOException e) {
            if (MountPoints.isDead(mountpoint)) {
                throw new CliException("the daemon of " + mountpoint + " is gone (transport endpoint is not"
                        + " connected); clean up with: rsplicefs umount " + mountpoint);
            }
            throw new CliException("cannot read the stats of " + mountpoint + ": " + e.getMessage());
        }
    }
}
