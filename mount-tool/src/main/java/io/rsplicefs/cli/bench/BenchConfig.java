package io.rsplicefs.cli.bench;

import io.rsplicefs.fs.Engine;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What to run. Target ids: native, the rsplicefs read paths (copy, fd,
 * rsplice, auto, gift), any of them with "+donate", "+noguard", "+single" and
 * an engine suffix ("@direct"; none for jnr-fuse, the reference, so the ids of
 * earlier runs keep their meaning), and the peers bindfs and passthrough_ll.
 */
public record BenchConfig(long size, int rounds, int randRuntime, List<Job> jobs, List<String> targets,
                          List<Engine> engines, boolean installPeers, boolean forceGift, Path dir, Path out,
                          boolean warmup, boolean trace, int nativeLoops, List<String> daemonJvmOptions,
                          String commandLine) {

    public static final List<String> READ_PATHS = List.of("copy", "fd", "rsplice", "auto", "passthrough", "gift");
    public static final List<String> DEFAULT_RSPLICEFS = List.of("copy", "fd", "rsplice", "rsplice+donate", "auto",
            "passthrough");
    /** Between a rsplicefs target and its engine: "rsplice+donate@direct". */
    static final char ENGINE_MARK = '@';

    /** The default target list for these switches. */
    public static List<String> defaultTargets(boolean withPeers, boolean forceGift) {
        List<String> t = new ArrayList<>();
        t.add("native");
        t.addAll(DEFAULT_RSPLICEFS);
        if (forceGift) {
            t.add("gift");
        }
        if (withPeers) {
            t.addAll(PeerSetup.IDS);
        }
        return t;
    }

    /**
     * Checks and normalizes a target list: known ids, no duplicates, native
     * first (every ratio needs it, so it is added when missing), gift only
     * when forced. A rsplicefs target without an engine suffix is measured
     * on each of {@code engines} (in that order, side by side); one with a
     * suffix only on that engine. Throws IllegalArgumentException with the reason.
     */
    public static List<String> checkTargets(List<String> asked, boolean forceGift, List<Engine> engines) {
        if (engines.isEmpty()) {
            throw new IllegalArgumentException("--engines names no engine");
        }
        Set<String> out = new LinkedHashSet<>();
        out.add("native");
        for (String raw : asked) {
            String t = raw.trim();
            if (t.isEmpty()) {
                continue;
            }
            if (t.equals("native") || PeerSetup.IDS.contains(t)) {
                out.add(t);
                continue;
            }
            Variant v = Variant.parse(t);
            if (v == null) {
                int at = t.indexOf(ENGINE_MARK);
                if (at >= 0) {
                    String base = t.substring(0, at);
                    if (base.equals("native") || PeerSetup.IDS.contains(base)) {
                        throw new IllegalArgumentException("'" + t + "': only rsplicefs targets have an engine");
                    }
                    Engine.parse(t.substring(at + 1)); // its message names the engines
                }
                throw new IllegalArgumentException("unknown target '" + t + "' (expected native, one of "
                        + String.join(", ", READ_PATHS) + " optionally with +donate, +noguard, +single, +uring and @direct,"
                        + " bindfs, passthrough_ll)");
            }
            if (v.path().equals("gift") && !forceGift) {
                throw new IllegalArgumentException("the gift read path is measured only with --force-gift"
                        + " (this kernel copies gifted pages and logs a page dump for some of them)");
            }
            if (v.path().equals("copy") && v.donate()) {
                throw new IllegalArgumentException("copy+donate: the copy path has no pages to donate");
            }
            if (v.uring() && v.engine() != Engine.DIRECT) {
                throw new IllegalArgumentException("'" + t + "': +uring (FUSE over io_uring) is the direct engine's;"
                        + " name it with @direct, e.g. fd+uring@direct");
            }
            if (v.uring() && v.donate()) {
                throw new IllegalArgumentException("'" + t + "': +uring replies are copied into the ring entry;"
                        + " there are no pages to donate");
            }
            String base = t.indexOf(ENGINE_MARK) < 0 ? t : t.substring(0, t.indexOf(ENGINE_MARK));
            if (t.indexOf(ENGINE_MARK) >= 0) {
                out.add(id(base, v.engine()));
            } else if (v.path().equals("passthrough")) {
                // Only the direct engine has FUSE passthrough; on jnr-fuse it would measure auto again.
                if (engines.contains(Engine.DIRECT)) {
                    out.add(id(base, Engine.DIRECT));
                }
            } else {
                engines.forEach(e -> out.add(id(base, e)));
            }
        }
        return new ArrayList<>(out);
    }

    /** The id of a read path (with modifiers) on an engine: jnr-fuse's has no suffix. */
    static String id(String pathAndModifiers, Engine engine) {
        return engine == Engine.JNR_FUSE ? pathAndModifiers : pathAndModifiers + ENGINE_MARK + engine.id();
    }

    /**
     * A rsplicefs target id taken apart: the read path, then modifiers in any
     * order: "+donate" (--donate), "+noguard" (--no-stable-replies, to
     * measure what stable replies cost) and "+single" (--threads 1: libfuse's
     * single-threaded loop, or one worker of the direct engine), "+uring"
     * (--transport=uring: FUSE over io_uring, direct engine only), then the
     * engine ("@direct", "@jnr-fuse"; none: jnr-fuse).
     */
    record Variant(String path, boolean donate, boolean stableReplies, boolean singleThreaded, Engine engine,
                   boolean uring) {
        Variant(String path, boolean donate, boolean stableReplies, boolean singleThreaded) {
            this(path, donate, stableReplies, singleThreaded, Engine.JNR_FUSE);
        }

        Variant(String path, boolean donate, boolean stableReplies, boolean singleThreaded, Engine engine) {
            this(path, donate, stableReplies, singleThreaded, engine, false);
        }

        /** The variant named by a target id, or null when it names none. */
        static Variant parse(String target) {
            Engine engine = Engine.JNR_FUSE;
            String rest = target;
            int at = target.indexOf(ENGINE_MARK);
            if (at >= 0) {
                try {
                    engine = Engine.parse(target.substring(at + 1));
                } catch (IllegalArgumentException e) {
                    return null;
                }
                rest = target.substring(0, at);
            }
            String[] parts = rest.split("\\+", -1);
            if (!READ_PATHS.contains(parts[0])) {
                return null;
            }
            boolean donate = false;
            boolean stable = true;
            boolean single = false;
            boolean uring = false;
            for (int i = 1; i < parts.length; i++) {
                switch (parts[i]) {
                    case "donate" -> {
                        if (donate) {
                            return null;
                        }
                        donate = true;
                    }
                    case "noguard" -> {
                        if (!stable) {
                            return null;
                        }
                        stable = false;
                    }
                    case "single" -> {
                        if (single) {
                            return null;
                        }
                        single = true;
                    }
                    case "uring" -> {
                        if (uring) {
                            return null;
                        }
                        uring = true;
                    }
                    default -> {
                        return null;
                    }
                }
            }
            return new Variant(parts[0], donate, stable, single, engine, uring);
        }
    }

    static boolean isRsplicefs(String target) {
        return Variant.parse(target) != null;
    }

    /** The engine serving a target: empty for native and the peers. */
    static Optional<Engine> engineOf(String target) {
        return Optional.ofNullable(Variant.parse(target)).map(Variant::engine);
    }
}
