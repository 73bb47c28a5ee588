package io.rsplicefs.cli.bench;

import io.rsplicefs.fs.Engine;
import io.rsplicefs.fs.stats.MountStats;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One thing fio reads through: the backing file itself (native), a rsplicefs
 * mount with one read path, or a peer filesystem. Every FUSE target mirrors
 * the same backing directory.
 */
abstract class Target {
    enum Kind {
        NATIVE, RSPLICEFS, PEER
    }

    private final String id;
    private final Kind kind;

    Target(String id, Kind kind) {
        this.id = id;
        this.kind = kind;
    }

    /**
     * The name in tables, charts and --targets: native, a read path (+donate, ...) with "@direct" when the
     * direct engine serves it, bindfs, passthrough_ll.
     */
    final String id() {
        return id;
    }

    final Kind kind() {
        return kind;
    }

    final boolean isNative() {
        return kind == Kind.NATIVE;
    }

    /** How it was mounted, as a command a person could type (for the report). */
    abstract String command();

    /** The data file as fio sees it through this target. */
    abstract Path file();

    /** Mounts (or prepares); returns once fio can read {@link #file()}. */
    abstract void start() throws BenchException;

    /** Unmounts and ends the daemon; idempotent, never throws (teardown also runs on Ctrl-C). */
    abstract void stop();

    /** The process serving the mount, whose CPU time is measured; empty for native. */
    OptionalLong daemonPid() {
        return OptionalLong.empty();
    }

    /** The filesystem's own counters, if it keeps any. */
    Optional<FsCounters> counters() {
        return Optional.empty();
    }

    /** The rsplicefs engine serving the mount; empty for native and the peers. */
    Optional<Engine> engine() {
        return Optional.empty();
    }

    /** What the engine negotiated with the kernel, as the mount reported it once live (direct only). */
    Optional<MountStats.EngineStats> engineStats() {
        return Optional.empty();
    }

    /** Something the report should say about this target (e.g. the effective read path), or null. */
    String note() {
        return null;
    }
}
