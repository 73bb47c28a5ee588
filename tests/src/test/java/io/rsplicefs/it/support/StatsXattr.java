package io.rsplicefs.it.support;

import io.rsplicefs.fs.stats.MountStats;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * A mount's counters as any client sees them: the stats xattr of the mount
 * root, read through the kernel (so it also proves the mount still answers).
 */
public final class StatsXattr {
    private final MountStats stats;

    private StatsXattr(MountStats stats) {
        this.stats = stats;
    }

    public static StatsXattr read(Path mountRoot) throws IOException {
        return new StatsXattr(MountStats.read(mountRoot));
    }

    /** The counters of one read path. */
    public MountStats.ReadPathStats readPath(String path) {
        return stats.readPath(path);
    }

    /** Write requests the daemon served. */
    public long writes() {
        return stats.writes().requests();
    }

    /** What FUSE passthrough did (status "on" when the kernel serves whole files itself). */
    public MountStats.PassthroughStats passthrough() {
        return stats.passthrough();
    }

    /** Exceptions caught in callbacks (returned as EIO), by operation and class; empty when none. */
    public Map<String, Long> callbackFailures() {
        return stats.callbackFailures();
    }

    @Override
    public String toString() {
        return stats.toString();
    }
}
